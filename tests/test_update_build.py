"""build, the pure stage: a feed body into posts, on small real documents."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from feeds import rss
from rsspress.config import parse_config
from rsspress.item_keys import Remembered
from rsspress.model import ItemState
from rsspress.update import FeedJob, Page, build_and_write, build_feed

NOW = 1_700_000_000.0
ATOM = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
    b'<entry><id>urn:1</id><title>One</title><link href="https://x.example/1"/>'
    b"<updated>2024-05-01T00:00:00Z</updated><content type='html'>&lt;p&gt;body&lt;/p&gt;"
    b"</content></entry></feed>"
)
CUT_OFF = rss("a", 3)[:-200]  # the download ended in the third item


def job(
    body: bytes,
    *,
    known: dict[str, Remembered] | None = None,
    limit: int | None = None,
    filters: str = "",
    fulltext: bool = False,
    pages: dict[str, Page] | None = None,
) -> FeedJob:
    config = parse_config(
        "output: [{dir: posts, format: hexo}, {dir: hugo, format: hugo}]\nstate: state.db\n"
        f"{filters}feeds:\n  g:\n    s:\n      f: https://x.example/feed.xml\n",
        Path("/site/rsspress.yaml"),
    )
    feed = config.feeds[0]
    if fulltext:
        feed = replace(feed, fulltext=True)
    return FeedJob(body, None, feed, known or {}, config.images, config.content,
                   config.post_outputs, False, NOW, pages or {}, limit)  # fmt: skip


@dataclass(frozen=True)
class Case:
    job: FeedJob
    posts: int
    dropped: int = 0
    error: str | None = None  # the build error's kind
    damage: bool = False
    held_back: int = 0
    deferred: int = 0


CASES = {
    "three new items": Case(job(rss("a", 3)), posts=3),
    "an atom entry": Case(job(ATOM), posts=1),
    "known items are not posted again": Case(
        job(rss("a", 3), known={"guid:https://example.test/a/a/0": Remembered("t", None)}),
        posts=2,
    ),
    "over the cap: the rest wait": Case(job(rss("a", 5), limit=2), posts=2, deferred=3),
    "a filter drops, and remembers": Case(
        job(rss("a", 3), filters="content:\n  filters:\n    - drop: {title: 第 1 条}\n"),
        posts=2,
        dropped=1,
    ),
    "cut off: the whole items are posted": Case(job(CUT_OFF), posts=2, damage=True, held_back=1),
    "not a feed": Case(job(b"<html><body>login</body></html>"), posts=0, error="parse"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_build_feed(case: Case) -> None:
    build = build_feed(case.job)
    assert len(build.posts) == case.posts
    assert len(build.dropped) == case.dropped
    assert (build.error.kind if build.error else None) == case.error
    assert (build.left_out.damage is not None) == case.damage
    assert (build.left_out.held_back, build.left_out.deferred) == (case.held_back, case.deferred)
    for post in build.posts:
        assert post.record.state is ItemState.PUBLISHED and post.record.published_at == NOW
        assert [f.path.parent.name for f in post.files] == ["posts", "hugo"]  # one per output
        assert all(post.record.title in f.text for f in post.files)
    for record in build.dropped:
        assert record.state is ItemState.DROPPED and record.drop_reason


def test_a_full_text_page_replaces_the_summary_and_is_cached() -> None:
    page = (
        b"<html><body><article><p>" + b"the whole article. " * 40 + b"</p></article></body></html>"
    )
    link = "https://x.example/1"
    build = build_feed(job(ATOM, fulltext=True, pages={link: Page(link, body=page)}))
    assert "the whole article" in build.posts[0].files[0].text
    assert [(p.url, p.content is not None) for p in build.pages] == [(link, True)]
    failed = build_feed(job(ATOM, fulltext=True, pages={link: Page(link, error="http: 404")}))
    assert "body" in failed.posts[0].files[0].text  # the summary stays
    assert [(p.url, p.error) for p in failed.pages] == [(link, "http: 404")]


def test_build_and_write_writes_every_post_file(tmp_path: Path) -> None:
    built = job(rss("a", 2))
    outputs = tuple(replace(out, dir=tmp_path / f"out{n}") for n, out in enumerate(built.outputs))
    for out in outputs:
        out.dir.mkdir()
    written = build_and_write(replace(built, outputs=outputs))
    assert len(written.records) == 2 and written.error is None
    assert [len(list(out.dir.iterdir())) for out in outputs] == [2, 2]  # .md, .html
