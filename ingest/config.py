"""The sites file: which partner sites to crawl and how politely.

A TOML file with one ``[sites.<name>]`` table per site::

    [sites.example]
    start_urls = ["https://example.org/"]
    sitemaps = ["https://example.org/sitemap.xml"]
    feeds = ["https://example.org/feed.xml"]
    allow = ["/news/"]            # regular expressions a page URL must match (any)
    deny = ["/tag/", "\\\\?replytocom="]   # regular expressions that exclude a URL
    languages = ["en", "ckb"]     # what the site publishes (informational, used in reports)
    max_pages = 500               # pages fetched per run; what is left is queued for the next run
    max_depth = 3
    max_sitemaps = 50             # sitemap files read per run (a sitemap index can name thousands)
    concurrency = 2               # requests in flight to this host
    delay = 1.0                   # seconds between requests to this host
    allow_private = false         # allow loopback/private addresses (local mirrors, the demo)

and an optional ``[crawler]`` table for the run as a whole::

    [crawler]
    contact = "https://example.org/crawler"   # put in the User-Agent so site owners can reach you
    timeout = 20          # seconds per request, headers and body together (a drip cannot hold it)
    max_run_time = 3300   # seconds for the whole run; what is left waits for the next run
    retries = 3           # extra attempts after timeouts, resets, truncated bodies, 429 and 5xx
    max_bytes = 5000000   # bodies larger than this (once decoded) are abandoned while streaming
    max_connections = 16  # requests in flight over all sites (optional; each site keeps its own)
    extract_processes = 3  # optional: main-text extraction in worker processes (spare cores)

Extraction (trafilatura, about 70 ms of CPU for a 130 KB news page) runs in threads of the crawl
process by default; on a machine with cores to spare, ``extract_processes`` moves it into that
many worker processes, so many sites at once are not held to one core by the GIL.

All sites of a run are crawled at once, each host within its own ``concurrency``, ``delay`` and
Retry-After, so a slow site does not hold up the others and every site gets its share of
``max_run_time``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ingest.errors import ConfigError


@dataclass(frozen=True)
class Site:
    """One partner site's crawl settings."""

    name: str
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    max_pages: int = 1000
    max_depth: int = 3
    max_sitemaps: int = 50
    concurrency: int = 2
    delay: float = 1.0
    allow_private: bool = False
    _allow_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _deny_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @property
    def hosts(self) -> set[str]:
        """Hosts the site lives on: those of its seeds, each with and without ``www.``.

        ``example.org`` redirecting to ``www.example.org`` (or back) is the same site on nearly
        every partner server, and its links use the name it redirected to.
        """
        seeds = {urlsplit(u).netloc.lower() for u in (*self.start_urls, *self.sitemaps, *self.feeds)}
        return seeds | {h[4:] if h.startswith("www.") else f"www.{h}" for h in seeds}

    def in_scope(self, url: str) -> bool:
        """A page is crawled when it is on the site's hosts, matches an allow rule and no deny rule."""
        if urlsplit(url).netloc.lower() not in self.hosts:
            return False
        if self._deny_re and any(p.search(url) for p in self._deny_re):
            return False
        return not self._allow_re or any(p.search(url) for p in self._allow_re)


_LIST_KEYS = ("start_urls", "sitemaps", "feeds", "allow", "deny", "languages")
_NUMBER_KEYS = ("max_pages", "max_depth", "max_sitemaps", "concurrency", "delay")
_KNOWN_KEYS = {*_LIST_KEYS, *_NUMBER_KEYS, "allow_private"}


