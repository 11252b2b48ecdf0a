"""A deterministic corpus of feeds shaped like RSSHub's, for the tests (and, if you like, bench/).

``make_corpus(out, feeds=100, items=20, seed=1)`` writes, in ``out``:

    feeds/NNNNN-<route>.xml    RSS 2.0 as RSSHub writes it (CDATA titles and bodies)  70 %
    feeds/NNNNN-<route>.atom   Atom 1.0 (escaped HTML content, RFC 3339 dates)        20 %
    feeds/NNNNN-<route>.json   JSON Feed 1.1 (content_html, authors, tags)            10 %
    feeds.opml                 OPML 2.0, outlines nested group > site > feed
    config.yaml                every feed: name, url, path, format, route, category
    manifest.json              counts, body sizes, a fingerprint of all the feed bytes

The items look like Chinese tech news: Chinese paragraphs with English product names,
headings, lists, quotes, links, 0-6 images in the forms real sites use (lazy ``data-original``
and ``data-src`` with placeholders, ``referrerpolicy``, ``onclick``, single quotes, figures),
``<style>``/``<script>`` noise, and text a template engine would take for its own (``{{ }}``,
``{% %}``, ``{# #}``, a lone ``}``) in about a fifth of the bodies and a few titles. Every link
and guid is unique in the corpus. The bytes depend only on the arguments: no clock, locale,
hash seed or platform goes in.

    python tests/generate_corpus.py --size S --out /tmp/corpus-S
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import random
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

VERSION = 1
SIZES = {"S": (100, 20), "M": (500, 30), "L": (2000, 50)}  # name: (feeds, items per feed)
BASE_URL = "http://127.0.0.1:8765"
NEWEST = datetime(2025, 3, 1, 4, 0, tzinfo=UTC)  # fixed: the corpus never reads the clock
BEIJING = timezone(timedelta(hours=8))

# (group, site, home page, article link pattern, first article id, [(channel, route)])
# Link patterns: {id} a sequential article number, {hex} 24 hex digits, {b64} 22 base64url
# characters, {big} a 19-digit number; all derived from the item, so all unique.
SITES = (
    ("科技资讯", "ZAKER", "http://www.myzaker.com/", "http://www.myzaker.com/article/{hex}", 0,
     [("科技频道", "zaker/channel/13"), ("汽车", "zaker/channel/7"), ("财经", "zaker/channel/4"),
      ("互联网", "zaker/channel/5"), ("数码", "zaker/channel/10386")]),
    ("科技资讯", "cnBeta", "https://www.cnbeta.com.tw/", "https://www.cnbeta.com.tw/articles/tech/{id}.htm",
     1_400_000, [("最新", "cnbeta"), ("科学", "cnbeta/topics/science"), ("软件", "cnbeta/topics/soft")]),
    ("科技资讯", "IT之家", "https://www.ithome.com/", "https://www.ithome.com/0/{id}.htm", 800_000,
     [("IT 资讯", "ithome/it"), ("软媒", "ithome/soft"), ("数码之家", "ithome/digi")]),
    ("科技资讯", "36氪", "https://36kr.com/", "https://36kr.com/p/{id}", 3_100_000_000,
     [("快讯", "36kr/newsflashes"), ("资讯", "36kr/information/web_news")]),
    ("科技资讯", "少数派", "https://sspai.com/", "https://sspai.com/post/{id}", 96_000,
     [("首页", "sspai/index"), ("Matrix", "sspai/matrix")]),
    ("编程", "掘金", "https://juejin.cn/", "https://juejin.cn/post/{big}", 0,
     [("前端", "juejin/category/frontend"), ("后端", "juejin/category/backend"),
      ("人工智能", "juejin/category/ai")]),
    ("编程", "DockOne", "http://dockone.io/", "http://dockone.io/article/{id}", 2_500_000,
     [("文章", "dockone/article"), ("周报", "dockone/weekly")]),
    ("编程", "InfoQ", "https://www.infoq.cn/", "https://www.infoq.cn/article/{hex}", 0,
     [("推荐", "infoq/recommend"), ("架构", "infoq/topic/architecture")]),
    ("编程", "V2EX", "https://www.v2ex.com/", "https://www.v2ex.com/t/{id}", 1_100_000,
     [("最新主题", "v2ex/topics/latest"), ("程序员", "v2ex/tab/programmer")]),
    ("编程", "开源中国", "https://www.oschina.net/", "https://www.oschina.net/news/{id}", 280_000,
     [("资讯", "oschina/news"), ("软件更新", "oschina/news/project")]),
    ("新媒体", "微信公众号", "https://mp.weixin.qq.com/", "https://mp.weixin.qq.com/s/{b64}", 0,
     [("美团技术团队", "wechat/mp/meituantech"), ("阿里技术", "wechat/mp/alitech"),
      ("机器之心", "wechat/mp/almosthuman")]),
    ("新媒体", "知乎", "https://www.zhihu.com/", "https://daily.zhihu.com/story/{id}", 9_700_000,
     [("知乎日报", "zhihu/daily"), ("热榜", "zhihu/hot")]),
    ("设计", "优设网", "https://www.uisdc.com/", "https://www.uisdc.com/{hex}", 0,
     [("文章", "uisdc/talk"), ("灵感", "uisdc/hangye")]),
    ("财经", "华尔街见闻", "https://wallstreetcn.com/", "https://wallstreetcn.com/articles/{id}",
     3_700_000, [("要闻", "wallstreetcn/news/global"), ("科技", "wallstreetcn/news/tech")]),
)  # fmt: skip

COMPANIES = "苹果 华为 小米 腾讯 阿里巴巴 字节跳动 百度 京东 美团 网易 微软 谷歌 英伟达 英特尔 高通 特斯拉 比亚迪 三星 索尼 联想 OpenAI Mozilla 红帽".split()
TOPICS = "大模型 芯片 操作系统 浏览器 折叠屏 电动车 固态电池 卫星通信 数据库 编译器 容器平台 开源协议 隐私政策 应用商店 云服务 搜索引擎 手机影像 智能手表 路由器 显示器 游戏主机 办公套件 支付系统 地图导航 机器人 数据中心".split()
ACTIONS = "发布 更新 开源 下架 收购 测试 推送 调整 曝光 确认 回应 推出 升级 召回 涨价 降价 停售 上线 重构 迁移".split()
TRAITS = "全新 首款 轻量 高性能 低功耗 跨平台 国产 下一代 实验性 稳定版 旗舰 入门级".split()
PRODUCTS = ["Linux 6.13", "Python 3.13", "Rust 1.85", "Go 1.24", "Kubernetes 1.32", "Firefox 135",
            "Chrome 133", "Android 16", "iOS 18.3", "HarmonyOS NEXT", "Windows 11 24H2",
            "PostgreSQL 17", "Node.js 22", "Vue 3.5", "React 19", "Wi\u2011Fi\u00a07", "HTTP/3"]  # fmt: skip
OPENERS = ["据报道", "业内人士表示", "官方公告显示", "从目前的信息来看", "值得一提的是", "与上一代相比",
           "社区的反馈是", "根据最新财报", "在昨天的发布会上", "截至发稿时", "有开发者指出", "简单来说"]  # fmt: skip
PEOPLE = "张伟 王芳 李娜 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴婷".split()

# Text that Nunjucks, Liquid, Jinja or Hugo would render if a post let it through.
TEMPLATE_TEXT = [
    "在 Jinja2 模板里写 {{ user.name }} 会被替换成变量。",
    "Liquid 的 {% for post in site.posts %} 循环要用 {% endfor %} 结束。",
    "Hugo 的短代码 {{< youtube id >}} 在这里不该展开。",
    "Vue 的插值 {{ count * 2 }} 写在模板中。",
    "Nunjucks 的注释写作 {# 这是注释 #}。",
    "单独出现的右花括号 } 也要原样显示。",
    "Go 模板 {{ range .Items }}{{ .Name }}{{ end }} 会输出一个列表。",
    "{% raw %}{{ page.title }}{% endraw %} 是 Jekyll 里转义的写法。",
]  # fmt: skip
CODE = [
    "kubectl get svc -o go-template='{{range .items}}{{.metadata.name}}{{end}}'",
    "docker inspect -f '{{.State.Running}}' web",
    "if (a[b[0]]>c) { return {}; }",  # "]]>" inside a CDATA section must be split
    "{% if user %}你好，{{ user.name }}{% endif %}",
    "SELECT '{\"tags\": [\"rss\"]}'::jsonb;",
    "fn main() { println!(\"{}\", \"{{ 不是模板 }}\"); }",
]  # fmt: skip
LOADING = [  # placeholders that lazy-loading sites put in src
    "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
    "/static/images/loading.gif",
    "https://static.cnbetacdn.com/www/images/grey.gif",
]
IMAGE_URLS = [
    "http://zkres1.myzaker.com/{ym}/{hex}_1024.jpg",
    "https://static.cnbetacdn.com/article/{ym}/{hex}.png",
    "https://img.ithome.com/newsuploadfiles/{ym}/{hex}.jpg?x-oss-process=image/format,webp",
    "https://p3-juejin.byteimg.com/tos-cn-i-k3u1fbpfcp/{hex}~tplv-k3u1fbpfcp-watermark.image",
    "http://dockone.io/uploads/article/{ym}/{hex}.png",
    "https://mmbiz.qpic.cn/mmbiz_jpg/{hex}/640?wx_fmt=jpeg&tp=webp&wxfrom=5",
    "https://cdn.sspai.com/{ym}/{hex}.png?imageView2/2/w/1120/q/90",
    "https://pic1.zhimg.com/v2-{hex}_r.jpg",
]
TAIL_JUNK = [
    '<div id="recommend_bottom"></div>',
    '<!-- 广告位 --><div class="ad-wrap" data-ad="bottom"></div>',
    '<p class="article-tips">本文来自投稿，不代表本站立场，转载请注明出处。</p>',
    "<p><br></p>",
]


def token(*parts: object) -> bytes:
    """Bytes that depend only on ``parts`` (never on PYTHONHASHSEED)."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


