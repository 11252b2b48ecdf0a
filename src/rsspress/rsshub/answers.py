"""What an RSSHub instance's answer means. Pure: bytes and statuses in, verdicts out.

RSSHub answers a route that fails (its site changed, timed out, blocked it) with
**503 and an HTML page** naming the error, usually without ``Retry-After``; a route
it does not know with 404; a missing or wrong access code with 403 (``RejectError``);
a route already being fetched with 503 ``RequestInProgressError``. Installed as a
package it answers JSON ``{"error": {"message": …}}`` instead (lib/errors/index.tsx,
lib/views/error.tsx; the older lib/views/error.art put it in ``<pre class="message">``).

Only some failures are the instance's: it is down (no connection), it asks everyone
to wait (429, or 503 *with* ``Retry-After``), or it refuses our access code. The rest
are one route's, and the instance's other routes are none the worse for them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rsspress.fetch import ERROR_PAGE_BYTES, FetchError, FetchErrorKind

MESSAGE_CHARS = 400  # an instance's message is cut here (it is a stranger's text)

# Failures that say the instance is down, whatever the route.
INSTANCE_DOWN_KINDS = frozenset({"dns", "refused", "connect", "reset", "timeout", "tls"})
# A gateway that cannot reach the RSSHub behind it (Cloudflare's 521-523 too): down.
GATEWAY_DOWN_STATUSES = frozenset({502, 521, 522, 523})

# Scopes of a failure: what rests, and for how long.
PAUSE = "pause"  # the instance asked everyone to wait: no request to it before then
INSTANCE = "instance"  # the instance is down or refuses us: it rests, for every route
ROUTE = "route"  # this route failed there: that instance rests for this route only


@dataclass(frozen=True)
class Failure:
    """A failed attempt on one instance: what a user reads, and what rests."""

    scope: str  # PAUSE | INSTANCE | ROUTE
    error: FetchError  # kind: route | no_route | access | busy | not_feed | a network kind


def error_page_message(content_type: str | None, body: bytes) -> str | None:
    """The message on RSSHub's error page (HTML or JSON); None when it is not RSSHub's."""
    head = body[:ERROR_PAGE_BYTES]
    text = head.decode("utf-8", "replace")
    if "json" in (content_type or "").lower() or text.lstrip().startswith("{"):
        return _json_message(text)
    if "Looks like something went wrong" not in text and "RSSHub" not in text:
        return None  # some other server's page (a proxy's, a CDN's): nothing to quote
    from selectolax.lexbor import LexborHTMLParser

    page = LexborHTMLParser(text)
    # Hono's page: "Error Message:" then <code>; the older art template: <pre class="message">
    node = page.css_first("p.message code") or page.css_first("pre.message")
    if node is None:
        return None
    return plain(node.text(separator=" "))


def _json_message(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return plain(message) if isinstance(message, str) else None


_SPACES = re.compile(r"\s+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TAGS = re.compile(r"<[^<>]{0,200}>")  # RSSHub's messages may hold a link: its text is kept


def plain(text: str) -> str | None:
    """A stranger's message fit for `status` and a terminal: one line, no tags, no controls."""
    text = _SPACES.sub(" ", _CONTROLS.sub(" ", _TAGS.sub("", text[: 4 * MESSAGE_CHARS]))).strip()
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    return text or None


# The first tag of a document, after any declaration, processing instruction or comment.
_FIRST_TAG = re.compile(
    rb"\A(?:\s|<\?[^>]{0,1000}\?>|<!--.{0,4000}?-->|<!DOCTYPE[^>]{0,1000}>)*<([A-Za-z_][\w.:-]{0,100})",
    re.DOTALL | re.IGNORECASE,
)
_FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf"})
_TITLE = re.compile(rb"<title[^>]{0,200}>([^<]{0,400})", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_feed(body: bytes) -> bool:
    """Whether a 200 answer is a feed (RSS, Atom, RDF, JSON), not a login or challenge page.

    Judged on the first bytes only: the parser judges the rest.
    """
    head = body[:8192]
    for bom in _BOMS:
        if head.startswith(bom):
            if bom != _BOMS[0]:
                return True  # UTF-16: let the parser judge it
            head = head[len(bom) :]
    stripped = head.lstrip()
    if stripped.startswith((b"{", b"[")):
        return True  # JSON Feed
    match = _FIRST_TAG.match(head)
    if match is None:
        return False
    root = match.group(1).lower().rpartition(b":")[2]
    return root in _FEED_ROOTS


def page_title(body: bytes) -> str | None:
    """An HTML page's title, to name what came instead of a feed ("Just a moment...")."""
    match = _TITLE.search(body[:16384])
    return plain(match.group(1).decode("utf-8", "replace")) if match else None


def judge(error: FetchError, has_key: bool) -> Failure:
    """What a failed attempt means for the instance, in words a user can act on."""
    status, detail = error.status, error.detail
    said = f": {detail}" if detail else ""
    if error.kind != "http" or status is None:
        scope = INSTANCE if error.kind in INSTANCE_DOWN_KINDS else ROUTE
        return Failure(scope, error)
    if status == 429 or (status == 503 and error.retry_after is not None):
        return Failure(PAUSE, _as(error, "busy", f"HTTP {status}: the instance asks us to wait"))
    if status == 403:
        if has_key:
            words = (
                "HTTP 403: the instance refused our access code: rsshub.key is not its "
                "ACCESS_KEY (a config problem: fix rsshub.key or RSSPRESS_RSSHUB_KEY)"
            )
        else:
            words = (
                "HTTP 403: the instance wants an access key: set rsshub.key "
                "(or RSSPRESS_RSSHUB_KEY) to its ACCESS_KEY"
            )
        return Failure(INSTANCE, _as(error, "access", words + said))
    if status == 404:
        return Failure(ROUTE, _as(error, "no_route", f"HTTP 404: RSSHub has no such route{said}"))
    if status in GATEWAY_DOWN_STATUSES:
        return Failure(INSTANCE, _as(error, "http", f"HTTP {status}: RSSHub is unreachable{said}"))
    if detail:
        return Failure(ROUTE, _as(error, "route", f"HTTP {status}: RSSHub: {detail}"))
    return Failure(ROUTE, error)


def not_a_feed(error_message: str, body: bytes) -> Failure:
    """A 200 that is not a feed: a challenge, login or parking page on this instance."""
    title = page_title(body)
    words = f"{error_message} ({title!r})" if title else error_message
    return Failure(ROUTE, FetchError("not_feed", words))


def _as(error: FetchError, kind: FetchErrorKind, message: str) -> FetchError:
    return FetchError(kind, message, error.status, error.retry_after, error.detail)


NO_ROUTE_STRIKES = 2  # 404s in a row from every instance that make a route dead


def route_death(kind: str, kind_before: str | None, failures_before: int) -> str | None:
    """Why a route is dead: RSSHub said "no such route" on this fetch and the one before.

    One 404 may be an instance being redeployed; the second, after a backoff, is the
    route (a typo, or a route RSSHub removed).
    """
    if kind == "no_route" and kind_before == "no_route" and failures_before >= NO_ROUTE_STRIKES - 1:
        return (
            f"RSSHub has no such route (HTTP 404, {NO_ROUTE_STRIKES} times in a row): "
            "check the route, then `rsspress run --force`"
        )
    return None
