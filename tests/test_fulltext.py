"""Full text: article pages fetched under the feed limits, extracted, cached, with fallback."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from conftest import posts_in, run_cli, state_location, write_config
from rsspress.content.fulltext import extract_article
from rsspress.store import Store

# The test server is on loopback, which article pages may reach only when the user says so.
LOOPBACK_PAGES = "fetch: {page_allow: [127.0.0.1/32, '::1/128']}\n"
PARAGRAPH = (
    "小米今日发布了新款手机，搭载骁龙处理器，售价 1999 元起，电池容量 5000mAh，支持 120W 快充。"
)


def article_page(title: str, paragraphs: int = 6) -> str:
    body = "".join(f"<p>{title}：第 {n} 段。{PARAGRAPH}</p>" for n in range(paragraphs))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/phone'>手机</a></div>"
        f"<div id='content'><h1>{title}</h1><div class='post'>{body}"
        "<p><img src='/img/a.jpg' alt='配图'></p></div></div>"
        "<div class='related'><h3>相关文章</h3><a href='/1'>旧闻</a></div>"
        "<div id='comments'><div>网友：好便宜</div></div><div class='footer'>© 页脚</div>"
        "</body></html>"
    )


def summary_feed(base: str, items: list[str]) -> bytes:
    entries = "".join(
        f"<item><title>{name}</title><guid>{name}</guid><link>{base}/article/{name}</link>"
        f"<description>{name} 的摘要</description></item>"
        for name in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>c</title>'
        f"<link>{base}/</link>{entries}</channel></rss>"
    ).encode()


def test_extraction_keeps_the_article_and_drops_the_page_around_it() -> None:
    html = extract_article(article_page("新机").encode(), None, "https://x.example/a", None)
    assert "第 5 段" in html and "<img" in html
    assert "首页" not in html and "好便宜" not in html and "页脚" not in html


def test_fulltext_feed_posts_the_article_and_falls_back_with_a_reason(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/plain.xml").respond_with_data(
        summary_feed(base, ["good", "gone", "huge"])
    )
    httpserver.expect_request("/custom.xml").respond_with_data(summary_feed(base, ["custom"]))
    httpserver.expect_request("/article/good").respond_with_data(
        article_page("好文章"), content_type="text/html; charset=utf-8"
    )
    httpserver.expect_request("/article/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/article/custom").respond_with_data(
        "<html><body><div class='junk'>" + PARAGRAPH * 3 + "</div>"
        "<section class='story'><p>选择器选中的正文。" + PARAGRAPH + "</p></section></body></html>",
        content_type="text/html; charset=utf-8",
    )
    httpserver.expect_request("/article/huge").respond_with_data(b"<p>x</p>" * 100_000)
    extra = (
        "fetch: {max_bytes: 200000, page_allow: [127.0.0.1/32, '::1/128']}\n"
        "content:\n  rules:\n    - feeds: [g/custom]\n      fulltext_selector: '.story'\n"
    )
    write_config(
        tmp_path,
        f"g:\n  plain:\n    f: {{url: {base}/plain.xml, fulltext: true}}\n"
        f"  custom:\n    f: {{url: {base}/custom.xml, fulltext: true}}\n",
        extra=extra,
        state=state,
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    posts = {p.read_text("utf-8").split("title: '")[1].split("'")[0]: p.read_text("utf-8")
             for p in posts_in(tmp_path)}  # fmt: skip
    assert sorted(posts) == ["custom", "gone", "good", "huge"]
    assert "好文章：第 5 段" in posts["good"]  # extracted by trafilatura
    assert "good 的摘要" not in posts["good"] and "首页" not in posts["good"]
    assert f'?{base}/img/a.jpg"' in posts["good"]  # resolved against the page, then proxied
    assert "选择器选中的正文" in posts["custom"]  # the site's selector wins
    assert PARAGRAPH * 3 not in posts["custom"]
    assert "gone 的摘要" in posts["gone"]  # 404: the summary stays
    assert "huge 的摘要" in posts["huge"]  # over the size cap: the summary stays
    with Store(state_location(tmp_path, state)) as store:
        errors = dict(store.db.execute("SELECT url, error FROM pages WHERE error IS NOT NULL"))
    assert set(errors) == {f"{base}/article/gone", f"{base}/article/huge"}
    assert errors[f"{base}/article/gone"] == "http: HTTP 404 NOT FOUND"
    assert errors[f"{base}/article/huge"].startswith("too_large")


def test_an_article_page_is_fetched_once(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/a.xml").respond_with_data(summary_feed(base, ["same"]))
    httpserver.expect_request("/b.xml").respond_with_data(summary_feed(base, ["same"]))
    httpserver.expect_request("/article/same").respond_with_data(
        article_page("同一篇"), content_type="text/html; charset=utf-8"
    )
    write_config(tmp_path, f"g:\n  s:\n    a: {{url: {base}/a.xml, fulltext: true}}\n",
                 state=state, extra=LOOPBACK_PAGES)  # fmt: skip
    assert run_cli("run", cwd=tmp_path).returncode == 0
    write_config(
        tmp_path,
        f"g:\n  s:\n    a: {{url: {base}/a.xml, fulltext: true}}\n"
        f"    b: {{url: {base}/b.xml, fulltext: true}}\n",
        state=state,
        extra=LOOPBACK_PAGES,
    )
    assert run_cli("run", cwd=tmp_path).returncode == 0

    fetched = [r for r, _ in httpserver.log if r.path == "/article/same"]
    assert len(fetched) == 1
    posts = [p.read_text("utf-8") for p in posts_in(tmp_path)]
    assert len(posts) == 2 and all("同一篇：第 5 段" in p for p in posts)
