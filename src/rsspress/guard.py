"""Which addresses a URL written by a stranger may reach: the image proxy and full text.

Signing alone does not stop SSRF (Miniflux GHSA-xwh2-742g-w3wp: the attacker
writes the feed whose URLs get signed), so every address is judged, three times:

1. The URL is parsed the way a browser parses it (WHATWG, by ada-url): IDNA
   maps ``１２７.０.０.１``, ``127。0。0。1`` or ``①②⑦.0.0.1`` to the IP literal
   they are, and that literal is judged. The normalised URL is what is sent,
   so no second parser (yarl) can read another host out of it.
2. Every name goes through the resolver the connection uses, which drops
   forbidden addresses (no DNS cache: no rebinding window).
3. The socket is judged by the address it connects to, before the SYN and
   again by its peer address after connect, whatever path led there.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import ada_url
import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from rsspress.urls import browser_url

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))

# Special-purpose ranges (IANA's registries) that Python's is_global lets through or
# that deserve a name: site-local fec0::/10, 6to4 relays, SRv6 SIDs, the new
# documentation prefix, IETF protocol assignments, benchmarking, multicast.
_SPECIAL: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why)
    for net, why in (
        ("0.0.0.0/8", "a 'this network' address"),
        ("100.64.0.0/10", "a carrier-grade NAT address"),
        ("192.0.0.0/24", "an IETF protocol address"),
        ("192.88.99.0/24", "a 6to4 relay address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),
        ("100::/64", "a discard-only address"),
        ("2001::/23", "an IETF protocol address"),
        ("2001:db8::/32", "a documentation address"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a segment-routing address"),
        ("fc00::/7", "a unique-local (private) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack ...
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}
# A host name as DNS knows it, once IDNA has made it ASCII: letters, digits, hyphens
# (underscores occur in real subdomains), and a last label that is not all digits.
_LABEL = r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)*(?:[a-z_](?:[a-z0-9_-]{{0,61}}[a-z0-9])?|xn--[a-z0-9-]+)\.?")


class ForbiddenAddress(OSError):  # an OSError, so that aiohttp reports it as a connect error
    """The URL, or the address it leads to, is one a stranger's URL must not reach."""


class RedirectError(Exception):
    """A redirect without a Location, or more of them than allowed."""


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, translated, 6to4, NAT64, Teredo)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if (
        ip in _IPV4_TRANSLATED
        or any(ip in net for net in _NAT64)
        or (ip in _IPV4_COMPATIBLE and int(ip) > 1)
    ):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def forbidden_reason(ip: IPAddress, allowed: Iterable[Network] = ()) -> str | None:
    """Why a stranger's URL must not reach ``ip``; None when it may."""
    allowed = tuple(allowed)
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    if ip in _METADATA:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            reason = forbidden_reason(inner, allowed)
            return f"an IPv6 address carrying {inner}, {reason}" if reason else None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    for net, why in _SPECIAL:
        if ip.version == net.version and ip in net:
            return why
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or ip.is_multicast or not ip.is_global:
        return "a reserved address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host denotes by itself, in any spelling a resolver accepts.

    inet_aton reads 127.1, 2130706433, 0x7f.1 and 0177.0.0.1 as 127.0.0.1, as
    getaddrinfo would; such hosts never reach the resolver in some clients.
    """
    host = host.strip("[]").rstrip(".")  # "127.0.0.1." is 127.0.0.1 to a resolver
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


# In every refusal's message, so that one still reads as a refusal after aiohappyeyeballs
# folds the errors of several addresses into one plain OSError.
GUARD_MARK = "(address guard)"


def check_address(ip: IPAddress, allowed: Iterable[Network] = ()) -> None:
    reason = forbidden_reason(ip, allowed)
    if reason:
        raise ForbiddenAddress(f"{ip} is {reason} {GUARD_MARK}")


def public_url(url: str, allowed: Iterable[Network] = ()) -> str:
    """``url`` as a browser normalises it, if a stranger may make us fetch it.

    Raises ForbiddenAddress saying why not: not http(s), credentials, no host, a
    host that is not a domain name once IDNA has run, or a forbidden IP literal.
    """
    parts = browser_url(url.strip())
    if parts is None:
        raise ForbiddenAddress("not a valid URL")
    if parts.scheme not in ("http", "https"):
        raise ForbiddenAddress(f"only http and https URLs, not {parts.scheme!r}")
    if parts.credentials:
        raise ForbiddenAddress("URLs with credentials are not fetched")
    if not parts.host:
        raise ForbiddenAddress("a URL without a host")
    ip = literal_address(parts.host)
    if ip is not None:
        check_address(ip, allowed)
    elif not _DOMAIN.fullmatch(parts.host):
        raise ForbiddenAddress("the host is not a domain name")
    return parts.href


def join_url(base: str, location: str) -> str:
    """A redirect's Location, resolved as a browser resolves it."""
    try:
        return str(ada_url.join_url(base, location))
    except ValueError:
        raise ForbiddenAddress("the redirect is not a valid URL") from None


