"""One host helper: per-host fetch slots and host pauses key a URL by the same host."""

from __future__ import annotations

import pytest

from rsspress.config import FeedConfig
from rsspress.urls import url_host

CASES = [
    ("plain", "https://example.com/feed", "example.com"),
    ("uppercase", "HTTPS://Example.COM/Feed", "example.com"),
    ("port", "http://example.com:8080/feed", "example.com"),
    ("userinfo", "https://user:pass@example.com/feed", "example.com"),
    ("userinfo with port", "https://token@Example.com:443/feed", "example.com"),
    ("query only", "http://example.com?feed=1", "example.com"),
    ("trailing dot kept", "http://example.com./feed", "example.com."),
    ("IPv4", "http://127.0.0.1:8000/feed", "127.0.0.1"),
    ("IPv4 as a browser spells it", "http://0x7f.1/feed", "127.0.0.1"),
    ("IPv6", "http://[::1]:8080/feed", "::1"),
    ("IPv6 upper-case, no port", "http://[2001:DB8::1]/feed", "2001:db8::1"),
    ("IPv6 with userinfo", "http://u:p@[2001:db8::2]:81/", "2001:db8::2"),
    ("IDNA", "https://Bücher.DE/feed", "xn--bcher-kva.de"),
    ("IDNA already", "https://xn--bcher-kva.de/feed", "xn--bcher-kva.de"),
    ("full-width letters", "https://ｅｘａｍｐｌｅ.com/", "example.com"),
    ("percent-encoded", "http://%65xample.com/", "example.com"),
    ("backslash ends the host", "http://example.com\\@evil.test/", "example.com"),
    ("second @ in userinfo", "http://a@b@example.com/", "example.com"),
    ("relative", "/feed.xml", None),
    ("file", "file:///srv/feed.xml", None),
    ("rsshub route", "rsshub:/github/issue/x", None),
    ("not a URL", "http://exa mple.com/", None),
]


@pytest.mark.parametrize(("url", "host"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_url_host(url: str, host: str | None) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize(
    "url", ["http://[::1]:8080/feed", "https://Bücher.DE/feed", "http://U@Example.com:1/"]
)
def test_host_pauses_key_a_feed_by_its_url_host(url: str) -> None:
    """The per-host slot (rsspress.fetch) and the pause (FeedConfig.pause_host) agree."""
    feed = FeedConfig(group="g", site="s", name="f", url=url)
    assert feed.pause_host == url_host(url) is not None
