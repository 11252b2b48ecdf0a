"""Build: a fetched feed body into posts, and the worker-side writing of their files.

:func:`build_feed` is pure (parse, find the new items, filter, prepare each body,
render each post): it runs in worker processes and every failure comes back as a
value. :func:`build_and_write` is what the workers run: the build, then each post
written atomically.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rsspress.atomic import write_atomic
from rsspress.config import CleanupRule, ContentConfig, FeedConfig, ImagesConfig, OutputConfig
from rsspress.content import PreparedBody, placeholder_number, prepare_body, summary_of
from rsspress.content.budget import affordable_body, bounded_item
from rsspress.content.filters import drop_reason
from rsspress.content.fulltext import extract_article
from rsspress.content.rules import rule_for
from rsspress.content.titles import readable_title
from rsspress.dates import item_when
from rsspress.item_keys import KnownItems
from rsspress.model import Format, ItemRecord, ItemState, PageRecord, Profile
from rsspress.new_items import LeftOut, post_id
from rsspress.parse import ParseError, parse_feed
from rsspress.publish.formats import post_file_name, render_post_text
from rsspress.publish.post import Post
from rsspress.rsshub.items import new_items_of
from rsspress.update.fetch import Page
from rsspress.update.report import BuildError
from rsspress.urls import without_secrets


@dataclass(frozen=True)
class PostFile:
    path: Path
    text: str


@dataclass(frozen=True)
class BuiltPost:
    """A new item: its file in each post output, and what the store keeps of it."""

    files: tuple[PostFile, ...]
    record: ItemRecord


@dataclass(frozen=True)
class FeedBuild:
    """What :func:`build_feed` makes of one feed body: posts, or why not."""

    posts: tuple[BuiltPost, ...] = ()
    dropped: tuple[ItemRecord, ...] = ()  # filtered out: remembered, no post
    error: BuildError | None = None
    pages: tuple[PageRecord, ...] = ()  # article pages extracted now (or why not)
    left_out: LeftOut = field(default_factory=LeftOut)
    unreadable_dates: int = 0  # items of the document whose date no reader understood


@dataclass(frozen=True)
class FeedWritten:
    """What :func:`build_and_write` reports: the items whose posts are on disk."""

    records: tuple[ItemRecord, ...] = ()
    error: BuildError | None = None
    pages: tuple[PageRecord, ...] = ()
    left_out: LeftOut = field(default_factory=LeftOut)
    unreadable_dates: int = 0


@dataclass(frozen=True)
class FeedJob:
    """Everything a worker needs to turn one fetched feed into posts."""

    body: bytes
    charset: str | None
    feed: FeedConfig
    known: KnownItems  # items already published or dropped, by key
    images: ImagesConfig
    content: ContentConfig
    outputs: tuple[OutputConfig, ...]  # the post outputs (Hexo, Hugo, Jekyll)
    site: bool  # an HTML site is built too: keep each item's cleaned body in the state
    now: float
    pages: dict[str, Page] = field(default_factory=dict)  # full text, by item link
    max_new_items: int | None = None  # published now; the other new items wait


def warm_up() -> None:
    """A worker's first task: unpickling it imports this module, so the worker is ready to
    build before the first feed arrives (rsspress.update.workers)."""


def build_and_write(job: FeedJob) -> FeedWritten:
    """Build a feed's posts and write each one atomically; what the workers run."""
    build = build_feed(job)
    if build.error is not None:
        return FeedWritten(error=build.error, left_out=build.left_out)
    for post in build.posts:
        for file in post.files:
            write_atomic(file.path, file.text)
    return FeedWritten(
        records=tuple(post.record for post in build.posts) + build.dropped,
        pages=build.pages,
        left_out=build.left_out,
        unreadable_dates=build.unreadable_dates,
    )