@dataclass(frozen=True)
class Feed:
    index: int
    fmt: str  # rss | atom | json
    group: str
    site: str
    name: str
    route: str
    home: str
    link: str
    first_id: int
    interval: timedelta
    beijing_time: bool  # +0800 dates instead of GMT
    guid_is_link: bool

    @property
    def path(self) -> str:
        ext = {"rss": "xml", "atom": "atom", "json": "json"}[self.fmt]
        return f"feeds/{self.index:05d}-{self.route.replace('/', '-')}.{ext}"

    @property
    def self_url(self) -> str:
        return f"https://rsshub.app/{self.route}" + {"rss": "", "atom": "?format=atom", "json": "?format=json"}[self.fmt]  # fmt: skip


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    when: datetime
    author: str
    tags: list[str]
    html: str
    images: int
    templated: bool
    enclosure: str | None


def plan_feeds(count: int, seed: int) -> list[Feed]:
    rng = random.Random(f"corpus:{seed}:feeds")
    atom, json_ = round(count * 0.2), round(count * 0.1)
    formats = ["atom"] * atom + ["json"] * json_ + ["rss"] * (count - atom - json_)
    rng.shuffle(formats)
    seen: dict[str, int] = {}
    feeds = []
    for index, fmt in enumerate(formats):
        group, site, home, link, first_id, channels = rng.choice(SITES)
        channel, route = rng.choice(channels)
        name = f"{site} - {channel}"
        seen[name] = n = seen.get(name, 0) + 1
        if n > 1:  # the same route twice, as with ?limit= or a filter: a name of its own
            name, route = f"{name} ({n})", f"{route}/{n}"
        feeds.append(Feed(
            index, fmt, group, site, name, route, home, link, first_id,
            timedelta(minutes=rng.choice((7, 15, 30, 60, 120, 360))),
            rng.random() < 0.3, rng.random() < 0.6,
        ))  # fmt: skip
    return feeds


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(OPENERS), "，", rng.choice(COMPANIES), rng.choice(ACTIONS), "了"]
    parts += [rng.choice(TRAITS), rng.choice(TOPICS)]
    if rng.random() < 0.3:
        parts += ["，基于 ", rng.choice(PRODUCTS), " 构建"]
    if rng.random() < 0.2:
        parts += [f"，同比增长 {rng.randint(2, 95)}.{rng.randint(0, 9)}%"]
    if rng.random() < 0.1:
        parts += ["\u00a0（", rng.choice(PEOPLE), " 供稿）"]
    return "".join(parts) + rng.choice("。。。！？")


