"""The CPU-bound work on one fetched page, done once per page and away from the event loop.

A fetched HTML page is parsed once (``ingest.extract.load_page``): the same tree gives the crawl
the page's links (``ingest.discover.tree_links``) and the extractor its input, instead of a parse
for each. In a run with worker processes (``[crawler] extract_processes``) the language of every
extracted paragraph is identified there too, so the crawl process only cleans, builds and stores
records and keeps its event loop free for fetching. ``analyse`` is a plain function of picklable
values for that reason.

What comes out is what the separate steps give: the links equal ``page_links`` of the page, the
extraction equals ``extract``, and a guess equals ``detect`` of its paragraph (``detect`` is
deterministic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.discover import page_links, tree_links
from ingest.extract import Extracted, extract_tree, load_page
from ingest.langid import LanguageGuess, detect, hint_labels

# The characters trafilatura's loader deletes before parsing (``trafilatura.utils.INVALID_XML_CHARS``):
# in a link they must be kept and percent-encoded as a browser does, so such a page's links come
# from a parse of their own.
_DELETED_BY_LOADER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class PageAnalysis:
    """Links, main text and paragraph languages of one page.

    ``extracted`` is None when extraction was not asked for or found no main text;
    ``languages`` maps an extracted paragraph to its ``detect`` guess (empty unless asked for).
    """

    links: list[str]
    extracted: Extracted | None = None
    languages: dict[str, LanguageGuess] = field(default_factory=dict)


def analyse(
    page_html: str,
    url: str,
    extract_text: bool = True,
    identify: bool = False,
    declared: tuple[str | None, ...] = (),
) -> PageAnalysis:
    """Parse ``page_html`` (fetched from ``url``) once: its links and, with ``extract_text``, its
    main text; with ``identify``, the language of each extracted paragraph as well, hinted by
    the page's ``<html lang>`` and ``declared`` (server and site declarations, BCP 47 tags)."""
    tree = load_page(page_html)
    if tree is None or _DELETED_BY_LOADER.search(page_html):
        links = page_links(page_html, url) if page_html else []
    else:
        links = tree_links(tree, url)
    if not extract_text or tree is None:
        return PageAnalysis(links)
    extracted = extract_tree(tree, url)
    languages: dict[str, LanguageGuess] = {}
    if identify and extracted is not None:
        hints = hint_labels([extracted.lang, *declared])
        languages = {p: detect(p, hints) for p in extracted.paragraphs}
    return PageAnalysis(links, extracted, languages)
