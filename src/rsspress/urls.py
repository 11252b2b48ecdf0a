"""URL helpers shared by the stages."""

from __future__ import annotations

import re
from urllib.parse import urljoin

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(url: str) -> str:
    """The scheme of a URL, lower-cased; '' for a relative one (urlsplit's answer, faster)."""
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def absolute(url: str, base: str | None) -> str:
    """``url`` resolved against ``base``; absolute URLs are returned untouched."""
    if base and not url_scheme(url):
        return urljoin(base, url)
    return url


# The host of an absolute URL: urlsplit's hostname for the common case, without its cost.
_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?([^:/?#\[\]]+)")


def url_host(url: str) -> str | None:
    """The lower-cased host of an absolute URL; None for a relative one or an IPv6 literal."""
    match = _HOST.match(url)
    return match.group(1).lower() if match else None


def host_port(listen: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:port`` too) as a host and a port; an empty host is 127.0.0.1.

    Raises ValueError when there is no numeric port.
    """
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"host:port wanted, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)