def paragraph(rng: random.Random) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def image(rng: random.Random, key: bytes, when: datetime) -> str:
    url = rng.choice(IMAGE_URLS).format(ym=when.strftime("%Y%m"), hex=key.hex()[:24])
    url = escape(url)  # &amp; in attributes, as an HTML serializer writes them
    alt = rng.choice(["", "", "图片", "配图", rng.choice(TOPICS)])
    form = rng.random()
    if form < 0.35:
        tag = f'<img src="{url}" alt="{alt}">'
    elif form < 0.55:
        tag = f'<img class="lazy" src="{rng.choice(LOADING)}" data-original="{url}" alt="{alt}">'
    elif form < 0.65:  # WeChat
        tag = f'<img data-src="{url}" data-ratio="0.5625" data-w="1080" style="width:100%;height:auto;" src="{LOADING[0]}">'
    elif form < 0.85:
        tag = f'<img src="{url}" referrerpolicy="no-referrer">'
    elif form < 0.93:
        tag = f'<img src="{url}" width="640" height="{rng.randint(300, 900)}" onclick="showBigImg(this)">'
    else:
        tag = f"<img src='{url}' loading='lazy' />"
    wrap = rng.random()
    if wrap < 0.4:
        return f'<p style="text-align:center;">{tag}</p>'
    if wrap < 0.55:
        return f"<figure>{tag}<figcaption>{sentence(rng)}</figcaption></figure>"
    return tag


