"""Main text and metadata of an article page, as paragraphs, via trafilatura."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import version


@dataclass
class Extracted:
    """What the extractor found on one page."""

    title: str | None
    author: str | None
    published: str | None
    sitename: str | None
    paragraphs: list[str] = field(default_factory=list)


EXTRACTOR = "trafilatura"


def extractor_version() -> str:
    return version("trafilatura")


def extract(page_html: str, url: str) -> Extracted | None:
    """Paragraphs of the main text (comments excluded), or None when the page has no main text."""
    import trafilatura

    document = trafilatura.bare_extraction(
        page_html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    if document is None or not document.text:
        return None
    paragraphs = [line.strip() for line in document.text.split("\n") if line.strip()]
    if paragraphs and document.title and paragraphs[0] == document.title.strip():
        paragraphs = paragraphs[1:]
    if not paragraphs:
        return None
    return Extracted(
        title=document.title,
        author=document.author,
        published=document.date,
        sitename=document.sitename,
        paragraphs=paragraphs,
    )