def site_from_dict(name: str, table: dict) -> Site:
    """Build a Site from its TOML table, with errors that name the site and the key."""
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"site {name!r}: unknown setting(s) {', '.join(sorted(unknown))}")
    values: dict = {}
    for key in _LIST_KEYS:
        items = table.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"site {name!r}: {key} must be a list of strings")
        values[key] = tuple(items)
    for url in (*values["start_urls"], *values["sitemaps"], *values["feeds"]):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ConfigError(f"site {name!r}: {url!r} is not an http(s) URL")
    if not (values["start_urls"] or values["sitemaps"] or values["feeds"]):
        raise ConfigError(f"site {name!r}: give at least one of start_urls, sitemaps, feeds")
    try:
        compiled = {k: tuple(re.compile(p) for p in values[k]) for k in ("allow", "deny")}
    except re.error as exc:
        raise ConfigError(f"site {name!r}: bad pattern in allow/deny: {exc}") from exc
    numbers = {k: table[k] for k in _NUMBER_KEYS if k in table}
    for key, value in numbers.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"site {name!r}: {key} must be a non-negative number")
    if numbers.get("concurrency", 1) < 1:
        raise ConfigError(f"site {name!r}: concurrency must be at least 1")
    return Site(
        name=name,
        **values,
        **numbers,
        allow_private=bool(table.get("allow_private", False)),
        _allow_re=compiled["allow"],
        _deny_re=compiled["deny"],
    )


@dataclass(frozen=True)
class CrawlerSettings:
    """Settings of the run as a whole (the ``[crawler]`` table)."""

    contact: str | None = None
    timeout: float = 20.0
    max_run_time: float | None = None
    retries: int = 3
    max_bytes: int = 5_000_000
    max_connections: int | None = None
    extract_processes: int = 0

    def fetcher_options(self) -> dict:
        """Keyword arguments for ``ingest.fetch.Fetcher``."""
        from ingest.fetch import user_agent

        return {
            "user_agent": user_agent(self.contact),
            "timeout": self.timeout,
            "retries": self.retries,
            "max_bytes": self.max_bytes,
            "max_connections": self.max_connections,
        }


@dataclass(frozen=True)
class Config:
    sites: list[Site]
    crawler: CrawlerSettings


_CRAWLER_NUMBERS = {
    "timeout": float,
    "max_run_time": float,
    "retries": int,
    "max_bytes": int,
    "max_connections": int,
    "extract_processes": int,
}


def crawler_from_dict(table: dict, origin: str = "sites file") -> CrawlerSettings:
    """Build the run settings, with errors that name the key."""
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: [crawler] must be a table")
    unknown = set(table) - {"contact", *_CRAWLER_NUMBERS}
    if unknown:
        raise ConfigError(f"{origin}: [crawler] has unknown setting(s) {', '.join(sorted(unknown))}")
    contact = table.get("contact")
    if contact is not None and (not isinstance(contact, str) or not contact.strip()):
        raise ConfigError(f"{origin}: [crawler] contact must be a URL or e-mail address")
    values: dict = {}
    for key, kind in _CRAWLER_NUMBERS.items():
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{origin}: [crawler] {key} must be a positive number")
        if kind is int and value != int(value):
            raise ConfigError(f"{origin}: [crawler] {key} must be a whole number")
        values[key] = kind(value)
    return CrawlerSettings(contact=contact, **values)


def parse_config(text: str, origin: str = "sites file") -> Config:
    """The sites and the ``[crawler]`` settings of a sites file."""
    data = _load_toml(text, origin)
    return Config(_sites_of(data, origin), crawler_from_dict(data.get("crawler", {}), origin))


def load_config(path: Path) -> Config:
    """Read and check a sites file with its ``[crawler]`` settings."""
    return parse_config(_read(path), str(path))


def _load_toml(text: str, origin: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc


def parse_sites(text: str, origin: str = "sites file") -> list[Site]:
    return _sites_of(_load_toml(text, origin), origin)


def _sites_of(data: dict, origin: str) -> list[Site]:
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise ConfigError(f"{origin}: no [sites.<name>] tables found")
    return [site_from_dict(name, table) for name, table in sites.items()]


def load_sites(path: Path) -> list[Site]:
    """Read and check a sites file."""
    return parse_sites(_read(path), str(path))


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sites file {path}: {exc.strerror}") from exc