def body(
    rng: random.Random, key: bytes, when: datetime, link: str, site: str
) -> tuple[str, int, bool]:
    """An article's HTML, its number of images, and whether it holds template-like text."""
    # log-normal sizes, median about 4 KiB, kept within 1-20 KiB
    target = max(1024, min(19 * 1024, int(math.exp(rng.gauss(math.log(3700), 0.7)))))
    images = rng.choices(range(7), weights=(20, 25, 20, 14, 10, 6, 5))[0]
    templated = rng.random() < 0.2
    blocks: list[str] = []
    size = 0
    while size < target or not blocks:
        kind = rng.random()
        if kind < 0.07:
            block = f"<h2>{rng.choice(TRAITS)}{rng.choice(TOPICS)}</h2>"
        elif kind < 0.12:
            block = "<ul>" + "".join(f"<li>{sentence(rng)}</li>" for _ in range(rng.randint(2, 5))) + "</ul>"  # fmt: skip
        elif kind < 0.15:
            block = f"<blockquote><p>{paragraph(rng)}</p></blockquote>"
        elif kind < 0.21:
            href = f"https://www.example.cn/s/{token(key, size).hex()[:9]}"
            block = f'<p>{sentence(rng)}<a href="{href}" target="_blank">{rng.choice(TOPICS)}</a>{sentence(rng)}</p>'
        else:
            block = f"<p>{paragraph(rng)}</p>"
        blocks.append(block)
        size += len(block.encode())
    if templated:
        snippet = rng.choice(TEMPLATE_TEXT)
        blocks.insert(rng.randint(0, len(blocks)), f"<p>{escape(snippet)}</p>")
    if rng.random() < 0.1:
        lang = rng.choice(("bash", "js", "sql", "rust"))
        # `<` and `&` escaped, `>` not, as many editors write code: "]]>" reaches the CDATA
        code = rng.choice(CODE).replace("&", "&amp;").replace("<", "&lt;")
        blocks.insert(
            rng.randint(0, len(blocks)), f'<pre><code class="language-{lang}">{code}</code></pre>'
        )
    for n in range(images):
        blocks.insert(rng.randint(0, len(blocks)), image(rng, token(key, "img", n), when))
    html = '<div class="article-content">' + "".join(blocks) + "</div>"
    if rng.random() < 0.08:
        html = "<style>.article-content img{max-width:100%!important}</style>" + html
    if rng.random() < 0.04:
        html += '<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");hm.src="//hm.example.cn/hm.js";document.head.appendChild(hm);})();</script>'
    if rng.random() < 0.1:
        html += f'<p><a href="javascript:void(0);" onclick="openApp(\'{site}\')">打开 App 阅读全文</a></p>'
    if rng.random() < 0.3:
        html += rng.choice(TAIL_JUNK)
    if rng.random() < 0.5:
        html += f'<p>原文链接：<a href="{escape(link)}" target="_blank" rel="noopener">{escape(link)}</a></p>'
    return html, images, templated


