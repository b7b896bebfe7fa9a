"""Finding pages: sitemaps, RSS/Atom feeds and links inside pages, as published (see ``ingest.urls``)."""

from __future__ import annotations

import re
import zlib
from urllib.parse import urlsplit

from lxml import etree, html

from ingest.errors import DiscoveryError
from ingest.urls import published_url, url_key

MAX_SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit for an uncompressed file
# Decoded page text re-encoded as UTF-8: this parser's encoding wins over the page's declaration.
_UTF8_HTML = html.HTMLParser(encoding="utf-8")


def canonical(url: str) -> str:
    """The dedup key of ``url`` (kept for callers of the earlier name); see ``ingest.urls.url_key``."""
    return url_key(url)


def _parse_xml(text: str | bytes, what: str) -> etree._Element:
    """Parse a sitemap or feed; DiscoveryError says why one cannot be used.

    A bare ``&`` (``?id=7&section=economy``, invalid XML that many CMSs write) is read as the
    character: the recovering parser would drop ``&section`` as an unknown entity and werger
    would request a URL the site never published.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, what)
    if b"&" in data:
        data = _escape_bare_ampersands(data)
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"{what} is not XML: {exc}") from None
    if root is None:
        raise DiscoveryError(f"{what} is not XML")
    return root


_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _escape_bare_ampersands(data: bytes) -> bytes:
    """``data`` with each ``&`` that starts no entity reference written ``&amp;``, CDATA untouched."""
    parts = _CDATA.split(data)
    return b"".join(part if i % 2 else _BARE_AMPERSAND.sub(b"&amp;", part) for i, part in enumerate(parts))


def _gunzip(data: bytes, what: str, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress a gzip file without inflating past ``limit``; DiscoveryError says why not."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"{what} is not valid gzip ({exc}), not read") from None
    if len(out) > limit:
        raise DiscoveryError(
            f"{what} inflates past {limit} bytes (the sitemap protocol's limit for one file), not read; "
            "split it into several files under a sitemap index"
        )
    return out


def gunzip_capped(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes | None:
    """Decompress a gzip file, or None when it is corrupt or inflates past ``limit`` (a gzip bomb)."""
    try:
        return _gunzip(data, "file", limit)
    except DiscoveryError:
        return None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(text: str | bytes, base_url: str | None = None) -> tuple[list[str], list[str]]:
    """Return (page URLs, nested sitemap URLs) from a sitemap or sitemap index.

    The protocol asks for absolute ``<loc>`` URLs; CMS plugins that write ``/news/1`` or
    ``news/1`` are met in the field, and with ``base_url`` (the sitemap's own URL) such a
    ``<loc>`` is resolved against it as a link is against its page. Raises DiscoveryError when
    the file is over the protocol's 50 MB limit, corrupt or not XML.
    """
    root = _parse_xml(text, "sitemap")
    locs = [el.text.strip() for el in root.iter() if _local(el.tag) == "loc" and el.text and el.text.strip()]
    if base_url is not None:
        locs = [published_url(loc, base_url) for loc in locs]
    if _local(root.tag) == "sitemapindex":
        return [], locs
    return locs, []


def parse_feed(text: str | bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed; DiscoveryError when it cannot be read.

    Relative links resolve against the ``xml:base`` of their element and its ancestors (Atom,
    RFC 4287 section 2; XML Base), each resolved against the one above and the outermost against
    ``base_url``, the feed's own URL.
    """
    root = _parse_xml(text, "feed")
    links: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        parent = _local(el.getparent().tag) if el.getparent() is not None else ""
        if name != "link" or parent not in ("item", "entry"):
            continue
        href = el.get("href") if el.get("href") is not None else (el.text or "").strip()
        rel = el.get("rel", "alternate")
        if href and rel == "alternate":
            links.append(published_url(href, _xml_base(el, base_url)))
    return links


def _xml_base(element: etree._Element, base_url: str) -> str:
    """``base_url`` with the ``xml:base`` attributes of ``element`` and its ancestors applied."""
    declared = [
        value.strip()
        for node in (element, *element.iterancestors())
        if (value := node.get("{http://www.w3.org/XML/1998/namespace}base")) and value.strip()
    ]
    for value in reversed(declared):
        base_url = published_url(value, base_url)
    return base_url


def page_links(page_html: str, base_url: str) -> list[str]:
    """Absolute http(s) links of a page as published, in document order, without duplicates.

    Links are the ``href`` of ``<a>`` and of ``<area>`` (an image map's regions: front pages of
    some partner sites link their sections and lead stories that way), as Scrapy's
    ``LinkExtractor`` reads them by default; ``data-href`` and ``onclick`` are scripts, not links.

    Links resolve against the page's ``<base href>`` when it has one, itself resolved against the
    page URL as browsers do (a relative ``<base href="/en/">`` is common; the first ``<base>``
    with an ``href``, in the head or not, counts; one that is not http(s), ``javascript:`` or
    ``data:``, does not); fragments are dropped.
    An XHTML page that starts with ``<?xml ... encoding="..."?>`` is read too (lxml refuses such a
    declaration in text that is already decoded, so the text is handed over as UTF-8 bytes).
    """
    try:
        try:
            tree = html.fromstring(page_html)
        except ValueError:
            tree = html.fromstring(page_html.encode("utf-8", "surrogatepass"), parser=_UTF8_HTML)
    except (etree.ParserError, ValueError):
        return []
    return tree_links(tree, base_url)


def tree_links(tree: html.HtmlElement, base_url: str) -> list[str]:
    """``page_links`` of a page already parsed, so a page that is also extracted is parsed once."""
    declared = next((b.get("href") for b in tree.iter("base") if b.get("href")), None)
    base = published_url(declared, base_url) if declared and declared.strip() else base_url
    if urlsplit(base).scheme.lower() not in ("http", "https"):
        base = base_url  # HTML: a data: or javascript: base URL is not used; the page's URL is
    found: dict[str, None] = {}
    seen: set[str] = set()  # a news page links most stories twice or more (teaser, headline, image)
    for anchor in tree.iter("a", "area"):
        href = (anchor.get("href") or "").strip()
        if not href or href in seen or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        seen.add(href)
        url = published_url(href, base)
        if urlsplit(url).scheme in ("http", "https"):
            found[url] = None
    return list(found)
