"""HTTP fetching that partner sites can live with: robots.txt, per-host limits, caps and guards.

One ``Fetcher`` serves a whole run, for all its sites at once. Every request to a host passes
that host's semaphore and delay (the larger of the site's delay and robots.txt's Crawl-delay),
and the run's optional global connection cap; a 429 or 503 with Retry-After pauses the whole
host, not just one request; timeouts, resets, truncated bodies and 5xx are retried a bounded
number of times with exponential backoff and jitter. Each attempt has a total deadline
(``timeout``), so a server that drips its headers or body a byte at a time cannot hold a worker.
Every hop of a redirect is a new URL: the scheme check, then the caller's ``check_hop`` (scope,
robots.txt, dedup), then the private-address guard apply to it here, so a hop off the site is
skipped as out of scope without its host ever being looked up. Bodies are read raw and
decoded here with the size cap applied to the decoded bytes (``ingest.decompress``), so neither
a huge file nor a compression bomb can exhaust memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib.metadata import version
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx
from protego import Protego

from ingest.addresses import AddressBook, CheckedTransport, Resolver, system_resolver
from ingest.charset import decode_body, decode_unicode
from ingest.config import Site
from ingest.decompress import CappedDecoder
from ingest.errors import FetchError
from ingest.urls import controls_encoded

GZIP_MAGIC = b"\x1f\x8b"
HTML_TYPES = ("text/html", "application/xhtml+xml")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least the first 500 KiB
HopCheck = Callable[[str], Awaitable[None]]


def user_agent(contact: str | None = None) -> str:
    """An honest User-Agent: who we are and, when configured, where a site owner can reach us."""
    base = f"werger/{version('werger')}"
    return f"{base} (+{contact})" if contact else f"{base} (offline translation crawler)"


USER_AGENT = user_agent()


@dataclass
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last fetch."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


@dataclass
class FetchResult:
    """A fetched response, decoded when it is text; status 304 means unchanged since ``Validators``."""

    url: str
    final_url: str
    status: int
    content_type: str
    text: str | None
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 1
    raw: bytes | None = field(default=None, repr=False)
    # The Content-Language header as sent ("ru", "ru-RU, en"): a hint for language identification.
    content_language: str | None = None
    # The charset the Content-Type header declares, if any (a hint for decoding ``raw``).
    charset: str | None = None


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    delay: float
    allow_private: bool = False
    next_slot: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class _Retry(Exception):
    """One attempt failed in a way worth trying again after ``wait`` seconds (None: backoff)."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class Fetcher:
    """An httpx client with politeness and safety rules; use as an async context manager."""

    def __init__(
        self,
        user_agent: str = USER_AGENT,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        max_connections: int | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.addresses = AddressBook(resolver)
        limits = httpx.Limits(max_connections=max_connections or 500, max_keepalive_connections=100)
        self._client = httpx.AsyncClient(
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate, br"},
            follow_redirects=False,
            transport=CheckedTransport(self.addresses, limits),
            trust_env=False,  # a proxy from the environment would bypass the address guard
        )
        self._connections = asyncio.Semaphore(max_connections) if max_connections else None
        self._hosts: dict[str, _HostState] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_errors: dict[str, str] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def allowed_by_robots(self, url: str, site: Site) -> bool:
        """Whether robots.txt lets werger fetch ``url``; a missing robots.txt (4xx) allows all.

        A robots.txt that cannot be read (5xx, timeouts) raises FetchError: like the big search
        engines, werger then leaves the host alone rather than guess.
        """
        robots = await self._robots_for(url, site)
        return robots is None or robots.can_fetch(url, self.user_agent)

    async def _robots_for(self, url: str, site: Site) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        async with self._robots_locks.setdefault(origin, asyncio.Lock()):
            if origin not in self._robots and origin not in self._robots_errors:
                await self._load_robots(origin, site)
        if origin in self._robots_errors:
            raise FetchError(self._robots_errors[origin])
        return self._robots[origin]

    async def _load_robots(self, origin: str, site: Site) -> None:
        try:
            result = await self.fetch(
                origin + "/robots.txt", site, accept_any_type=True, max_bytes=ROBOTS_MAX_BYTES, truncate=True
            )
        except FetchError as exc:
            self._robots_errors[origin] = f"robots.txt unreadable, host skipped: {exc}"
            return
        if result.status >= 500:
            self._robots_errors[origin] = f"robots.txt unreadable, host skipped: HTTP {result.status}"
            return
        text = result.raw.decode("utf-8", errors="replace") if result.raw else ""
        robots = Protego.parse(text) if result.status == 200 and text else None
        self._robots[origin] = robots
        delay = robots.crawl_delay(self.user_agent) if robots else None
        if delay:
            host = self._host(origin, site)
            host.delay = max(host.delay, float(delay))

    async def robots_sitemaps(self, url: str, site: Site) -> list[str]:
        """Sitemaps that ``url``'s robots.txt announces."""
        robots = await self._robots_for(url, site)
        return [controls_encoded(u.strip()) for u in robots.sitemaps] if robots else []

    async def robots(self, url: str, site: Site) -> Protego | None:
        """The parsed robots.txt of ``url``'s host, None when it has none (4xx); FetchError when it
        cannot be read (5xx, network), in which case a crawl leaves the host alone."""
        return await self._robots_for(url, site)

    async def crawl_delay(self, url: str, site: Site) -> float:
        """The delay in force for ``url``'s host: the site's, or robots.txt's Crawl-delay if larger."""
        await self._robots_for(url, site)
        return self._host(url, site).delay

    async def fetch(
        self,
        url: str,
        site: Site,
        accept_any_type: bool = False,
        validators: Validators | None = None,
        check_hop: HopCheck | None = None,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> FetchResult:
        """GET ``url`` following redirects; raises FetchError with the reason when it cannot.

        ``check_hop`` is awaited with every redirect target before it is requested and raises
        (a ``FetchError``, such as ``OutOfScope``) to stop there. ``max_bytes`` overrides the
        body cap for this request; with ``truncate`` a longer body is cut there instead of
        refused (robots.txt). ``result.final_url`` is the URL that answered.
        """
        current = url
        # A URL seen again is a loop unless a cookie changed on the way: cookie checks (ASP.NET's
        # ?AspxAutoDetectCookieSupport=1) set one and redirect back, and a browser gets the page.
        visited: set[tuple[str, tuple]] = set()
        for hop in range(self.max_redirects + 1):
            state = (current, self._cookie_state())
            if state in visited:
                raise FetchError(f"redirect loop back to {current}")
            visited.add(state)
            if hop and check_hop is not None:
                # scope first: a hop off the site is skipped as such, its host never looked up
                _check_scheme(current)
                await check_hop(current)
            await self._check_address(current, site)
            outcome = await self._get_with_retries(
                current, site, accept_any_type, validators if not hop else None, (max_bytes, truncate)
            )
            if isinstance(outcome, FetchResult):
                outcome.url = url
                return outcome
            current = outcome
        raise FetchError(f"more than {self.max_redirects} redirects")

    def _cookie_state(self) -> tuple:
        return tuple(sorted((c.domain, c.path, c.name, c.value or "") for c in self._client.cookies.jar))

    async def _get_with_retries(
        self,
        url: str,
        site: Site,
        accept_any_type: bool,
        validators: Validators | None,
        cap: tuple[int | None, bool],
    ) -> FetchResult | str:
        host = self._host(url, site)
        for attempt in range(1, self.retries + 2):
            try:
                outcome = await self._get_once(url, host, accept_any_type, validators, cap)
            except _Retry as retry:
                if attempt > self.retries:
                    raise FetchError(f"{retry} (gave up after {attempt} attempts)") from None
                wait = retry.wait if retry.wait is not None else self._backoff(attempt)
                self._pause(host, wait)
                continue
            if isinstance(outcome, FetchResult):
                outcome.attempts = attempt
            return outcome
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so retries from many workers do not stampede."""
        return min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)

    def _pause(self, host: _HostState, seconds: float) -> None:
        """Hold back every request to the host, not only the one that failed."""
        host.next_slot = max(host.next_slot, time.monotonic() + seconds)

    async def _get_once(
        self,
        url: str,
        host: _HostState,
        accept_any_type: bool,
        validators: Validators | None,
        cap: tuple[int | None, bool],
    ) -> FetchResult | str:
        headers = validators.headers() if validators else {}
        async with host.semaphore, self._connection_slot():
            await self._wait_turn(host)  # after the global slot: waiting for one cannot bunch requests
            try:
                async with asyncio.timeout(self.timeout):
                    outcome = await self._exchange(url, host, headers, accept_any_type, cap)
            except TimeoutError:
                raise _Retry(f"timed out (no complete answer within {self.timeout:g} s)") from None
            except httpx.RemoteProtocolError as exc:
                if "location header" in str(exc).lower():  # a broken redirect stays broken
                    raise FetchError(f"redirect with an unusable Location: {exc}") from None
                raise _Retry(_describe(exc)) from exc
            except _RETRY_ERRORS as exc:
                raise _Retry(_describe(exc)) from exc
            except httpx.HTTPError as exc:
                raise FetchError(_describe(exc)) from exc
        # The slot is free and the request waiting for it was woken: let it go out before this
        # one's decoding and the caller's bookkeeping, which would otherwise delay it (on one
        # event loop, every slot's turnaround is on the critical path of throughput).
        await asyncio.sleep(0)
        if isinstance(outcome, FetchResult):
            await _decode_text(outcome)
        return outcome

    def _connection_slot(self) -> asyncio.Semaphore | contextlib.nullcontext:
        """The run-wide cap on requests in flight (``[crawler] max_connections``), if any."""
        return self._connections if self._connections is not None else contextlib.nullcontext()

    async def _exchange(
        self,
        url: str,
        host: _HostState,
        headers: dict[str, str],
        accept_any_type: bool,
        cap: tuple[int | None, bool],
    ) -> FetchResult | str:
        async with self._client.stream("GET", url, headers=headers) as response:
            if not host.allow_private:
                _refuse_non_public_peer(response)
            if response.is_redirect and "location" in response.headers:
                return urljoin(url, response.headers["location"].strip()).split("#", 1)[0]
            if response.status_code in RETRY_STATUSES:
                raise _Retry(f"HTTP {response.status_code}", self._retry_after(response))
            return await self._read(response, url, accept_any_type, cap)

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Seconds the server asked us to wait (delta or HTTP date); None when it did not say."""
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                return None
        seconds = max(0.0, seconds)
        if seconds > self.max_retry_after:
            raise FetchError(
                f"HTTP {response.status_code} with Retry-After {seconds:.0f} s, longer than the "
                f"{self.max_retry_after:.0f} s werger waits; the page is left for the next run"
            )
        return seconds

    async def _read(
        self, response: httpx.Response, url: str, accept_any_type: bool, cap: tuple[int | None, bool]
    ) -> FetchResult:
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        result = FetchResult(
            url=url,
            final_url=url,
            status=response.status_code,
            content_type=content_type,
            text=None,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            content_language=response.headers.get("content-language"),
        )
        if response.status_code != 200:
            return result
        if not accept_any_type and not _is_text(content_type):
            return result
        limit, truncate = cap[0] or self.max_bytes, cap[1]
        encoding = response.headers.get("content-encoding", "")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not encoding and not truncate:
            raise FetchError(f"body of {declared} bytes is larger than {limit} bytes, not read")
        decoder = CappedDecoder(encoding, limit)
        body = bytearray()
        received = 0
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > limit:
                    raise FetchError(f"body larger than {limit} bytes, abandoned")
                body += decoder.feed(chunk)
        except FetchError:
            if not truncate:
                raise
            body = body[:limit]
        result.raw = bytes(body)
        result.charset = response.charset_encoding
        return result

    def _host(self, url: str, site: Site) -> _HostState:
        netloc = urlsplit(url).netloc.lower()
        if netloc not in self._hosts:
            self._hosts[netloc] = _HostState(
                asyncio.Semaphore(site.concurrency), site.delay, allow_private=site.allow_private
            )
        return self._hosts[netloc]

    async def _wait_turn(self, host: _HostState) -> None:
        """Space request starts to the same host by its delay, and honour pauses (Retry-After)."""
        async with host.lock:
            now = time.monotonic()
            start = max(now, host.next_slot)
            host.next_slot = start + host.delay
        if start > now:
            await asyncio.sleep(start - now)

    async def _check_address(self, url: str, site: Site) -> None:
        """Refuse non-http schemes and, unless the site allows it, private or local addresses.

        The addresses checked here are the only ones the connection may use (``ingest.addresses``).
        """
        parts = _check_scheme(url)
        if site.allow_private:
            self.addresses.allow_private(parts.hostname)
        await self.addresses.addresses(parts.hostname)


async def _decode_text(result: FetchResult) -> None:
    """Set ``result.text`` from its body, unless the body is still gzip (a ``.xml.gz`` file)."""
    if result.raw is None or result.raw.startswith(GZIP_MAGIC):
        return
    text = decode_unicode(result.raw)
    if text is None:  # a legacy charset: detection is CPU work, kept off the event loop
        text = await asyncio.to_thread(decode_body, result.raw, result.charset)
    result.text = text


def _check_scheme(url: str) -> SplitResult:
    """``url`` split; FetchError unless it is http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused scheme or URL: {url}")
    return parts


def _refuse_non_public_peer(response: httpx.Response) -> None:
    """Check the address the connection really went to, before any of the body is read.

    The connection only goes to addresses checked beforehand (``ingest.addresses``); this second
    look at the socket's peer address is a guard against that machinery ever being bypassed.
    """
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not ipaddress.ip_address(peer[0]).is_global:
        raise FetchError(f"refused: the connection went to non-public address {peer[0]}")


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    detail = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {detail}"


def _is_text(content_type: str) -> bool:
    return content_type in HTML_TYPES or content_type.startswith("text/") or content_type.endswith("xml")
