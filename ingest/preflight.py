"""Looking before crawling: what a sites file resolves to, and what a crawl would fetch.

Both read only robots.txt, sitemaps and feeds, through the same ``Fetcher`` (User-Agent, timeouts,
private-address guard) as a crawl, and write nothing: no records, no crawl index, no summary.
``check_sites`` reports each host's robots.txt; ``discover`` lists the pages a crawl would start
from. Links inside pages are found only by fetching the pages, so ``discover`` lists what sitemaps,
feeds and start URLs give, the way a crawl begins.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ingest.config import CrawlerSettings, Site
from ingest.discover import canonical, parse_feed, parse_sitemap
from ingest.errors import DiscoveryError, FetchError
from ingest.fetch import Fetcher

MAX_SITEMAP_DEPTH = 3


@dataclass
class HostCheck:
    """What one host's robots.txt says: ``state`` is found, none (4xx: all allowed) or unreadable."""

    origin: str
    state: str
    detail: str = ""
    crawl_delay: float | None = None  # seconds, from robots.txt
    sitemaps: list[str] = field(default_factory=list)
    seeds_disallowed: list[str] = field(default_factory=list)


async def _check_host(fetcher: Fetcher, site: Site, origin: str) -> HostCheck:
    try:
        robots = await fetcher.robots(origin + "/", site)
    except FetchError as exc:
        return HostCheck(origin, "unreadable", str(exc))
    if robots is None:
        return HostCheck(origin, "none", "no robots.txt: every page allowed")
    delay = robots.crawl_delay(fetcher.user_agent)
    seeds = [u for u in (*site.start_urls, *site.sitemaps, *site.feeds) if u.startswith(origin + "/")]
    blocked = [u for u in seeds if not robots.can_fetch(u, fetcher.user_agent)]
    return HostCheck(
        origin,
        "found",
        "robots.txt read",
        float(delay) if delay else None,
        list(robots.sitemaps),
        blocked,
    )


def check_sites(sites: list[Site], crawler: CrawlerSettings) -> dict[str, list[HostCheck]]:
    """Each site's hosts and what their robots.txt says (one request per host)."""

    async def run() -> dict[str, list[HostCheck]]:
        async with Fetcher(**crawler.fetcher_options()) as fetcher:
            return {
                site.name: [await _check_host(fetcher, site, origin) for origin in origins(site)]
                for site in sites
            }

    return asyncio.run(run())


def origins(site: Site) -> list[str]:
    """scheme://host of every seed, in the order the sites file gives them."""
    seeds = (*site.start_urls, *site.sitemaps, *site.feeds)
    found = (f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in seeds)
    return list(dict.fromkeys(found))


@dataclass
class Planned:
    """A URL discovery found and what a crawl would do with it: ``verdict`` is "fetch" or why not."""

    url: str
    via: str
    verdict: str


@dataclass
class SitePlan:
    site: str
    urls: list[Planned] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def to_fetch(self) -> list[Planned]:
        return [p for p in self.urls if p.verdict == "fetch"]


class _Discovery:
    """The discovery phase of one site's crawl, without the crawl."""

    def __init__(self, fetcher: Fetcher, site: Site) -> None:
        self.fetcher = fetcher
        self.site = site
        self.plan = SitePlan(site.name)
        self.seen: set[str] = set()
        self.sitemaps_seen: set[str] = set()

    async def run(self) -> SitePlan:
        announced: list[str] = []
        for start in (*self.site.start_urls, *self.site.sitemaps, *self.site.feeds):
            try:
                announced.extend(await self.fetcher.robots_sitemaps(start, self.site))
            except FetchError as exc:
                self._problem(str(exc))
        for url in self.site.start_urls:
            await self._consider(url, "start page", seed=True)
        for sitemap in dict.fromkeys((*self.site.sitemaps, *announced)):
            await self._sitemap(sitemap, 0)
        for feed in self.site.feeds:
            body = await self._text(feed)
            try:  # a broken feed is one problem of the site, as in a crawl, not the end of the plan
                urls = parse_feed(body, feed) if body is not None else []
            except DiscoveryError as exc:
                self._problem(f"{feed}: {exc}")
                continue
            for url in urls:
                await self._consider(url, f"feed {feed}")
        return self.plan

    def _problem(self, text: str) -> None:
        if text not in self.plan.problems:
            self.plan.problems.append(text)

    async def _text(self, url: str) -> bytes | None:
        try:
            if not await self.fetcher.allowed_by_robots(url, self.site):
                self._problem(f"{url}: disallowed by robots.txt")
                return None
            result = await self.fetcher.fetch(url, self.site, accept_any_type=True)
        except FetchError as exc:
            self._problem(f"{url}: {exc}")
            return None
        if result.status != 200 or result.raw is None:
            self._problem(f"{url}: HTTP {result.status}")
            return None
        return result.raw

    async def _sitemap(self, url: str, depth: int) -> None:
        key = canonical(url)  # deduplicated by key, requested as published (as a crawl does)
        if key in self.sitemaps_seen or urlsplit(key).netloc.lower() not in self.site.hosts:
            return
        self.sitemaps_seen.add(key)
        body = await self._text(url)
        if body is None:
            return
        try:  # a broken sitemap is one problem of the site, as in a crawl, not the end of the plan
            pages, nested = parse_sitemap(body)
        except DiscoveryError as exc:
            self._problem(f"{url}: {exc}")
            return
        for page in pages:
            await self._consider(page, f"sitemap {url}")
        if depth < MAX_SITEMAP_DEPTH:
            for child in nested:
                await self._sitemap(child, depth + 1)

    async def _consider(self, url: str, via: str, seed: bool = False) -> None:
        key = canonical(url)  # deduplicated by key, listed as published (what a crawl requests)
        if key in self.seen:
            return
        self.seen.add(key)
        if not seed and not self.site.in_scope(url):
            verdict = "out of scope"
        else:
            try:
                allowed = await self.fetcher.allowed_by_robots(url, self.site)
            except FetchError as exc:
                allowed, verdict = False, str(exc)
            else:
                verdict = "fetch" if allowed else "disallowed by robots.txt"
            if allowed and len(self.plan.to_fetch) >= self.site.max_pages:
                verdict = "over max_pages"
        self.plan.urls.append(Planned(url, via, verdict))


def discover(sites: list[Site], crawler: CrawlerSettings) -> list[SitePlan]:
    """What a crawl of ``sites`` would start fetching, site by site; nothing is written."""

    async def run() -> list[SitePlan]:
        async with Fetcher(**crawler.fetcher_options()) as fetcher:
            return [await _Discovery(fetcher, site).run() for site in sites]

    return asyncio.run(run())
