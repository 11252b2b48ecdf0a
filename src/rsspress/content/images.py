"""Images in item bodies: the URL a reader's browser loads (through the image proxy),
which image is worth a cover, and the placeholder cover of an item without one. Pure."""

from __future__ import annotations

import re

from rsspress.config import ImagesConfig
from rsspress.signing import signed_url
from rsspress.urls import absolute, url_scheme

# Attributes that lazy-loading scripts read the real image URL from.
LAZY_IMAGE_ATTRS = (
    "data-original",
    "data-src",
    "data-actualsrc",
    "data-lazy-src",
    "data-lazyload",
    "data-echo",
)


def proxied(url: str, images: ImagesConfig) -> str:
    """The URL a reader's browser should load for image ``url``."""
    if images.proxy is None or images.rewrite == "none":
        return url
    scheme = url_scheme(url)
    if scheme == "http" or (images.rewrite == "all" and scheme == "https"):
        if images.proxy == "self":  # our own proxy: a signed URL
            assert images.proxy_base is not None and images.proxy_key is not None
            return signed_url(images.proxy_base, url, images.proxy_key)
        return images.proxy.replace("{url}", url)
    return url


def placeholder(images: ImagesConfig, n: int) -> str:
    return images.placeholder.replace("{n}", str(n))


def placeholder_number(post: str) -> int:
    """The number put into the placeholder cover URL: stable per item."""
    return int(post[:8], 16) % 10000


_NOT_A_PICTURE = re.compile(
    r"emoji|emoticon|smil(e|ey|ies)|/icons?/|favicon|\.ico\b|\.svg\b|avatar|spacer|blank\.gif"
    r"|pixel|beacon|track|/stat|loading|placeholder|1x1",
    re.IGNORECASE,
)


def cover_worthy(url: str, attrs: dict[str, str | None]) -> bool:
    """Is this image a picture worth showing as a cover, not a pixel, an emoji or an icon?"""
    if url_scheme(url) not in ("http", "https") or _NOT_A_PICTURE.search(url):
        return False
    for size in (attrs.get("width"), attrs.get("height")):
        digits = (size or "").strip().removesuffix("px")
        if digits.isdigit() and int(digits) <= 2:
            return False
    kind = f"{attrs.get('class') or ''} {attrs.get('alt') or ''}".lower()
    return not any(word in kind for word in ("emoji", "icon", "avatar", "smiley"))


def real_image_url(
    attrs: dict[str, str | None], base_url: str | None, lazy_attrs: tuple[str, ...] = ()
) -> str | None:
    """The URL the image really shows: a lazy attribute wins over a placeholder src."""
    for name in (*lazy_attrs, *LAZY_IMAGE_ATTRS, "src"):
        value = (attrs.get(name) or "").strip()
        if not value or value.lower().startswith("data:"):
            continue
        url = absolute(value, base_url)
        if url_scheme(url) in ("http", "https"):
            return url
    return None
