"""Cleanup rules: each shipped site rule removes its junk and keeps the article."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, posts_in, run_cli, write_config
from rsspress.config import (
    CleanupRule,
    ConfigError,
    ContentConfig,
    FeedConfig,
    ImagesConfig,
    builtin_rules,
    load_config,
)
from rsspress.content import prepare_body
from rsspress.content.rules import image_referer, rule_applies, rule_for
from rsspress.model import Profile
from rsspress.parse import parse_feed

IMAGES = ImagesConfig(proxy="https://p.example/?{url}", rewrite="http")


def clean(html: str, link: str, feed: FeedConfig | None = None) -> str:
    content = ContentConfig(rules=_builtin())
    feed = feed or FeedConfig("g", "s", "f", "http://x/")
    rule = rule_for(content.rules, feed, link)
    return prepare_body(
        html, base_url=link, images=IMAGES, profile=Profile.DEFAULT, placeholder_n=1,
        content=content, rule=rule,
    ).html  # fmt: skip


def _builtin() -> tuple[CleanupRule, ...]:
    return tuple(builtin_rules())


def test_zaker_rule_on_the_seed_item() -> None:
    (item,) = parse_feed((DATA / "seed" / "zaker-channel-13.xml").read_bytes(), "http://x/").items
    body = clean(item.content_html, item.link or "")
    assert "recommend_bottom" not in body and "article_bottom" not in body
    assert "onclick" not in body
    assert body.count("<img") == 5
    assert "小米一直在寻求一种线下经营的新模式" in body
    assert "IT 之家了解到，小米 51 家新店" in body


SITES = {
    "cnBeta": (
        "https://www.cnbeta.com.tw/articles/tech/1.htm",
        '<div class="article-summary"><p>摘要：英伟达发布新卡。</p></div>'
        '<div class="article-content"><p>正文第一段。</p><p><img data-original="https://static.cnbetacdn.com/a.jpg" src="/loading.gif"></p></div>'
        '<div class="article-topic"><a href="https://www.cnbeta.com.tw/topics/9.htm">话题：显卡</a></div>'
        '<div class="article-global">cnBeta 全球资讯</div><div class="cnbeta-article-share">分享到微博</div>',
        ["话题：显卡", "cnBeta 全球资讯", "分享到微博"],
        ["摘要：英伟达发布新卡。", "正文第一段。", 'src="https://static.cnbetacdn.com/a.jpg"'],
    ),
    "掘金": (
        "https://juejin.cn/post/7300000000000000001",
        '<div class="markdown-body"><style>.markdown-body{color:#333}</style><p>Vue 3 的响应式原理。</p>'
        '<pre><div class="code-block-extension-header">javascript</div><code>const a = 1</code>'
        '<span class="copy-code-btn">复制代码</span></pre>'
        '<p><img data-src="https://p3-juejin.byteimg.com/a.png" src="data:image/gif;base64,R0"></p></div>',
        ["复制代码", "code-block-extension-header", "color:#333"],
        ["Vue 3 的响应式原理。", "const a = 1", 'src="https://p3-juejin.byteimg.com/a.png"'],
    ),
    "DockOne": (
        "http://dockone.io/article/2434001",
        '<div class="aw-question-detail-meta">发布于 2026-11-18 · 阅读 1234</div>'
        '<p>Kubernetes 1.40 发布。</p><img src="http://dockone.io/uploads/k8s.png">'
        '<div class="aw-topic-bar">Kubernetes</div><div class="share-box">分享</div>',
        ["阅读 1234", "aw-topic-bar", "分享"],
        ["Kubernetes 1.40 发布。", 'src="https://p.example/?http://dockone.io/uploads/k8s.png"'],
    ),
    "人人都是产品经理": (
        "https://www.woshipm.com/pd/5900000.html",
        "<p>产品经理如何做需求评审。</p>"
        '<p><img data-original="https://image.woshipm.com/a.png" src="https://image.woshipm.com/grey.gif"></p>'
        "<p>本文由 @张三 原创发布于人人都是产品经理，未经许可，禁止转载。</p>"
        '<div class="support-author">给作者打赏</div><div class="article--actions">收藏 点赞</div>',
        ["未经许可，禁止转载", "给作者打赏", "收藏 点赞"],
        ["产品经理如何做需求评审。", 'src="https://image.woshipm.com/a.png"'],
    ),
    "IT之家": (
        "https://www.ithome.com/0/800/001.htm",
        "<p>IT之家 11 月 28 日消息，小米发布新机。</p>"
        '<p><img data-original="https://img.ithome.com/newsuploadfiles/a.jpg" src="//img.ithome.com/images/v2.3/t.png"></p>'
        '<p class="ad-tips">广告声明：文内含有的对外跳转链接，用于传递更多信息。</p>'
        '<p>相关阅读：<a class="s_tag" href="https://www.ithome.com/tag/xiaomi/">小米</a></p>',
        ["广告声明", "s_tag"],
        [
            "IT之家 11 月 28 日消息，小米发布新机。",
            'src="https://img.ithome.com/newsuploadfiles/a.jpg"',
        ],
    ),
}


@pytest.mark.parametrize("site", SITES)
def test_site_rule_removes_junk_and_keeps_the_article(site: str) -> None:
    link, html, junk, article = SITES[site]
    body = clean(html, link)
    for gone in junk:
        assert gone not in body, f"{site}: {gone!r} should be gone"
    for kept in article:
        assert kept in body, f"{site}: {kept!r} should stay"
    # The same HTML from another site keeps everything the site rule removed.
    other = clean(html, "https://elsewhere.example/a")
    assert any(gone in other for gone in junk)


def test_every_shipped_site_has_a_test() -> None:
    names = {rule.name for rule in _builtin()} - {"common"}
    assert names == set(SITES) | {"ZAKER"}


def test_common_junk_goes_everywhere() -> None:
    html = (
        "<p>正文</p><p><a href=\"javascript:void(0);\" onclick=\"openApp('x', 'y')\">打开 App 阅读全文</a></p>"
        '<!-- 广告位 --><div class="ad-wrap" data-ad="bottom">广告</div>'
    )
    body = clean(html, "https://any.example/a")
    assert body == "<p>正文</p>"


def test_user_rules_scoped_by_feed_with_keep_only(tmp_path: Path, state: str) -> None:
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>t</title>'
        "<guid>1</guid><link>https://news.example/1</link><description><![CDATA["
        '<div class="nav">导航</div><article><p>正文</p><p class="promo">推广</p></article>'
        '<div class="footer">页脚</div>]]></description></item></channel></rss>',
        encoding="utf-8",
    )
    rules = (
        "content:\n  rules:\n"
        "    - feeds: [新闻/站点]\n      keep_only: article\n      remove: [.promo]\n"
    )
    write_config(tmp_path, "新闻:\n  站点:\n    f: feed.xml\n", extra=rules, state=state)
    assert run_cli("run", cwd=tmp_path).returncode == 0
    (post,) = posts_in(tmp_path)
    text = post.read_text("utf-8")
    assert "<article><p>正文</p></article>" in text
    assert "导航" not in text and "推广" not in text and "页脚" not in text


def test_a_bad_selector_is_a_config_error(tmp_path: Path) -> None:
    path = write_config(tmp_path, "g:\n  s:\n    f: feed.xml\n",
                        extra="content:\n  rules:\n    - remove: ['div[']\n")  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "content.rules[0].remove"
    assert "CSS selector" in caught.value.expected


@pytest.mark.parametrize(
    ("image", "referer"),
    [
        ("http://zkres2.myzaker.com/202111/a.jpg", "https://www.myzaker.com/"),
        ("https://static.cnbetacdn.com/article/a.jpg", "https://www.cnbeta.com.tw/"),
        ("https://img.ithome.com/newsuploadfiles/a.jpg", "https://www.ithome.com/"),
        ("https://mmbiz.qpic.cn/a.png", None),
    ],
)
def test_image_referer_per_host(image: str, referer: str | None) -> None:
    assert image_referer(_builtin(), image) == referer


def test_keep_style_keeps_only_harmless_properties() -> None:
    rule = CleanupRule(hosts=("styled.example",), keep_style=True)
    html = '<p style="color: red; position: fixed; background: url(javascript:alert(1))">x</p>'
    content = ContentConfig(rules=(rule,))
    feed = FeedConfig("g", "s", "f", "http://x/")
    kept = prepare_body(
        html, base_url="https://styled.example/a", images=IMAGES, profile=Profile.DEFAULT,
        placeholder_n=1, content=content, rule=rule_for(content.rules, feed, "https://styled.example/a"),
    ).html  # fmt: skip
    assert kept == '<p style="color:red">x</p>'
    assert clean(html, "https://plain.example/a") == "<p>x</p>"  # no rule: no style at all


@pytest.mark.parametrize(
    ("hosts", "feeds", "link_host", "applies"),
    [
        ((), (), None, True),  # a rule naming neither applies to every item
        (("ithome.com",), (), "ithome.com", True),
        (("ithome.com",), (), "www.ithome.com", True),  # a subdomain
        (("ithome.com",), (), "WWW.ITHOME.COM", True),
        (("ithome.com",), (), "notithome.com", False),  # not a subdomain: another site
        (("ithome.com",), (), None, False),
        ((), ("科技资讯",), None, True),  # the feed's group
        ((), ("科技资讯/IT之家",), None, True),  # its site
        ((), ("科技资讯/IT之家/最新",), None, True),  # the feed itself
        ((), ("科技资讯/IT",), None, False),  # a prefix of a name is no place in the tree
        ((), ("编程",), None, False),
        (("example.com",), ("科技资讯",), "other.example", True),  # hosts or feeds
    ],
)
def test_which_items_a_rule_applies_to(
    hosts: tuple[str, ...], feeds: tuple[str, ...], link_host: str | None, applies: bool
) -> None:
    feed = FeedConfig("科技资讯", "IT之家", "最新", "http://x/")
    assert rule_applies(CleanupRule(hosts=hosts, feeds=feeds), feed, link_host) is applies
