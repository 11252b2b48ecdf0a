"""URL helpers shared by the stages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus, urljoin

import ada_url

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


# A host spelled so that every reader of URLs (WHATWG, yarl, urlsplit) finds the same one:
# ASCII letters, digits, hyphens and dots after an http(s) scheme and a plain userinfo,
# up to the port (digits) or the path. Anything else goes to the WHATWG parser.
_PLAIN_HOST = re.compile(
    r"(?:[hH][tT][tT][pP][sS]?)://(?:[^@/?#\\\s]*@)?([A-Za-z0-9.\-]+)(?=(?::[0-9]*)?(?:[/?#\\]|\Z))"
)


def url_host(url: str) -> str | None:
    """The host of an absolute URL as the connection sees it; None when it has none.

    The one way to key things by host (per-host fetch slots, host pauses, cleanup
    rules): lower-cased, IDNA-mapped (``xn--``) and percent-decoded as a browser's
    (WHATWG) parser does, IPv4 in its dotted form, IPv6 without its brackets
    (``::1``, as a socket address), no userinfo, no port. None for a relative URL,
    one a browser finds no URL in, and one without a host (``file:///``, ``rsshub:/``).
    """
    match = _PLAIN_HOST.match(url)
    if match is not None:
        host = match.group(1).lower()
        # The common case, without a parser's cost. A last label that starts with a
        # digit may be a number (WHATWG reads the host as IPv4), an xn-- label is checked
        # by IDNA: those are left to the parser.
        if host.removesuffix(".").rpartition(".")[2][:1].isalpha() and "xn--" not in host:
            return host
    parts = browser_url(url)
    if parts is None or not parts.host:
        return None
    return parts.host.removeprefix("[").removesuffix("]").lower()


def host_port(listen: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:port`` too) as a host and a port; an empty host is 127.0.0.1.

    Raises ValueError when there is no numeric port.
    """
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"host:port wanted, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


# Secrets in URLs, kept out of everything rsspress prints or publishes.
#
# A query (or fragment) parameter is secret when its name, percent-decoded, lower-cased,
# cut at "[" (PHP's key[]=) and without "-", "_", "." and spaces, is one of SECRET_PARAMS
# or ends with one of SECRET_PARAM_ENDINGS: RSSHub's access key (?key=), API and app keys
# and tokens (?apikey=, ?appKey=, ?x-api-key=, ?access_token=), PostgreSQL's ?password=
# and ?sslpassword=, signatures of signed URLs (?sig=, ?X-Amz-Signature=). Masking a
# harmless parameter costs little (a printed URL shows ***); missing a secret publishes it.
# Not ?code=: RSSHub's is md5(route + key), good for that one route only, and on many
# feeds it is a stock or city code that the URL needs.
SECRET_PARAMS = frozenset({"auth", "authorization", "sig", "pass", "pwd", "jwt", "sessionid"})
SECRET_PARAM_ENDINGS = (
    "key", "token", "secret", "password", "passwd", "signature", "credential", "credentials",
)  # fmt: skip
REDACTED = "***"

# Schemes whose authority a browser (WHATWG) finds after any run of "/" and "\\", even none.
# (file: is special too, but its host follows exactly "//", and it has no userinfo.)
_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
_LEADING_SCHEME = re.compile(r"[\x00-\x20]*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SLASHES = re.compile(r"[/\\\t\n\r]*")
_AUTHORITY_END = re.compile(r"[/?#]")
_PARAM_SEPARATOR = re.compile(r"([&;])")
_NAME_NOISE = str.maketrans("", "", "-_. ")
# A URL inside a message: a scheme (not preceded by a scheme character, so that each run
# of letters is tried once: linear) up to a space. Not up to a quote: "'" is valid in a
# password, and what trails a URL (yarl's "')") comes out unchanged.
_URL_IN_TEXT = re.compile(r"(?<![a-zA-Z0-9+.\-])[a-zA-Z][a-zA-Z0-9+.\-]*:\S+")


def redact_url(url: str) -> str:
    """``url`` fit to print or publish: its password and secret parameters as ``***``.

    ``user:password@`` becomes ``user:***@``; a user alone (a token, as in
    ``https://TOKEN@host``) becomes ``***@``. The userinfo is found the way both
    a browser and yarl/urlsplit would find it (everything before the last ``@``
    of the widest authority either reads), so no reading of the URL keeps a
    secret. Everything else is left byte for byte.
    """
    return _redact(url, REDACTED)


def without_secrets(url: str) -> str:
    """``url`` with its userinfo and secret parameters removed: a base for published links.

    Links resolved against a feed's URL must not carry the feed's credentials
    into posts, and a ``***`` in them would make broken links.
    """
    return _redact(url, None)


def url_secrets(url: str) -> list[str]:
    """The secrets :func:`redact_url` masks in ``url``, as written and percent-decoded.

    For messages that quote a piece of a URL rather than the URL (libpq's
    ``invalid percent-encoded token: "..."``), longest first.
    """
    found: list[str] = []
    _redact(url, REDACTED, found)
    spellings = {
        spelling
        for secret in found
        for spelling in (secret, unquote(secret), unquote_plus(secret))
        if spelling
    }
    return sorted(spellings, key=len, reverse=True)


def redact_text(text: str) -> str:
    """``text`` (an error message) with every URL in it redacted as by :func:`redact_url`."""
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text)


def _redact(url: str, mask: str | None, found: list[str] | None = None) -> str:
    start = _authority_start(url)
    if start is not None:
        end_match = _AUTHORITY_END.search(url, start)
        end = end_match.start() if end_match else len(url)
        at = url.rfind("@", start, end)
        if at >= 0:
            user, colon, password = url[start:at].partition(":")
            if found is not None:
                found.append(password if colon else user)
            if mask is None:
                url = url[:start] + url[at + 1 :]
            else:
                userinfo = f"{user}:{mask}" if colon else mask
                url = f"{url[:start]}{userinfo}{url[at:]}"
    hash_at = url.find("#")
    fragment = "" if hash_at < 0 else url[hash_at + 1 :]
    head = url if hash_at < 0 else url[:hash_at]
    query_at = head.find("?")
    if query_at >= 0:
        head = head[: query_at + 1] + _redact_params(head[query_at + 1 :], mask, found)
        if mask is None and head.endswith("?"):
            head = head[:-1]
    if hash_at < 0:
        return head
    fragment = _redact_params(fragment, mask, found) if "=" in fragment else fragment
    return f"{head}#{fragment}" if fragment or mask is not None else head


def _authority_start(url: str) -> int | None:
    """Where the authority of ``url`` begins; None when it has none."""
    match = _LEADING_SCHEME.match(url)
    if match is None:
        return 2 if url.startswith("//") else None
    after = match.end()
    if match.group(1).lower() in _SPECIAL_SCHEMES:
        slashes = _SLASHES.match(url, after)
        return slashes.end() if slashes else after
    return after + 2 if url.startswith("//", after) else None


def _redact_params(params: str, mask: str | None, found: list[str] | None = None) -> str:
    """``a=1&key=S;b=2`` with the secret values masked (or the pairs dropped)."""
    pieces = _PARAM_SEPARATOR.split(params)  # pair, separator, pair, ...
    out: list[str] = []
    for index in range(0, len(pieces), 2):
        pair = pieces[index]
        name, equals, value = pair.partition("=")
        if equals and _is_secret_name(name):
            if found is not None:
                found.append(value)
            if mask is None:
                continue  # with the separator before it
            if value:
                pair = f"{name}={mask}"
        if index:
            out.append(pieces[index - 1])
        out.append(pair)
    kept = "".join(out)
    return kept if mask is not None else kept.lstrip("&;")


def _is_secret_name(name: str) -> bool:
    plain = unquote_plus(name).partition("[")[0].lower().translate(_NAME_NOISE)
    return plain in SECRET_PARAMS or plain.endswith(SECRET_PARAM_ENDINGS)


# -- URLs as a browser reads them -----------------------------------------------------


@dataclass(frozen=True)
class BrowserURL:
    """A URL as a browser reads it (WHATWG): what it loads, however it was spelled."""

    href: str  # serialised: every WHATWG parser reads this back as the same URL
    scheme: str  # lower-case, without the colon
    host: str  # percent-decoded, IDNA-mapped (xn--…), lower-case; "" when it has none
    port: str  # "" for the scheme's default port
    credentials: bool  # it has a user name or a password


def browser_url(url: str, base: str | None = None) -> BrowserURL | None:
    """``url`` read the way a browser reads a URL in an attribute, against ``base``.

    WHATWG's parser (ada-url), not urlsplit: a browser reads ``\\`` as ``/`` in
    http(s) URLs (``http://evil\\@www.youtube.com/`` is on ``evil``), drops tabs
    and newlines anywhere, decodes ``%2E`` and maps full-width letters in hosts.
    None when a browser finds no URL there (it loads nothing).
    """
    try:
        # An absolute URL parses the same whatever the base; only a relative one needs
        # it (and a base that is itself no URL must not spoil an absolute one).
        parts = ada_url.parse_url(url)
    except ValueError:
        if not base:
            return None
        try:
            parts = ada_url.parse_url(ada_url.join_url(base, url))
        except ValueError:
            return None
    return BrowserURL(
        href=parts["href"],
        scheme=parts["protocol"].removesuffix(":"),
        host=parts["hostname"],
        port=parts["port"],
        credentials=bool(parts["username"] or parts["password"]),
    )


def web_link(url: str | None) -> str | None:
    """``url`` when it is a web link (http or https) to publish as a link; else None.

    The scheme must open the text (no leading space or control): ``javascript:``,
    ``data:`` and the rest never become a link, however a reader's template uses it.
    """
    return url if url and url_scheme(url) in ("http", "https") else None