def title(rng: random.Random, n: int) -> str:
    company, other = rng.sample(COMPANIES, 2)
    topic, action, product = rng.choice(TOPICS), rng.choice(ACTIONS), rng.choice(PRODUCTS)
    forms = [
        (24, f"{company}{action}{rng.choice(TRAITS)}{topic}：{rng.choice(TOPICS)}{rng.choice(ACTIONS)}"),
        (14, f"{product} 正式{action}，{rng.randint(3, 60)} 项改进一览"),
        (10, f"[{rng.choice(('快讯', '视频', '图集', '更新'))}] {company}{topic}{action}"),
        (10, f"深度｜{company}为什么要做{topic}？"),
        (8, f"{company} & {other}：{topic}之争"),
        (8, f"\u201c{topic}\u201d来了：{company}新品售价 {rng.randint(999, 9999)} 元起"),
        (8, f'{company}回应 "{topic}" 传闻: 不予置评 #{n}'),
        (6, f"{product} 中 {{{{ }}}} 与 {{% %}} 的区别 #{n}"),
        (6, f"  {company}{action}{topic}  "),  # padding the reader never sees
        (6, f"{company} &amp; {other} 联合{action}{topic}"),  # an entity: feeds double-encode
    ]  # fmt: skip
    return rng.choices([text for _, text in forms], weights=[w for w, _ in forms])[0]


def make_item(feed: Feed, k: int, seed: int) -> Item:
    """Item ``k`` of a feed, 0 the newest."""
    key = token(seed, feed.index, k)
    rng = random.Random(key)
    when = (
        NEWEST
        - feed.interval * k
        - timedelta(seconds=rng.randint(0, 1800) + feed.index * 37 % 3600)
    )
    article = feed.first_id + feed.index * 100_000 + k  # unique in the corpus
    link = feed.link.format(id=article, hex=key.hex()[:24], big=str(10**18 + int.from_bytes(key[:7]) % 10**18),
                            b64=base64.urlsafe_b64encode(key[:16]).decode()[:22])  # fmt: skip
    html, images, templated = body(rng, key, when, link, feed.site)
    heading = title(rng, k)
    enclosure = None
    if images and rng.random() < 0.2:
        enclosure = rng.choice(IMAGE_URLS).format(ym=when.strftime("%Y%m"), hex=key.hex()[24:48])
    return Item(
        heading, link, link if feed.guid_is_link else f"{feed.route}:{key.hex()[:20]}", when,
        rng.choice([*PEOPLE, "", feed.site, f"{feed.site}编辑部"]),
        rng.sample(TOPICS, rng.randint(0, 3)), html, images,
        templated or "{{" in heading, enclosure,
    )  # fmt: skip


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(feed: Feed, when: datetime) -> str:
    if feed.beijing_time:
        return format_datetime(when.astimezone(BEIJING))
    return format_datetime(when, usegmt=True)


