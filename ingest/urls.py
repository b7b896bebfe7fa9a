"""Two spellings of a URL: the one werger requests, and the key it deduplicates and names records by.

A page is requested exactly as the site published it: the link is resolved against its page (or
the page's ``<base href>``) and the fragment, which never reaches a server, is dropped; nothing
else changes, because servers tell ``?/news/101-x/`` from ``/index.php`` and ``&section=`` from
``&sect;ion=``. Deduplication and record ids use ``url_key``, a separate spelling that folds what
cannot change the page (case of scheme and host, default ports, fragments, tracking parameters,
the order of query parameters) and is idempotent: ``url_key(url_key(u)) == url_key(u)``. It
never unescapes HTML entities and keeps query items without ``=``.
"""

from __future__ import annotations

import re
from collections.abc import Set
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "_ga", "_gl", "msclkid")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_PATH_SAFE = "/%!=:,-"  # as courlan quotes paths, so record ids of plain URLs stay
_QUERY_SAFE = "/%!=:,-@$'()*+;~.?"
_REPEATED_SLASHES = re.compile(r"/{2,}")
_LEADING_PARENTS = re.compile(r"^(?:/\.\.(?![^/]))+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_SEMICOLON = "\ue000"  # a private-use character standing in for ";" while urljoin works


def published_url(href: str, base: str) -> str:
    """``href`` resolved against ``base`` (as a browser does), without its fragment; nothing else.

    Surrounding whitespace is stripped, as browsers do for ``href`` attributes; a backslash before
    the query is a slash (``\\news\\7.html``, written on some IIS sites); tabs and newlines
    inside are removed and other control characters percent-encoded (``\\x1b`` -> ``%1B``), as the
    WHATWG URL standard has browsers request them (httpx refuses a URL that holds them).
    """
    href = href.strip()
    if "\\" in href and urlsplit(urljoin(base, href.split("\\", 1)[0])).scheme in ("http", "https"):
        href = _backslashes_as_slashes(href)
    if ";" not in href + base or _SEMICOLON in href + base:
        return controls_encoded(urljoin(base, href)).split("#", 1)[0]
    # urljoin splits RFC 2396 ";params" off the last segment and drops an empty one ("/a;" -> "/a"):
    # a stand-in keeps every ";" where the page wrote it.
    joined = urljoin(base.replace(";", _SEMICOLON), href.replace(";", _SEMICOLON))
    return controls_encoded(joined.replace(_SEMICOLON, ";")).split("#", 1)[0]


def _backslashes_as_slashes(href: str) -> str:
    """``\\`` before the query as ``/``, as browsers read an http(s) link (WHATWG URL standard:
    a backslash in the path of a special scheme is a slash); the query keeps its backslashes."""
    cut = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=len(href))
    return href[:cut].replace("\\", "/") + href[cut:]


def controls_encoded(url: str) -> str:
    """``url`` with C0 control characters and DEL percent-encoded (``\\x1b`` -> ``%1B``), nothing else.

    For URLs a site hands over outside a link (robots.txt ``Sitemap:`` lines): httpx refuses them raw.
    """
    return _CONTROLS.sub(lambda m: f"%{ord(m.group()):02X}", url)


def url_key(url: str) -> str:
    """The dedup key and record-id source of a URL; idempotent, never the URL that is requested.

    Lower-case scheme and host, no default port, no userinfo, no fragment, repeated slashes in
    the path folded, an empty path made ``/``, percent-encoding made uniform, tracking
    parameters (``utm_*``, ``fbclid``, ...) and empty query items dropped, the rest sorted.
    For plain URLs (no query, or simple ``name=value`` items) it equals what werger's earlier
    normaliser gave, so record ids stay.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    host, colon, port = netloc.rpartition(":")
    if colon and "]" not in port and port in ("", _DEFAULT_PORTS.get(scheme)):
        netloc = host
    path = _LEADING_PARENTS.sub("", _REPEATED_SLASHES.sub("/", parts.path))
    path = quote(path, safe=_PATH_SAFE)
    items = [quote(item, safe=_QUERY_SAFE) for item in parts.query.split("&")]
    kept = sorted(item for item in items if item and not _is_tracking(item))
    query = "&".join(kept)
    if not path and netloc:
        path = "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(item: str) -> bool:
    return item.split("=", 1)[0].lower().startswith(TRACKING_PREFIXES)


def same_host(url: str, hosts: Set[str]) -> bool:
    """Whether ``url``'s host (with port) is one of ``hosts`` (lower-case ``host[:port]`` strings)."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower() in hosts
