"""HTTP fetching that partner sites can live with: robots.txt, per-host limits, caps and guards.

One ``Fetcher`` serves a whole run. Every request to a host passes that host's semaphore and delay;
every hop of a redirect is checked against the private-address guard; bodies are streamed and
abandoned past the size cap, so one huge file cannot exhaust memory.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from ingest.config import Site
from ingest.errors import FetchError

USER_AGENT = "werger/0.1 (offline translation crawler; see README for contact)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass
class FetchResult:
    """A fetched response, decoded when it is text."""

    url: str
    final_url: str
    status: int
    content_type: str
    text: str | None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    delay: float
    next_slot: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """An httpx client with politeness and safety rules; use as an async context manager."""

    def __init__(
        self,
        user_agent: str = USER_AGENT,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._client = httpx.AsyncClient(
            timeout=timeout, headers={"User-Agent": user_agent}, follow_redirects=False
        )
        self._hosts: dict[str, _HostState] = {}
        self._robots: dict[str, Protego | None] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def allowed_by_robots(self, url: str, site: Site) -> bool:
        """Whether robots.txt lets werger fetch ``url``; an unreachable robots.txt allows all."""
        robots = await self._robots_for(url, site)
        return robots is None or robots.can_fetch(url, self.user_agent)

    async def _robots_for(self, url: str, site: Site) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = None
            try:
                result = await self.fetch(origin + "/robots.txt", site, accept_any_type=True)
                if result.status == 200 and result.text is not None:
                    self._robots[origin] = Protego.parse(result.text)
            except FetchError:
                pass
        return self._robots[origin]

    async def crawl_delay(self, url: str, site: Site) -> float:
        robots = await self._robots_for(url, site)
        delay = robots.crawl_delay(self.user_agent) if robots else None
        return max(site.delay, float(delay or 0.0))

    async def fetch(self, url: str, site: Site, accept_any_type: bool = False) -> FetchResult:
        """GET ``url`` following redirects; raises FetchError with the reason when it cannot."""
        current = url
        for _ in range(self.max_redirects + 1):
            await self._check_address(current, site)
            response_or_next = await self._get_once(current, site, accept_any_type)
            if isinstance(response_or_next, FetchResult):
                response_or_next.url = url
                return response_or_next
            current = response_or_next
        raise FetchError(f"more than {self.max_redirects} redirects")

    async def _get_once(self, url: str, site: Site, accept_any_type: bool) -> FetchResult | str:
        host = await self._host(url, site)
        async with host.semaphore:
            await self._wait_turn(host)
            try:
                async with self._client.stream("GET", url) as response:
                    if response.is_redirect and "location" in response.headers:
                        return urljoin(url, response.headers["location"])
                    return await self._read(response, url, accept_any_type)
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}") from exc

    async def _read(self, response: httpx.Response, url: str, accept_any_type: bool) -> FetchResult:
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        result = FetchResult(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            content_type=content_type,
            text=None,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        if response.status_code != 200:
            return result
        if not accept_any_type and not _is_text(content_type):
            return result
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise FetchError(f"body larger than {self.max_bytes} bytes, abandoned")
        result.text = decode_body(bytes(body), response.charset_encoding)
        return result

    async def _host(self, url: str, site: Site) -> _HostState:
        netloc = urlsplit(url).netloc.lower()
        if netloc not in self._hosts:
            self._hosts[netloc] = _HostState(asyncio.Semaphore(site.concurrency), site.delay)
        return self._hosts[netloc]

    async def _wait_turn(self, host: _HostState) -> None:
        """Space request starts to the same host by the host's delay."""
        if host.delay <= 0:
            return
        async with host.lock:
            now = time.monotonic()
            wait = host.next_slot - now
            host.next_slot = max(now, host.next_slot) + host.delay
        if wait > 0:
            await asyncio.sleep(wait)

    async def set_delay(self, url: str, site: Site, delay: float) -> None:
        (await self._host(url, site)).delay = delay

    async def _check_address(self, url: str, site: Site) -> None:
        """Refuse non-http schemes and, unless the site allows it, private or local addresses."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refused scheme or URL: {url}")
        if site.allow_private:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                parts.hostname, None, type=socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve {parts.hostname}: {exc.strerror}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise FetchError(f"refused: {parts.hostname} resolves to non-public address {address}")


def _is_text(content_type: str) -> bool:
    return content_type in HTML_TYPES or content_type.startswith("text/") or content_type.endswith("xml")


def decode_body(body: bytes, declared: str | None) -> str:
    """Decode by the declared charset, else the page's meta charset, else by detection."""
    for candidate in (declared, _meta_charset(body)):
        if candidate:
            try:
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None