def rfc3339(feed: Feed, when: datetime) -> str:
    if feed.beijing_time:
        return when.astimezone(BEIJING).isoformat()
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def render_rss(feed: Feed, items: list[Item]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">\n<channel>\n',
        f"<title>{cdata(feed.name)}</title>\n<link>{escape(feed.home)}</link>\n",
        f'<atom:link href="{escape(feed.self_url)}" rel="self" type="application/rss+xml" />\n',
        f"<description>{cdata(feed.name + ' - Powered by RSSHub')}</description>\n",
        "<generator>RSSHub</generator>\n<language>zh-cn</language>\n",
        f"<lastBuildDate>{format_datetime(items[0].when, usegmt=True)}</lastBuildDate>\n<ttl>5</ttl>\n",
    ]
    for it in items:
        guid = f"<guid>{escape(it.guid)}</guid>" if feed.guid_is_link else f'<guid isPermaLink="false">{escape(it.guid)}</guid>'  # fmt: skip
        author = f"<author>{cdata(it.author)}</author>\n" if it.author else ""
        tags = "".join(f"<category>{escape(tag)}</category>\n" for tag in it.tags)
        enclosure = f'<enclosure url={quoteattr(it.enclosure)} type="image/jpeg" />\n' if it.enclosure else ""  # fmt: skip
        out.append(
            f"<item>\n<title>{cdata(it.title)}</title>\n<description>{cdata(it.html)}</description>\n"
            f"<pubDate>{rfc822(feed, it.when)}</pubDate>\n{guid}\n<link>{escape(it.link)}</link>\n"
            f"{author}{tags}{enclosure}</item>\n"
        )
    return "".join([*out, "</channel>\n</rss>\n"])


def render_atom(feed: Feed, items: list[Item]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-cn">\n',
        f"<title>{escape(feed.name)}</title>\n<link href={quoteattr(feed.home)} />\n",
        f'<link href={quoteattr(feed.self_url)} rel="self" type="application/atom+xml" />\n',
        f"<id>{escape(feed.self_url)}</id>\n<updated>{rfc3339(feed, items[0].when)}</updated>\n",
        "<generator>RSSHub</generator>\n<author><name>RSSHub</name></author>\n",
    ]
    for it in items:
        title_text = it.title.replace("&amp;", "&")  # Atom text titles carry no entities
        entry_id = it.guid if feed.guid_is_link else f"tag:rsshub.app,2025:{it.guid}"  # an IRI
        out.append(
            f"<entry>\n<title>{escape(title_text)}</title>\n<id>{escape(entry_id)}</id>\n"
            f'<link href={quoteattr(it.link)} rel="alternate" />\n'
            f"<published>{rfc3339(feed, it.when)}</published>\n<updated>{rfc3339(feed, it.when)}</updated>\n"
            + (f"<author><name>{escape(it.author)}</name></author>\n" if it.author else "")
            + "".join(f"<category term={quoteattr(tag)} />\n" for tag in it.tags)
            + f'<content type="html">{escape(it.html)}</content>\n</entry>\n'
        )
    return "".join([*out, "</feed>\n"])


