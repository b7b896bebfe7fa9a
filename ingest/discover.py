"""Finding pages: sitemaps, RSS/Atom feeds and links inside pages, normalised and deduplicated."""

from __future__ import annotations

import zlib
from urllib.parse import urljoin, urlsplit

from courlan import normalize_url
from lxml import etree, html

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid")
MAX_SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit for an uncompressed file


def canonical(url: str) -> str:
    """One spelling per page: lower-case host, no fragment, no tracking parameters."""
    try:
        normal = normalize_url(url, strict=False, trailing_slash=True)
    except (ValueError, AttributeError):
        normal = url
    parts = urlsplit(normal)
    if parts.query:
        kept = [p for p in parts.query.split("&") if p and not p.lower().startswith(_TRACKING_PREFIXES)]
        normal = parts._replace(query="&".join(kept)).geturl()
    return normal.split("#", 1)[0]


def _parse_xml(text: str | bytes) -> etree._Element | None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if data[:2] == b"\x1f\x8b":
        data = gunzip_capped(data)
        if data is None:
            return None
    try:
        return etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return None


def gunzip_capped(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes | None:
    """Decompress a gzip file, or None when it is corrupt or inflates past ``limit`` (a gzip bomb)."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        return None
    return None if len(out) > limit else out


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(text: str | bytes) -> tuple[list[str], list[str]]:
    """Return (page URLs, nested sitemap URLs) from a sitemap or sitemap index."""
    root = _parse_xml(text)
    if root is None:
        return [], []
    locs = [el.text.strip() for el in root.iter() if _local(el.tag) == "loc" and el.text]
    if _local(root.tag) == "sitemapindex":
        return [], locs
    return locs, []


def parse_feed(text: str | bytes, base_url: str) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed."""
    root = _parse_xml(text)
    if root is None:
        return []
    links: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        parent = _local(el.getparent().tag) if el.getparent() is not None else ""
        if name != "link" or parent not in ("item", "entry"):
            continue
        href = el.get("href") if el.get("href") is not None else (el.text or "").strip()
        rel = el.get("rel", "alternate")
        if href and rel == "alternate":
            links.append(urljoin(base_url, href))
    return links


def page_links(page_html: str, base_url: str) -> list[str]:
    """Absolute http(s) links of a page, in document order, without duplicates."""
    try:
        tree = html.fromstring(page_html)
    except (etree.ParserError, ValueError):
        return []
    base = tree.base or base_url
    found: dict[str, None] = {}
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https"):
            found[url] = None
    return list(found)