def build_feed(job: FeedJob) -> FeedBuild:
    """Parse a feed body and render a post for every new item. Pure: no I/O.

    Runs in worker processes; every failure comes back as a value.
    """
    feed, content, images, now = job.feed, job.content, job.images, job.now
    # Each profile's body is prepared once, whatever the number of outputs using it.
    profiles = {out.profile for out in job.outputs} | ({Profile.DEFAULT} if job.site else set())
    # fastfeedparser's native extractor is 3× faster but gives dates in UTC; compat needs
    # the feed's own text, and Jekyll names each file after the item's own day.
    own_offsets = Profile.COMPAT in profiles or any(
        out.format is Format.JEKYLL for out in job.outputs
    )
    try:
        parsed = parse_feed(job.body, feed.url, job.charset, date_text=own_offsets)
    except ParseError as exc:
        return FeedBuild(error=BuildError("parse", f"not a feed: {exc}"))
    posts: list[BuiltPost] = []
    dropped: list[ItemRecord] = []
    page_records: list[PageRecord] = []
    first_seen = dt.datetime.fromtimestamp(now, dt.UTC)
    fresh = new_items_of(feed, parsed.items, job.known, job.max_new_items)
    for key, item in fresh.items:
        # Within the per-item budget from here on: every stage's work on it is bounded.
        raw_html = item.content_html  # an untitled item's title comes from its own text
        item = bounded_item(item, content.max_body_chars)
        title = readable_title(item.title, raw_html, feed.name, item_when(item.date, first_seen))
        pid = post_id(feed.key, key)
        record = ItemRecord(
            item_key=key,
            post_id=pid,
            guid=item.guid,
            link=item.link,
            title=title,
            date=item.date.isoformat() if item.date else None,
            date_text=item.date_text,
            author=item.author,
            content=item.content_html,
            state=ItemState.PUBLISHED,
            first_seen_at=now,
            published_at=None,
        )
        # Filters first (the content stage's order): a dropped item is remembered, not posted.
        reason = drop_reason(item, feed, content.filters, first_seen)
        if reason is not None:
            dropped.append(dataclasses.replace(record, state=ItemState.DROPPED, drop_reason=reason))
            continue
        rule = rule_for(content.rules, feed, item.link)
        html = item.content_html
        base_url = item.link or parsed.link or without_secrets(feed.url)
        page = job.pages.get(item.link or "")
        if page is not None:
            article, record_of_page = article_of(page, rule, now)
            if record_of_page is not None:
                page_records.append(record_of_page)
            if article is not None:
                html = affordable_body(article, item.link, content.max_body_chars)
                base_url = page.final_url or page.url
        prepared: dict[Profile, PreparedBody] = {
            profile: prepare_body(
                html,
                base_url=base_url,
                images=images,
                profile=profile,
                placeholder_n=placeholder_number(pid),
                content=content,
                rule=rule,
                media_images=item.image_urls,
            )
            for profile in sorted(profiles)
        }
        files: list[PostFile] = []
        for out in job.outputs:
            body = prepared[out.profile]
            post = Post(
                title=title,
                categories=feed.categories,
                author=feed.site,
                date_text=item.date_text,
                date=item.date,
                fallback_date=first_seen,
                cover=body.cover,
                body=body.html,
                post_id=pid,
                link=item.link,
                image=body.image,
            )
            name = post_file_name(out.format, pid, post.when)
            files.append(PostFile(out.dir / name, render_post_text(out.format, out.profile, post)))
        site_body = prepared[Profile.DEFAULT] if job.site else None
        record = dataclasses.replace(
            record,
            published_at=now,
            body=site_body.html if site_body else None,
            cover=site_body.image if site_body else None,
            summary=summary_of(site_body.html) if site_body else None,
        )
        posts.append(BuiltPost(tuple(files), record))
    return FeedBuild(
        posts=tuple(posts),
        dropped=tuple(dropped),
        pages=tuple(page_records),
        left_out=LeftOut(parsed.damage, parsed.held_back + fresh.empty, fresh.deferred),
        unreadable_dates=sum(1 for item in parsed.items if item.date_unreadable),
    )


def article_of(page: Page, rule: CleanupRule, now: float) -> tuple[str | None, PageRecord | None]:
    """The article for an item from its page; None keeps the summary. Also what to cache."""
    if page.article is not None:
        return page.article, None
    if page.body is None:
        return None, PageRecord(page.url, now, None, page.error or "not fetched")
    try:
        article = extract_article(
            page.body, page.charset, page.final_url or page.url, rule.fulltext_selector
        )
    except ValueError as exc:
        return None, PageRecord(page.url, now, None, str(exc))
    return article, PageRecord(page.url, now, article)