def render_json(feed: Feed, items: list[Item]) -> str:
    entries = []
    for it in items:
        entry: dict[str, object] = {
            "id": it.guid, "url": it.link, "title": it.title.replace("&amp;", "&"),
            "content_html": it.html, "date_published": rfc3339(feed, it.when),
        }  # fmt: skip
        if it.author:
            entry["authors"] = [{"name": it.author}]
        if it.tags:
            entry["tags"] = it.tags
        if it.enclosure:
            entry["image"] = it.enclosure
        entries.append(entry)
    doc = {
        "version": "https://jsonfeed.org/version/1.1", "title": feed.name,
        "home_page_url": feed.home, "feed_url": feed.self_url, "language": "zh-cn", "items": entries,
    }  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


RENDER = {"rss": render_rss, "atom": render_atom, "json": render_json}


def write_if_changed(path: Path, data: bytes) -> None:
    """Rewrite a file only when its bytes change, so a server keeps answering 304."""
    if path.is_file() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def opml(feeds: list[Feed], base_url: str) -> str:
    tree: dict[str, dict[str, list[Feed]]] = {}
    for feed in feeds:
        tree.setdefault(feed.group, {}).setdefault(feed.site, []).append(feed)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head><title>rsspress test corpus</title></head>", "  <body>"]  # fmt: skip
    for group, sites in tree.items():
        lines.append(f"    <outline text={quoteattr(group)} title={quoteattr(group)}>")
        for site, members in sites.items():
            lines.append(f"      <outline text={quoteattr(site)} title={quoteattr(site)}>")
            lines += [
                f'        <outline type="{f.fmt}" text={quoteattr(f.name)} title={quoteattr(f.name)} '
                f"xmlUrl={quoteattr(f'{base_url}/{f.path}')} htmlUrl={quoteattr(f.home)} />"
                for f in members
            ]
            lines.append("      </outline>")
        lines.append("    </outline>")
    return "\n".join([*lines, "  </body>", "</opml>", ""])


def make_corpus(
    out: Path, *, feeds: int, items: int, seed: int = 1, base_url: str = BASE_URL
) -> Path:
    """Write the corpus into ``out`` (files whose bytes did not change are left alone)."""
    if feeds < 1 or items < 1 or feeds > 9_999 or items > 99_999:
        raise ValueError("need 1 <= feeds <= 9999 and 1 <= items <= 99999")
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    plan = plan_feeds(feeds, seed)
    digests, sizes = [], []
    images = templated = total_bytes = 0
    for feed in plan:
        feed_items = [make_item(feed, k, seed) for k in range(items)]
        data = RENDER[feed.fmt](feed, feed_items).encode()
        write_if_changed(out / feed.path, data)
        digests.append(hashlib.sha256(data).hexdigest())
        total_bytes += len(data)
        for it in feed_items:
            sizes.append(len(it.html.encode()))
            images += it.images
            templated += it.templated
    config = {"base_url": base_url, "feeds": [
        {"name": f.name, "url": f"{base_url}/{f.path}", "path": f.path, "format": f.fmt,
         "route": "/" + f.route, "category": [f.group, f.site, f.name]} for f in plan]}  # fmt: skip
    write_if_changed(
        out / "config.yaml", yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode()
    )
    write_if_changed(out / "feeds.opml", opml(plan, base_url).encode())
    manifest = {
        "generator": "tests/generate_corpus.py", "version": VERSION, "seed": seed,
        "feeds": feeds, "items_per_feed": items, "items": feeds * items,
        "formats": {fmt: sum(f.fmt == fmt for f in plan) for fmt in RENDER},
        "bytes": total_bytes, "images": images, "templated_items": templated,
        "body_bytes": {"min": min(sizes), "median": int(statistics.median(sizes)), "max": max(sizes)},
        "sha256": hashlib.sha256("".join(digests).encode()).hexdigest(),
    }  # fmt: skip
    write_if_changed(
        out / "manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-url", default=BASE_URL)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    feeds, items = SIZES[args.size]
    make_corpus(
        args.out, feeds=feeds, items=items, seed=args.seed, base_url=args.base_url.rstrip("/")
    )
    print((args.out / "manifest.json").read_text("utf-8"), end="")


if __name__ == "__main__":
    main()
