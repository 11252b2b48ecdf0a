"""Turn an item's HTML into a post body (:mod:`~rsspress.content.prepare`), with its images
(:mod:`~rsspress.content.images`), sanitizer, cleanup rules, filters, titles and full text.
Pure: no I/O."""

from __future__ import annotations

from rsspress.content.images import (
    LAZY_IMAGE_ATTRS,
    cover_worthy,
    placeholder,
    placeholder_number,
    proxied,
)
from rsspress.content.prepare import PreparedBody, escape_braces, prepare_body, summary_of

__all__ = [
    "LAZY_IMAGE_ATTRS",
    "PreparedBody",
    "cover_worthy",
    "escape_braces",
    "placeholder",
    "placeholder_number",
    "prepare_body",
    "proxied",
    "summary_of",
]
