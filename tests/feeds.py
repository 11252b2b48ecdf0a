"""Small feed documents built in tests."""

from __future__ import annotations

from html import escape


def rss(name: str, items: int, *, prefix: str = "https://example.test/a") -> bytes:
    """An RSSHub-style RSS 2.0 feed of `items` items with unique guids."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title><![CDATA[{name}]]></title><link>https://example.test/</link>"
    ]
    for n in range(items):
        parts.append(
            f"<item><title><![CDATA[{name} 第 {n} 条]]></title>"
            f"<description><![CDATA[<p>{escape(name)} 正文 {n}</p>"
            f'<img src="http://img.example.test/{n}.jpg">]]></description>'
            f"<pubDate>Sun, 28 Nov 2021 0{n % 10}:19:00 GMT</pubDate>"
            f"<guid>{prefix}/{name}/{n}</guid><link>{prefix}/{name}/{n}</link></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")
