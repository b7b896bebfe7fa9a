"""Two spellings of a URL: the one werger requests, and the key it deduplicates and names records by.

A page is requested exactly as the site published it: the link is resolved against its page (or
the page's ``<base href>``) and the fragment, which never reaches a server, is dropped; nothing
else changes, because servers tell ``?/news/101-x/`` from ``/index.php`` and ``&section=`` from
``&sect;ion=``. Deduplication and record ids use ``url_key``, a separate spelling that folds what
cannot change the page (case of scheme and host, default ports, fragments, tracking parameters,
the order of query parameters, the spelling of percent-escapes and of the host, session ids)
and is idempotent: ``url_key(url_key(u)) == url_key(u)``. It
never unescapes HTML entities and keeps query items without ``=``.
"""

from __future__ import annotations

import re
from collections.abc import Set
from contextlib import suppress
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid", "_ga", "_gl", "msclkid")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_PATH_SAFE = "/%!=:,-"  # as courlan quotes paths, so record ids of plain URLs stay
_QUERY_SAFE = "/%!=:,-@$'()*+;~.?"
_REPEATED_SLASHES = re.compile(r"/{2,}")
_LEADING_PARENTS = re.compile(r"^(?:/\.\.(?![^/]))+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_SEMICOLON = "\ue000"  # a private-use character standing in for ";" while urljoin works
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# RFC 3986 section 2.3: escapes of these octets are the characters themselves
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Session ids that servers write into links for visitors without cookies (Java ";jsessionid=",
# PHP's trans_sid "PHPSESSID=", ASP.NET cookieless "/(S(x))/"): every visit spells the page anew.
SESSION_PARAMETERS = ("jsessionid", "phpsessid", "aspsessionid", "sessionid")
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid)=[^/;]*", re.IGNORECASE)
_COOKIELESS_SESSION = re.compile(r"/\((?:[A-Za-z]\([^()/]*\))+\)(?=/)")


def published_url(href: str, base: str) -> str:
    """``href`` resolved against ``base`` (as a browser does), without its fragment; nothing else.

    An empty query stays (``story.php?`` is requested so, and ``?`` against a page with a query
    is the page without it). Surrounding whitespace is stripped, as browsers do for ``href``
    attributes; a backslash before
    the query is a slash (``\\news\\7.html``, written on some IIS sites); tabs and newlines
    inside are removed and other control characters percent-encoded (``\\x1b`` -> ``%1B``), as the
    WHATWG URL standard has browsers request them (httpx refuses a URL that holds them).
    """
    href = href.strip()
    if "\\" in href and urlsplit(urljoin(base, href.split("\\", 1)[0])).scheme in ("http", "https"):
        href = _backslashes_as_slashes(href)
    if ";" not in href + base or _SEMICOLON in href + base:
        joined = controls_encoded(urljoin(base, href)).split("#", 1)[0]
    else:
        # urljoin splits RFC 2396 ";params" off the last segment and drops an empty one ("/a;" ->
        # "/a"): a stand-in keeps every ";" where the page wrote it.
        joined = urljoin(base.replace(";", _SEMICOLON), href.replace(";", _SEMICOLON))
        joined = controls_encoded(joined.replace(_SEMICOLON, ";")).split("#", 1)[0]
    before_fragment = href.split("#", 1)[0]
    if before_fragment.find("?") == len(before_fragment) - 1 >= 0 and urlsplit(joined).scheme:
        # an empty query ("story.php?", "?") is one (RFC 3986 5.2.2): urljoin drops it, or keeps
        # the base's query for a bare "?", where a browser requests "...?"
        return joined.split("?", 1)[0] + "?"
    return joined


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

    Lower-case scheme and host (``host_key``), no default port, no userinfo, no fragment,
    repeated slashes in the path folded, an empty path made ``/``, percent-encoding made
    uniform (RFC 3986 section 6.2.2: escapes in upper case, ``%7E`` as ``~``; ``%d8%ae`` and
    ``خ`` are one path), session ids (``;jsessionid=``, ``PHPSESSID=``, ``/(S(...))/``),
    tracking parameters (``utm_*``, ``fbclid``, ...) and empty query items dropped, the rest
    sorted.
    For plain URLs (no query, or simple ``name=value`` items) it equals what werger's earlier
    normaliser gave, so record ids stay.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = host_key(parts.netloc, scheme)
    path = _COOKIELESS_SESSION.sub("", _PATH_SESSION.sub("", parts.path))
    path = _LEADING_PARENTS.sub("", _REPEATED_SLASHES.sub("/", path))
    path = _uniform_escapes(quote(path, safe=_PATH_SAFE))
    items = [_uniform_escapes(quote(item, safe=_QUERY_SAFE)) for item in parts.query.split("&")]
    kept = sorted(item for item in items if item and not _is_tracking(item))
    query = "&".join(kept)
    if not path and netloc:
        path = "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def _uniform_escapes(text: str) -> str:
    """Percent-escapes in upper case, those of unreserved characters decoded (RFC 3986 6.2.2)."""
    if "%" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(one, text)


def _is_tracking(item: str) -> bool:
    name = item.split("=", 1)[0].lower()
    return name.startswith(TRACKING_PREFIXES) or name.startswith(SESSION_PARAMETERS)


def host_key(netloc: str, scheme: str) -> str:
    """One spelling of a URL's ``host[:port]``: what a browser connects to is the same site.

    No userinfo, lower case, no trailing dot (``news.example.``), no port when it is the
    scheme's default, an internationalised name in its ASCII form (``пример.рф`` ->
    ``xn--e1afmkfd.xn--p1ai``, IDNA as Python's codec writes it), so a link written either way
    is on the site its seed names. ``scheme`` is ``http`` or ``https`` (another keeps its port).
    """
    netloc = netloc.rsplit("@", 1)[-1].lower()
    host, colon, port = netloc.rpartition(":")
    if not colon or "]" in port:
        host, port = netloc, ""
    host = host.rstrip(".") if not host.endswith("]") else host
    if not host.isascii():
        with suppress(UnicodeError):  # a name IDNA cannot write is compared as it is
            host = host.encode("idna").decode("ascii")
    if port and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def same_host(url: str, hosts: Set[str]) -> bool:
    """Whether ``url``'s host (with port) is one of ``hosts`` (``host_key`` spellings)."""
    parts = urlsplit(url)
    return host_key(parts.netloc, parts.scheme.lower()) in hosts
