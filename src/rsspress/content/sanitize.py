"""The sanitizer: an allowlist on nh3 (the ammonia crate), run last on every default body.

It keeps what news needs and drops the rest: scripts and their text, every
``on*`` handler, ``javascript:``/``vbscript:`` URLs, ``data:`` URLs outside
images, ``<style>`` and ``style``, forms, ``meta``, ``base``, ``object``,
``embed``, SVG and MathML. nh3 parses like a browser (html5ever), so obfuscated
markup is judged by what a browser would see, not by how it is spelled.

Frames are kept only from the configured hosts, judged by the URL as a browser
reads it (WHATWG, rsspress.urls.browser_url) and written back in that normal
form, with no ``allow`` (camera, microphone, …). Every image and frame gets
``referrerpolicy="no-referrer"``, whatever the feed asked for.
"""

from __future__ import annotations

import functools
import re

import nh3

from rsspress.urls import browser_url, url_scheme

# Compact word lists are easier to review than one name per line.
TAGS = frozenset(
    "a abbr article aside audio b bdi bdo blockquote br caption center cite code col colgroup"
    " dd del details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i"
    " iframe img ins kbd li mark ol p picture pre q rp rt ruby s samp section small source"
    " span strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul var"
    " video wbr".split()
)
# Removed with everything inside them, not just unwrapped.
# (MathML is unwrapped instead, so a formula's text survives.)
CONTENT_TAGS = frozenset(
    "script style template noscript textarea select title head object embed applet"
    " frameset frame noembed noframes xmp svg".split()
)

_COMMON = {"title", "lang", "dir"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(_COMMON),
    "a": {"href"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "poster", "controls", "width", "height", "preload", "loop", "muted"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    # Not `allow` (it hands the frame camera, microphone, geolocation… under our name), nor
    # allowpaymentrequest/allowusermedia. allowfullscreen stays: players need it, and
    # a frame can only go full screen when the reader clicks in it.
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "pre": {"class"},  # language hints for highlighters
    "code": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})
# Set on every such element, replacing the feed's value: a feed's referrerpolicy="unsafe-url"
# would override the page's no-referrer and tell image hosts which page the reader is on.
FORCED_ATTRIBUTES = {
    "img": {"referrerpolicy": "no-referrer"},
    "iframe": {"referrerpolicy": "no-referrer"},
}
# CSS properties a per-site rule may keep in style attributes: layout-neutral ones.
SAFE_STYLE_PROPERTIES = frozenset(
    "color background-color text-align font-weight font-style text-decoration"
    " vertical-align width height max-width".split()
)
_RASTER_DATA = re.compile(r"data:image/(png|gif|jpe?g|webp|avif|bmp);", re.IGNORECASE)
_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite"})
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


@functools.lru_cache(maxsize=32)
def sanitizer(iframe_hosts: tuple[str, ...], keep_style: bool = False) -> nh3.Cleaner:
    """A reusable cleaner for one set of options (building one costs more than using it)."""
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    if keep_style:
        attributes["*"].add("style")
    hosts = frame_hosts(iframe_hosts)

    def attribute_filter(tag: str, name: str, value: str) -> str | None:
        if name in _URL_ATTRIBUTES:
            # nh3 checks href and src, not cite or poster; browsers ignore
            # controls and spaces inside a scheme, so we do too.
            url = _IGNORED_IN_URLS.sub("", value)
            scheme = url_scheme(url)
            if scheme == "data":
                return value if tag == "img" and name == "src" and _RASTER_DATA.match(url) else None
            if scheme not in ("", "http", "https", "mailto"):
                return None
            if tag == "iframe" and name == "src":
                return frame_source(value, hosts)
        elif name == "srcset":
            return safe_srcset(value)
        return value

    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(CONTENT_TAGS),
        attributes=attributes,
        attribute_filter=attribute_filter,
        set_tag_attribute_values={tag: dict(values) for tag, values in FORCED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties=set(SAFE_STYLE_PROPERTIES) if keep_style else None,
    )


def sanitize(html: str, iframe_hosts: tuple[str, ...], keep_style: bool = False) -> str:
    return sanitizer(iframe_hosts, keep_style).clean(html)


@functools.lru_cache(maxsize=32)
def frame_hosts(iframe_hosts: tuple[str, ...]) -> frozenset[str]:
    """The configured frame hosts in the form a browser's URL holds (lower-case, IDNA)."""
    out = set()
    for host in iframe_hosts:
        parsed = browser_url(f"https://{host}/")
        out.add(parsed.host if parsed is not None else host.lower())
    return frozenset(out)


def frame_source(src: str, hosts: frozenset[str], base: str | None = None) -> str | None:
    """The URL a browser loads for ``<iframe src>``, if it may: else None.

    Judged as a browser reads it (``http://evil\\@www.youtube.com/`` is on ``evil``) and
    returned in its normal form, so that what the reader's browser loads is what was
    judged. Only http(s) on an allowed host, on its default port, without credentials;
    a relative URL only against ``base`` (on a page of ours it would be our own site).
    """
    url = browser_url(src, base)
    if (
        url is None
        or url.scheme not in ("http", "https")
        or url.host not in hosts
        or url.port
        or url.credentials
    ):
        return None
    return url.href


def srcset_urls(value: str) -> list[tuple[str, str]]:
    """The (url, descriptor) candidates of a srcset."""
    out: list[tuple[str, str]] = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            out.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return out


def safe_srcset(value: str) -> str | None:
    """Keep only the http(s) candidates of a srcset; nh3 does not look inside it."""
    kept = [
        f"{url} {descriptor}".strip()
        for url, descriptor in srcset_urls(value)
        if url_scheme(_IGNORED_IN_URLS.sub("", url)) in ("http", "https")
    ]
    return ", ".join(kept) or None
