"""The sites file: which partner sites to crawl and how politely.

A TOML file with one ``[sites.<name>]`` table per site::

    [sites.example]
    start_urls = ["https://example.org/"]
    sitemaps = ["https://example.org/sitemap.xml"]
    feeds = ["https://example.org/feed.xml"]
    allow = ["/news/"]            # regular expressions a page URL must match (any)
    deny = ["/tag/", "\\\\?replytocom="]   # regular expressions that exclude a URL
    languages = ["en", "ckb"]     # what the site publishes; paragraphs in others are not translated
    max_pages = 500               # pages fetched per run; what is left is queued for the next run
    max_depth = 3
    max_sitemaps = 50             # sitemap files read per run (a sitemap index can name thousands)
    concurrency = 2               # requests in flight to this host
    delay = 1.0                   # seconds between requests to this host
    allow_private = false         # allow loopback/private addresses (local mirrors, the demo)

Values keep their TOML types: a string is never a boolean or a number (``allow_private = "false"``
is refused, not taken as true). And an optional ``[crawler]`` table for the run as a whole::

    [crawler]
    contact = "https://example.org/crawler"   # put in the User-Agent so site owners can reach you
    timeout = 20          # seconds per request, headers and body together (a drip cannot hold it)
    max_run_time = 3300   # seconds for the whole run; what is left waits for the next run
    retries = 3           # extra attempts after timeouts, resets, truncated bodies, 429 and 5xx
                          # (0: none)
    max_bytes = 5000000   # bodies larger than this (once decoded) are abandoned while streaming
    max_connections = 16  # requests in flight over all sites (optional; each site keeps its own)
    extract_processes = "auto"  # worker processes for extraction: "auto", or a number (0: threads)

Extraction (trafilatura, about 0.1 s of CPU for a 100 KB news page) is most of a crawl's CPU.
With ``"auto"`` (the default) a run of two or more sites on a machine with two or more cores
extracts in one worker process per core, so many sites at once are not held to one core by the
GIL; a run of one site extracts in threads of the crawl process. A number sets the processes.

All sites of a run are crawled at once, each host within its own ``concurrency``, ``delay`` and
Retry-After, so a slow site does not hold up the others and every site gets its share of
``max_run_time``.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from ingest.errors import ConfigError
from ingest.urls import host_key


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

    @cached_property
    def hosts(self) -> frozenset[str]:
        """Hosts the site lives on: those of its seeds, each with and without ``www.``.

        ``example.org`` redirecting to ``www.example.org`` (or back) is the same site on nearly
        every partner server, and its links use the name it redirected to. An IP address or
        ``localhost`` has no ``www.`` name. Each is spelled as ``ingest.urls.host_key`` spells it
        (lower case, no default port, no trailing dot, an internationalised name in ASCII). Worked
        out once (every URL found is checked against it).
        """
        seeds = {_host(u) for u in (*self.start_urls, *self.sitemaps, *self.feeds)}
        named = {h for h in seeds if _has_www_name(urlsplit(f"//{h}").hostname or "")}
        return frozenset(seeds | {h[4:] if h.startswith("www.") else f"www.{h}" for h in named})

    def in_scope(self, url: str) -> bool:
        """A page is crawled when it is on the site's hosts, matches an allow rule and no deny rule.

        The host is compared in ``host_key``'s spelling: ``HTTP://Partner.Example:80/news/1`` and
        ``http://пример.рф/`` are on the sites ``http://partner.example/`` and
        ``http://xn--e1afmkfd.xn--p1ai/`` name.
        """
        if _host(url) not in self.hosts:
            return False
        if self._deny_re and any(p.search(url) for p in self._deny_re):
            return False
        return not self._allow_re or any(p.search(url) for p in self._allow_re)


def _host(url: str) -> str:
    parts = urlsplit(url)
    return host_key(parts.netloc, parts.scheme.lower())


_LIST_KEYS = ("start_urls", "sitemaps", "feeds", "allow", "deny", "languages")
# key: (kind, smallest allowed value); TOML has its own types, and a string is never a number or a
# boolean here: allow_private = "false" must not switch the private-address guard off.
_SITE_SCALARS: dict[str, tuple[str, float | None]] = {
    "max_pages": ("whole number", 1),
    "max_depth": ("whole number", 0),
    "concurrency": ("whole number", 1),
    "delay": ("number", 0),
    "max_sitemaps": ("whole number", 0),
    "allow_private": ("boolean", None),
}
_KNOWN_KEYS = {*_LIST_KEYS, *_SITE_SCALARS}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$")


def _shown(value: object) -> str:
    """A TOML value as the user wrote it, with its type, for error messages."""
    kinds = {bool: "boolean", str: "string", int: "integer", float: "number", list: "list", dict: "table"}
    kind = kinds.get(type(value), type(value).__name__)
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return f"the {kind} {text}"


def check_value(where: str, key: str, value: object, kind: str, minimum: float | None = None):
    """``value`` if it is a TOML ``kind`` (boolean, whole number, number) of at least ``minimum``.

    Raises ConfigError naming ``where`` (for example "sites.toml: [sites.imok]"), the key, what was
    expected and what was found.
    """
    if kind == "boolean":
        ok = isinstance(value, bool)
        expected = "true or false (a TOML boolean, without quotes)"
    elif kind == "whole number":
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "a whole number"
    else:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        expected = "a number"
    if not ok:
        raise ConfigError(f"{where} {key} must be {expected}, not {_shown(value)}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{where} {key} must be at least {minimum:g}, not {value}")
    return value


def site_from_dict(name: str, table: dict, origin: str = "sites file") -> Site:
    """Build a Site from its TOML table, with errors that name the file, the site and the key."""
    where = f"{origin}: [sites.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of settings, not {_shown(table)}")
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(
            f"{where} has unknown setting(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(_KNOWN_KEYS))}"
        )
    values: dict = {}
    for key in _LIST_KEYS:
        items = table.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"{where} {key} must be a list of strings, not {_shown(items)}")
        values[key] = tuple(items)
    for url in (*values["start_urls"], *values["sitemaps"], *values["feeds"]):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ConfigError(f"{where} {url!r} is not an http(s) URL")
    if not (values["start_urls"] or values["sitemaps"] or values["feeds"]):
        raise ConfigError(f"{where} give at least one of start_urls, sitemaps, feeds")
    bad_codes = [code for code in values["languages"] if not _LANGUAGE_CODE.match(code)]
    if bad_codes:
        raise ConfigError(
            f"{where} languages must be language codes such as en, ckb or kmr-Arab, not {bad_codes}"
        )
    try:
        compiled = {k: tuple(re.compile(p) for p in values[k]) for k in ("allow", "deny")}
    except re.error as exc:
        raise ConfigError(f"{where} bad pattern in allow/deny: {exc}") from exc
    scalars = {
        key: check_value(where, key, table[key], kind, minimum)
        for key, (kind, minimum) in _SITE_SCALARS.items()
        if key in table
    }
    return Site(name=name, **values, **scalars, _allow_re=compiled["allow"], _deny_re=compiled["deny"])


@dataclass(frozen=True)
class CrawlerSettings:
    """Settings of the run as a whole (the ``[crawler]`` table)."""

    contact: str | None = None
    timeout: float = 20.0
    max_run_time: float | None = None
    retries: int = 3
    max_bytes: int = 5_000_000
    max_connections: int | None = None
    extract_processes: int | str = "auto"

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


# key: (type, kind, smallest allowed value)
_CRAWLER_NUMBERS: dict[str, tuple[type, str, float]] = {
    "timeout": (float, "number", 0.001),
    "max_run_time": (float, "number", 1),
    "retries": (int, "whole number", 0),
    "max_bytes": (int, "whole number", 1),
    "max_connections": (int, "whole number", 1),
}


def crawler_from_dict(table: dict, origin: str = "sites file") -> CrawlerSettings:
    """Build the run settings, with errors that name the file and the key."""
    where = f"{origin}: [crawler]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table, not {_shown(table)}")
    unknown = set(table) - {"contact", "extract_processes", *_CRAWLER_NUMBERS}
    if unknown:
        raise ConfigError(f"{where} has unknown setting(s) {', '.join(sorted(unknown))}")
    contact = table.get("contact")
    if contact is not None and (not isinstance(contact, str) or not contact.strip()):
        raise ConfigError(f"{where} contact must be a URL or e-mail address in quotes, not {_shown(contact)}")
    values = {
        key: kind(check_value(where, key, table[key], name, minimum))
        for key, (kind, name, minimum) in _CRAWLER_NUMBERS.items()
        if key in table
    }
    processes = table.get("extract_processes", "auto")
    if processes != "auto":
        try:
            processes = check_value(where, "extract_processes", processes, "whole number", 0)
        except ConfigError:
            raise ConfigError(
                f'{where} extract_processes must be "auto" or a whole number >= 0, not {_shown(processes)}'
            ) from None
    return CrawlerSettings(contact=contact, extract_processes=processes, **values)


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
    unknown = sorted(set(data) - {"sites", "crawler"})
    if unknown:
        raise ConfigError(
            f"{origin}: unknown table or key(s) {', '.join(unknown)}; "
            "a sites file holds [sites.<name>] tables and an optional [crawler] table"
        )
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise ConfigError(f"{origin}: no [sites.<name>] tables found")
    return [site_from_dict(name, table, origin) for name, table in sites.items()]


def load_sites(path: Path) -> list[Site]:
    """Read and check a sites file."""
    return parse_sites(_read(path), str(path))


def _read(path: Path) -> str:
    """The file's text; TOML is UTF-8 by definition, so other encodings are refused, not guessed."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read sites file {path}: {exc.strerror}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(
            f"{path}: UTF-16 text; TOML files must be UTF-8: save it as UTF-8, or convert it with: "
            "iconv -f utf-16 -t utf-8"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); TOML files must "
            f"be UTF-8: save it as UTF-8, or convert it with: iconv -f latin1 -t utf-8"
        ) from None


def _has_www_name(hostname: str) -> bool:
    """False for an IP address (``www.127.0.0.1`` names nothing) and for ``localhost``."""
    if hostname == "localhost":
        return False
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return True
    return False
