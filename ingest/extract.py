"""Main text and metadata of an article page, as paragraphs, via trafilatura.

The trafilatura settings live in :data:`SETTINGS`; ``bench/extract.py`` scores the alternatives
(default, favor_precision, favor_recall, with comments) on ``fixtures/extraction/`` and these are
the winners. The page is parsed once: the same tree gives trafilatura its input and the
boilerplate pass the page's link texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from ingest.boilerplate import normalize

EXTRACTOR = "trafilatura"

SETTINGS: dict[str, Any] = {
    "favor_precision": True,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}

# The headline is stored as the record's title; it may sit below a slogan or a date line.
_TITLE_WINDOW = 3


@dataclass
class Extracted:
    """What the extractor found on one page."""

    title: str | None
    author: str | None
    published: str | None
    sitename: str | None
    paragraphs: list[str] = field(default_factory=list)
    link_texts: frozenset[str] = frozenset()


def extractor_version() -> str:
    return version("trafilatura")


def link_texts(tree: Any) -> frozenset[str]:
    """Texts of the page's links, for the boilerplate pass's link-share signal."""
    texts = (normalize(a.text_content()) for a in tree.iter("a"))
    return frozenset(t for t in texts if t)


def extract(page_html: str, url: str, settings: dict[str, Any] | None = None) -> Extracted | None:
    """Paragraphs of the main text (comments excluded), or None when the page has no main text."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(page_html)
    if tree is None:
        return None
    links = link_texts(tree)
    document = trafilatura.bare_extraction(tree, url=url, with_metadata=True, **(settings or SETTINGS))
    if document is None or not document.text:
        return None
    paragraphs = without_title(
        [line.strip() for line in document.text.split("\n") if line.strip()], document.title
    )
    if not paragraphs:
        return None
    return Extracted(
        title=document.title,
        author=document.author,
        published=document.date,
        sitename=document.sitename,
        paragraphs=paragraphs,
        link_texts=links,
    )


def without_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Paragraphs minus the headline when it appears among the first few."""
    if not title:
        return paragraphs
    wanted = normalize(title)
    for i, paragraph in enumerate(paragraphs[:_TITLE_WINDOW]):
        if normalize(paragraph) == wanted:
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs
