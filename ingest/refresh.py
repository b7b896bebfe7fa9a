"""A page that sends the browser elsewhere with ``<meta http-equiv="refresh" content="0; url=...">``.

Sites that moved a section without server redirects leave such stub pages ("This page has moved")
at the old addresses. A browser follows them; so does Scrapy (``MetaRefreshMiddleware``). werger
follows one as a redirect: the stub is not stored, and its target is queued as a new URL, so
scope, robots.txt, the private-address guard and deduplication all apply to it.

Only a refresh due within ``MAX_DELAY`` seconds is a redirect. Scrapy follows up to 100 s, but a
news article that returns to the home page after a minute or two is an article: storing it is
what its readers see first. A refresh without a URL reloads the page (front pages do, every few
minutes), a refresh inside ``<noscript>`` is for browsers without scripts (Scrapy ignores it
too) and one inside a comment is for old Internet Explorers; none of them is followed.
"""

from __future__ import annotations

import html
import re

from ingest.urls import published_url, url_key

MAX_DELAY = 10.0  # seconds
# A refresh belongs in the head; it is looked for in the page's first HEAD_CHARS characters.
HEAD_CHARS = 64_000
_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
# Where a browser never sees a refresh: <noscript> (scripts are on) and comments, among them
# Internet Explorer's conditional comments (<!--[if lte IE 6]><meta ...refresh...><![endif]-->, a
# "your browser is too old" page on a real Russian news site).
_UNSEEN = re.compile(r"<noscript\b.*?(?:</noscript\s*>|$)|<!--.*?(?:-->|$)", re.IGNORECASE | re.DOTALL)
# content="0; url=/news/new", "5;URL='...'", "0, url=...", "0; /news/new" (no "url=")
_CONTENT = re.compile(
    r"""^\s*(\d+(?:\.\d*)?)\s*(?:[;,]\s*(?:url\s*=\s*)?(?P<url>["']?.*?["']?)\s*)?$""",
    re.IGNORECASE | re.DOTALL,
)


def meta_refresh_target(page_html: str, page_url: str) -> str | None:
    """The URL a page's meta refresh sends a browser to within ``MAX_DELAY`` seconds, resolved
    against ``page_url`` (the URL that answered); None when there is none, it comes later, it has
    no URL, or it points back to the page itself."""
    head = page_html[:HEAD_CHARS]
    if "refresh" not in head.lower():
        return None
    head = _UNSEEN.sub(" ", head)
    for tag in _META.finditer(head):
        attributes = {
            match.group(1).lower(): html.unescape(next(v for v in match.groups()[1:] if v is not None))
            for match in _ATTRIBUTE.finditer(tag.group())
        }
        if attributes.get("http-equiv", "").strip().lower() != "refresh":
            continue
        match = _CONTENT.match(attributes.get("content", ""))
        if match is None or float(match.group(1)) > MAX_DELAY:
            return None
        written = (match.group("url") or "").strip().strip("\"'").strip()
        if not written:
            return None
        target = published_url(written, page_url)
        if not target.startswith(("http://", "https://")) or url_key(target) == url_key(page_url):
            return None
        return target
    return None
