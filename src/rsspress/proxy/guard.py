"""Which upstream addresses the image proxy may connect to. Pure, but for the resolver.

Signing alone does not stop SSRF (Miniflux GHSA-xwh2-742g-w3wp: the attacker
writes the feed whose URLs get signed), so every address is judged: the IP
literal in a URL before anything is sent, and every name through the resolver
the connection uses, so that the address checked is the address connected to.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges Python's is_global misses or that deserve a name of their own.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack ...
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}


class ForbiddenAddress(OSError):  # an OSError, so that aiohttp reports it as a connect error
    """The upstream is, or resolves to, an address the proxy must not reach."""


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
    """Why the proxy must not connect to ``ip``; None when it may."""
    if any(ip in net for net in allowed):
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
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host denotes by itself, in any spelling a resolver accepts.

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


def check_host(host: str, allowed: Iterable[Network] = ()) -> None:
    """Refuse a URL host that is itself a forbidden address (names go to the resolver)."""
    ip = literal_address(host)
    if ip is not None:
        reason = forbidden_reason(ip, allowed)
        if reason:
            raise ForbiddenAddress(f"{host} is {reason}")


class GuardedResolver(AbstractResolver):
    """Resolves names and drops every forbidden address before aiohttp connects."""

    def __init__(self, allowed: Iterable[Network] = (), resolver: AbstractResolver | None = None):
        self.allowed = tuple(allowed)
        self.resolver = resolver or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.resolver.resolve(host, port, family)
        safe: list[ResolveResult] = []
        reasons: list[str] = []
        for result in results:
            reason = forbidden_reason(ipaddress.ip_address(result["host"]), self.allowed)
            if reason:
                reasons.append(f"{result['host']} ({reason})")
            else:
                safe.append(result)
        if not safe:
            raise ForbiddenAddress(f"{host} resolves only to {', '.join(reasons) or 'nothing'}")
        return safe

    async def close(self) -> None:
        await self.resolver.close()


__all__: list[Any] = [
    "ForbiddenAddress",
    "GuardedResolver",
    "check_host",
    "forbidden_reason",
    "literal_address",
]
