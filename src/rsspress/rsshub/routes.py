"""RSSHub routes as URLs: an instance, a route, RSSHub's parameters and the access code. Pure.

An instance with ``ACCESS_KEY`` accepts ``?key=KEY`` or ``?code=md5(path + KEY)``, where
``path`` is the request's path as RSSHub's router (Hono) reads it: without the query,
percent-escapes decoded as JavaScript's ``decodeURI`` decodes them, ``%25`` kept
(RSSHub's lib/middleware/access-control.ts, Hono's ``getPath``). rsspress sends the
code, which is good for that one route only, and never the key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import yarl

# RSSHub's own query parameters (docs: guide/parameters; lib/middleware/parameter.ts and
# template.tsx), in the order rsspress writes them: a route's URL is the same whatever
# order the config gives them in, so its validators and its identity stay.
PARAM_ORDER = (
    "mode", "format", "limit", "sorted", "opencc", "brief",
    "filter", "filter_title", "filter_description", "filter_author", "filter_category",
    "filter_case_sensitive", "filter_time",
    "filterout", "filterout_title", "filterout_description", "filterout_author",
    "filterout_category",
)  # fmt: skip

CODE_PARAM = "code"
PAUSE_KEY_PREFIX = "rsshub:"  # several instances: a pause of them all holds the feed back


@dataclass(frozen=True)
class Instance:
    """An RSSHub instance as configured: its base URL and, if it has one, its access key."""

    base: str  # http(s)://[user:password@]host[:port][/prefix], without a trailing /
    key: str | None = field(default=None, repr=False)  # only md5(path + key) leaves rsspress

    @property
    def id(self) -> str:
        """How the state and pauses name it: host[:port][/prefix], no scheme or credentials."""
        return instance_id(self.base)

    @property
    def label(self) -> str:
        """How messages and `status` name it: its URL without credentials."""
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{self.id}"


@dataclass(frozen=True)
class Route:
    """An ``rsshub:/route`` feed: its route, RSSHub's parameters for it, and the instances."""

    path: str  # as written: /weibo/keyword/苹果 (percent-escapes and all)
    query: str  # the route's own query as written ('' for none), e.g. "type=1"
    params: tuple[tuple[str, str], ...]  # RSSHub's parameters, in PARAM_ORDER
    instances: tuple[Instance, ...]

    @property
    def target(self) -> str:
        """What follows an instance's base URL: the route, its query and the parameters."""
        query = "&".join(
            part for part in (self.query, render_params(self.params)) if part
        )  # fmt: skip
        return self.path + (f"?{query}" if query else "")

    def url_on(self, instance: Instance) -> str:
        """The route's URL on an instance, without the access code: for the state and messages."""
        return instance.base + self.target

    def request_url(self, instance: Instance) -> str:
        """What is sent to the instance: its URL with ``code`` when the instance has a key."""
        url = self.url_on(instance)
        if instance.key is None:
            return url
        code = access_code(self.path, instance.key)
        return f"{url}{'&' if '?' in url else '?'}{CODE_PARAM}={code}"

    @property
    def url(self) -> str:
        """The feed's URL: the route on the first instance (what links resolve against)."""
        return self.url_on(self.instances[0])

    @property
    def written(self) -> str:
        """The route as a config writes it: ``rsshub:/path?query`` (parameters apart)."""
        return f"rsshub:{self.path}" + (f"?{self.query}" if self.query else "")

    @property
    def pause_key(self) -> str:
        """What a host pause holds this feed back by (the ``host`` of its row in the state).

        One instance: that instance. Several: all of them, paused only once every one of
        them asked to wait (a 429 on one leaves the others serving).
        """
        if len(self.instances) == 1:
            return self.instances[0].id
        return PAUSE_KEY_PREFIX + ",".join(instance.id for instance in self.instances)


def render_params(params: tuple[tuple[str, str], ...]) -> str:
    """``name=value&…``, each value percent-encoded whole (Hono reads ``+`` as a space)."""
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in params)


def instance_id(base: str) -> str:
    """``host[:port][/prefix]`` of an instance URL, lower-cased host, no default port."""
    parts = urlsplit(base)
    host = parts.netloc.rpartition("@")[2].lower()
    default = {"http": ":80", "https": ":443"}.get(parts.scheme.lower())
    if default and host.endswith(default):
        host = host[: -len(default)]
    return host + parts.path.rstrip("/")


def access_code(path: str, key: str) -> str:
    """RSSHub's per-route access code: md5 of the path its router sees, then the key."""
    return hashlib.md5((router_path(path) + key).encode("utf-8")).hexdigest()


def router_path(path: str) -> str:
    """The path of a route as RSSHub's router reads it once aiohttp has sent it.

    aiohttp (yarl) percent-encodes what needs it and resolves ``.`` and ``..``
    segments; Hono then decodes the escapes as ``decodeURI`` does, keeping ``%25``.
    """
    sent = yarl.URL("http://rsshub.invalid" + path).raw_path
    if "%" not in sent:
        return sent
    if "%25" in sent:
        sent = sent.replace("%25", "%2525")  # Hono's: a literal % stays escaped
    try:
        return decode_uri(sent)
    except ValueError:
        # Hono's tryDecode: each run of escapes decoded alone, or kept when malformed.
        return _ESCAPE_RUN.sub(lambda match: _decode_or_keep(match.group()), sent)


_ESCAPE_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# decodeURI leaves the escapes of these as written: they mean something in a URI.
_URI_RESERVED = frozenset(";/?:@&=+$,#")


def _decode_or_keep(run: str) -> str:
    try:
        return decode_uri(run)
    except ValueError:
        return run


def decode_uri(text: str) -> str:
    """JavaScript's ``decodeURI``; ValueError where it throws URIError (a malformed escape)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            out.append(char)
            index += 1
            continue
        first = _escape_at(text, index)
        if first < 0x80:
            decoded = chr(first)
            out.append(text[index : index + 3] if decoded in _URI_RESERVED else decoded)
            index += 3
            continue
        length = 2 if first >> 5 == 0b110 else 3 if first >> 4 == 0b1110 else 4
        if first >> 3 > 0b11110 or first >> 6 == 0b10:
            raise ValueError("malformed escape")
        data = bytes(_escape_at(text, index + 3 * n) for n in range(length))
        try:
            out.append(data.decode("utf-8"))  # strict: no overlong forms, no surrogates
        except UnicodeDecodeError:
            raise ValueError("malformed escape") from None
        index += 3 * length
    return "".join(out)


def _escape_at(text: str, index: int) -> int:
    match = _ESCAPE.match(text, index)
    if match is None:
        raise ValueError("malformed escape")
    return int(match.group(1), 16)


def instance_independent(url: str | None, instances: tuple[Instance, ...]) -> str | None:
    """A link or guid on an RSSHub instance as ``rsshub:/…``, so that it names the same
    item whichever instance served the feed; any other URL is returned as it is.

    Item keys are guid first, then link: an item that links to the instance (a route
    without a link of its own) must keep its key when another instance serves it.
    """
    if not url or "://" not in url[:12]:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # a stranger's URL, e.g. an unclosed [ in the host
        return url
    if parts.scheme.lower() not in ("http", "https"):
        return url
    where = instance_id(f"{parts.scheme}://{parts.netloc}") + parts.path
    for instance in instances:
        prefix = instance.id
        if where == prefix or where.startswith(prefix + "/"):
            rest = where[len(prefix) :] or "/"
            query = f"?{parts.query}" if parts.query else ""
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return f"rsshub:{rest}{query}{fragment}"
    return url
