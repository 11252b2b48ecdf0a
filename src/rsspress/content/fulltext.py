"""Full text: the article out of its web page, for feeds that carry only a summary.

trafilatura finds the main content (it is maintained and handles Chinese news
pages well); a per-site CSS selector, where a rule gives one, takes precedence.
Pure: the page is fetched elsewhere (rsspress.update.fetch, under the feed limits).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from rsspress.content.budget import parse_body

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
# Shorter than this, what the extractor guessed is a teaser or a login wall.
MIN_ARTICLE_CHARS = 80


def decode_page(body: bytes, charset: str | None) -> str:
    """A page's text: its HTTP charset, its <meta charset>, UTF-8, then GB18030."""
    meta = _META_CHARSET.search(body[:4096])
    candidates = [charset, meta.group(1).decode("ascii") if meta else None, "utf-8", "gb18030"]
    for candidate in dict.fromkeys(c for c in candidates if c):
        try:
            return body.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace")


def extract_article(body: bytes, charset: str | None, url: str, selector: str | None) -> str:
    """The article's HTML; raises ValueError (with the reason) when there is none."""
    page = decode_page(body, charset)
    if selector:
        tree = parse_body(page)  # a page, like a body, is a stranger's: parsed within budget
        html = "".join(node.html or "" for node in tree.css(selector))
        if not html:
            raise ValueError(f"the page has nothing at {selector!r}")
    else:
        import trafilatura  # 80 ms to import: only runs that extract pages pay for it

        html = (
            trafilatura.extract(
                page,
                url=url,
                output_format="html",
                include_images=True,
                include_links=True,
                include_tables=True,
                favor_precision=True,
            )
            or ""
        )
    article = LexborHTMLParser("<body>" + html).body
    text = article.text(strip=True) if article is not None else ""
    # A site's selector is trusted to point at the article; a guess must look like one.
    if not text or (not selector and len(text) < MIN_ARTICLE_CHARS):
        raise ValueError("no article found on the page")
    return html
