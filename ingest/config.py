"""The sites file: which partner sites to crawl and how politely.

A TOML file with one ``[sites.<name>]`` table per site::

    [sites.example]
    start_urls = ["https://example.org/"]
    sitemaps = ["https://example.org/sitemap.xml"]
    feeds = ["https://example.org/feed.xml"]
    allow = ["/news/"]            # regular expressions a page URL must match (any)
    deny = ["/tag/", "\\\\?replytocom="]   # regular expressions that exclude a URL
    languages = ["en", "ckb"]     # what the site publishes (informational, used in reports)
    max_pages = 500
    max_depth = 3
    concurrency = 2               # requests in flight to this host
    delay = 1.0                   # seconds between requests to this host
    allow_private = false         # allow loopback/private addresses (local mirrors, the demo)
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
    concurrency: int = 2
    delay: float = 1.0
    allow_private: bool = False
    _allow_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _deny_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @property
    def hosts(self) -> set[str]:
        """Hosts the site lives on: those of its seeds."""
        return {urlsplit(u).netloc.lower() for u in (*self.start_urls, *self.sitemaps, *self.feeds)}

    def in_scope(self, url: str) -> bool:
        """A page is crawled when it is on the site's hosts, matches an allow rule and no deny rule."""
        if urlsplit(url).netloc.lower() not in self.hosts:
            return False
        if self._deny_re and any(p.search(url) for p in self._deny_re):
            return False
        return not self._allow_re or any(p.search(url) for p in self._allow_re)


_LIST_KEYS = ("start_urls", "sitemaps", "feeds", "allow", "deny", "languages")
_KNOWN_KEYS = {*_LIST_KEYS, "max_pages", "max_depth", "concurrency", "delay", "allow_private"}


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
    numbers = {k: table[k] for k in ("max_pages", "max_depth", "concurrency", "delay") if k in table}
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


def parse_sites(text: str, origin: str = "sites file") -> list[Site]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise ConfigError(f"{origin}: no [sites.<name>] tables found")
    return [site_from_dict(name, table) for name, table in sites.items()]


def load_sites(path: Path) -> list[Site]:
    """Read and check a sites file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sites file {path}: {exc.strerror}") from exc
    return parse_sites(text, str(path))
