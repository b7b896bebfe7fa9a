"""The private-address guard: resolve a host once, check every address, connect only to those.

A crawler that fetches links from pages can be pointed at the operator's own network (a router
page, a cloud metadata service at 169.254.169.254). Checking the name before the request is not
enough: DNS can answer with a public address at check time and a private one a moment later at
connect time (rebinding). So werger resolves each host name once per run, refuses it when any
address is not globally routable (unless the site allows private addresses), and hands httpcore
a network backend that connects to exactly those checked addresses. The URL, the Host header
and TLS (SNI and certificate checks) still use the name, because httpcore builds them from the
URL; only the socket's destination comes from the check, so no byte goes to a refused address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from functools import cache

import httpcore
import httpx

from ingest.errors import FetchError

Resolver = Callable[[str], Awaitable[list[str]]]


async def system_resolver(hostname: str) -> list[str]:
    """Addresses of ``hostname`` from the system resolver, in its order of preference."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(hostname, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {hostname}: {exc.strerror}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(hostname: str) -> str | None:
    try:
        return str(ipaddress.ip_address(hostname.strip("[]")))
    except ValueError:
        return None


class AddressBook:
    """Checked addresses per host name for one run; hosts the sites allow to be private."""

    def __init__(self, resolver: Resolver = system_resolver) -> None:
        self._resolver = resolver
        self._addresses: dict[str, list[str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.private_allowed: set[str] = set()

    def allow_private(self, hostname: str) -> None:
        self.private_allowed.add(hostname.lower())

    async def addresses(self, hostname: str) -> list[str]:
        """The addresses werger may connect to for ``hostname``; FetchError when it may not."""
        hostname = hostname.lower()
        async with self._locks.setdefault(hostname, asyncio.Lock()):
            if hostname not in self._addresses:
                literal = _literal(hostname)
                self._addresses[hostname] = [literal] if literal else await self._resolver(hostname)
        found = self._addresses[hostname]
        if not found:
            raise FetchError(f"cannot resolve {hostname}: no addresses")
        if hostname not in self.private_allowed:
            for address in found:
                if not ipaddress.ip_address(address).is_global:
                    raise FetchError(f"refused: {hostname} resolves to non-public address {address}")
        return found


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the ``AddressBook`` checked, never to a fresh DNS answer."""

    def __init__(self, book: AddressBook) -> None:
        self._book = book
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self._book.addresses(host):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certificates checked against certifi's bundle), built once
    per process: loading the bundle takes 40-50 ms of CPU, which every run of a process that
    crawls more than once (the demo, tests, a service) paid again before its first request.
    Clients share it: httpcore only ever sets the same ALPN list on it (HTTP/1.1)."""
    return httpx.create_ssl_context()


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with its connection pool built on the checked backend.

    The parent's ``__init__`` is not called: all it does is build a pool (and an SSL context)
    that this one replaces.
    """

    def __init__(self, book: AddressBook, limits: httpx.Limits) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_CheckedBackend(book),
        )