def _sockaddr_ip(sockaddr: Any) -> IPAddress:
    return ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])


class GuardedResolver(AbstractResolver):
    """Resolves names and drops every forbidden address before aiohttp connects."""

    def __init__(self, allowed: Iterable[Network] = (), resolver: AbstractResolver | None = None):
        self.allowed = tuple(allowed)
        self.resolver = resolver or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.resolver.resolve(host, port, family)
        safe = [r for r in results if forbidden_reason(_sockaddr_ip((r["host"],)), self.allowed)
                is None]  # fmt: skip
        if not safe:
            # The addresses stay out of the message: a refusal must not tell what a name means.
            raise ForbiddenAddress(f"{host} resolves to no public address")
        return safe

    async def close(self) -> None:
        await self.resolver.close()


class GuardedConnector(aiohttp.TCPConnector):
    """A connector whose every socket is judged by where it goes and where it went.

    The address is checked when the socket is made (before any packet is sent,
    IP literals included, which never meet the resolver) and the peer once the
    connection stands, so no path around the resolver reaches a forbidden host.
    """

    def __init__(self, allowed: Iterable[Network] = (), **kwargs: Any) -> None:
        self.allowed = tuple(allowed)
        super().__init__(
            resolver=GuardedResolver(self.allowed),
            use_dns_cache=False,
            socket_factory=self._socket,
            **kwargs,
        )

    def _socket(self, addr_info: Any) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        check_address(_sockaddr_ip(sockaddr), self.allowed)
        sock = socket.socket(family=family, type=kind, proto=proto)
        sock.setblocking(False)
        return sock

    async def _wrap_create_connection(self, *args: Any, **kwargs: Any) -> Any:
        transport, protocol = await super()._wrap_create_connection(*args, **kwargs)
        peer = transport.get_extra_info("peername")
        reason = forbidden_reason(_sockaddr_ip(peer), self.allowed) if peer else "no peer"
        if reason:
            transport.close()
            raise aiohttp.ClientConnectorError(
                kwargs["req"].connection_key, ForbiddenAddress(f"the peer is {reason} {GUARD_MARK}")
            )
        return transport, protocol


def forbidden_cause(exc: BaseException) -> ForbiddenAddress | None:
    """The refusal behind an aiohttp connect error, if the guard caused it."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        if isinstance(seen, ForbiddenAddress):
            return seen
        if isinstance(seen, aiohttp.ClientConnectorError) and isinstance(
            seen.os_error, ForbiddenAddress
        ):
            return seen.os_error
        if GUARD_MARK in str(seen):
            return ForbiddenAddress(str(seen))
        seen = seen.__cause__ or seen.__context__
    return None


@asynccontextmanager
async def open_public(
    session: aiohttp.ClientSession,
    url: str,
    headers_for: Callable[[str], Mapping[str, str]],
    allowed: Iterable[Network] = (),
    max_redirects: int = 3,
) -> AsyncIterator[tuple[str, aiohttp.ClientResponse]]:
    """GET a stranger's URL, following redirects ourselves so that each hop is judged.

    Yields the final URL and its response (any status but a redirect). Raises
    ForbiddenAddress or RedirectError; aiohttp's errors pass through.
    """
    allowed = tuple(allowed)
    for _ in range(max_redirects + 1):
        url = public_url(url, allowed)
        target = yarl.URL(url, encoded=True)  # sent as judged: yarl must not re-read the host
        async with session.get(target, headers=headers_for(url), allow_redirects=False) as response:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise RedirectError("a redirect without a Location")
                url = join_url(url, location)
                continue
            yield url, response
            return
    raise RedirectError(f"more than {max_redirects} redirects")


__all__ = [
    "ForbiddenAddress",
    "GuardedConnector",
    "GuardedResolver",
    "RedirectError",
    "check_address",
    "forbidden_cause",
    "forbidden_reason",
    "join_url",
    "literal_address",
    "open_public",
    "public_url",
]
