"""Second pass over extracted paragraphs: drop the boilerplate trafilatura lets through.

Three signals, each judged on a whole paragraph so that a real article sentence is never cut:

- phrase rules from ``boilerplate.toml`` (comment forms, share and follow captions, menus,
  contact lines, hashtags, UI labels in en/ru/ar/ckb/kmr), applied only to short paragraphs,
  and leading rules (disclaimers, error-report prompts) that mark a paragraph of any length;
- link text: a paragraph made mostly of the page's link texts is navigation, unless the text
  outside its links is itself a sentence or more, or the paragraph reads as prose (an article
  sentence that the page also links, as a pull quote or a teaser, is still article text);
- site template lines: a short line seen verbatim on several pages of one site is the site's
  chrome (slogans, mega-menu blurbs), learned as a crawl goes (:class:`TemplateLines`); a line
  that reads as prose is republished text, not chrome, and is kept.

Table rows (trafilatura writes a row as ``| cell | cell |``) are judged cell by cell: a row of a
layout table that holds a long cell is split into its cells, each then a paragraph of its own;
a row of short cells is dropped when every cell in it is boilerplate.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

RULES_PATH = Path(__file__).with_name("boilerplate.toml")
_LIST_MARK = re.compile(r"^[-•·*\u2013]\s+")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
_CELL_SPLIT = re.compile(r"\s*(?<!\\)\|\s*")
_PROSE_END = re.compile("[.!?…\u061f\u06d4]([\"'»”)\\]]*)$")  # with Arabic and Urdu stops


def normalize(paragraph: str) -> str:
    """The form rules and template lines compare: trimmed, spaces collapsed, list dash dropped."""
    return _LIST_MARK.sub("", _SPACE.sub(" ", paragraph).strip())


@dataclass(frozen=True)
class BoilerplateRules:
    """The data of ``boilerplate.toml``, compiled."""

    max_rule_chars: int
    template_min_pages: int
    template_max_chars: int
    link_share: float
    link_rest_chars: int
    layout_cell_chars: int
    prose_words: int
    matcher: re.Pattern[str]
    leading: re.Pattern[str]

    def is_boilerplate(self, paragraph: str) -> bool:
        """True when the whole (normalized) paragraph matches a rule of any language.

        A paragraph without a letter or digit (an empty table row, a rule of dashes) is
        boilerplate; a leading rule matches the start of a paragraph of any length.
        """
        text = normalize(paragraph)
        if not _WORD.search(text):
            return True
        if self.leading.match(text) is not None:
            return True
        return len(text) <= self.max_rule_chars and self.matcher.fullmatch(text) is not None

    def is_prose(self, paragraph: str) -> bool:
        """A sentence or more: at least ``prose_words`` words and a sentence end at the close."""
        text = normalize(paragraph)
        return len(_WORDS.findall(text)) >= self.prose_words and _PROSE_END.search(text) is not None


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> BoilerplateRules:
    """Read and compile the rules once; every language's patterns join one alternation."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    patterns = [p for items in data["patterns"].values() for p in items]
    matcher = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    leading = [p for items in data["leading"].values() for p in items]
    return BoilerplateRules(
        max_rule_chars=int(data["max_rule_chars"]),
        template_min_pages=int(data["template_min_pages"]),
        template_max_chars=int(data["template_max_chars"]),
        link_share=float(data["link_share"]),
        link_rest_chars=int(data["link_rest_chars"]),
        layout_cell_chars=int(data["layout_cell_chars"]),
        prose_words=int(data["prose_words"]),
        matcher=matcher,
        leading=re.compile("|".join(f"(?:{p})" for p in leading), re.IGNORECASE),
    )


@dataclass
class TemplateLines:
    """Short lines counted across the pages of one site; those on many pages are its template.

    A line counts once per page (pages are told apart by a key, such as the record id), and only
    after ``min_pages`` distinct pages carry it, so the first pages of a fresh site keep lines that
    later pages reveal as template. The counts can be saved and loaded, so a later crawl starts
    with what earlier crawls learned and cleans every page the same way.
    """

    min_pages: int
    max_chars: int
    pages: dict[str, set[str]] = field(default_factory=dict)
    _anonymous: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, paragraphs: Iterable[str], page_key: str | None = None) -> None:
        lines = {normalize(p) for p in paragraphs}
        with self._lock:
            if page_key is None:
                self._anonymous += 1
                page_key = f"#{self._anonymous}"
            for line in lines:
                if line and len(line) <= self.max_chars:
                    carriers = self.pages.setdefault(line, set())
                    if len(carriers) < self.min_pages:
                        carriers.add(page_key)

    def is_template(self, paragraph: str) -> bool:
        return len(self.pages.get(normalize(paragraph), ())) >= self.min_pages

    def to_json(self) -> dict[str, list[str]]:
        """Lines seen on more than one page (single-page lines teach nothing and are most lines)."""
        with self._lock:
            return {line: sorted(keys) for line, keys in self.pages.items() if len(keys) > 1}

    def load_json(self, data: dict[str, list[str]]) -> None:
        with self._lock:
            for line, keys in data.items():
                carriers = self.pages.setdefault(line, set())
                carriers.update(keys[: max(self.min_pages - len(carriers), 0)])


def link_share(paragraph: str, link_texts: Iterable[str]) -> float:
    """Share of the paragraph's letters and digits that sit inside link texts (separators ignored)."""
    return _link_share_and_rest(paragraph, link_texts)[0]


def _link_share_and_rest(paragraph: str, link_texts: Iterable[str]) -> tuple[float, int]:
    """(share of letters and digits inside link texts, letters and digits outside them)."""
    rest = normalize(paragraph)
    total = len(_WORD.findall(rest))
    if not total:
        return 0.0, 0
    for link in link_texts:
        if link in rest:
            rest = rest.replace(link, " ")
    outside = len(_WORD.findall(rest))
    return 1 - outside / total, outside


def table_cells(paragraph: str) -> list[str] | None:
    """The non-empty cells of a table row as trafilatura writes it (``| a | b |``), else None."""
    text = paragraph.strip()
    if len(text) < 2 or not (text.startswith("|") and text.endswith("|")):
        return None
    return [cell.replace("\\|", "|") for cell in _CELL_SPLIT.split(text[1:-1]) if cell.strip()]


@dataclass
class Cleaner:
    """Removes boilerplate paragraphs; one per site, so template lines are learned per site."""

    rules: BoilerplateRules = field(default_factory=load_rules)
    template: TemplateLines | None = None

    def __post_init__(self) -> None:
        if self.template is None:
            self.template = TemplateLines(self.rules.template_min_pages, self.rules.template_max_chars)

    def clean(
        self, paragraphs: list[str], link_texts: Iterable[str] = (), page_key: str | None = None
    ) -> list[str]:
        """Paragraphs that are not boilerplate, order kept; ``paragraphs`` also teach the template.

        Learned template lines never empty a page on their own: when every remaining paragraph
        is one, the page repeats another page's text (a republished article), and that text is
        its content, as ``SiteCleaners.drop_learned_template`` also holds.
        """
        assert self.template is not None
        paragraphs = self._split_layout_rows(paragraphs)
        self.template.observe(paragraphs, page_key)
        links = sorted({normalize(t) for t in link_texts if len(t.strip()) > 1}, key=len, reverse=True)
        kept = []
        for paragraph in paragraphs:
            cells = table_cells(paragraph)
            if cells is not None and len(cells) > 1:
                if all(self._is_boilerplate(cell, links) for cell in cells):
                    continue
            elif self._is_boilerplate(cells[0] if cells else paragraph, links):
                continue
            kept.append(paragraph)
        untemplated = [p for p in kept if not self.is_template_line(p)]
        return untemplated or kept

    def _split_layout_rows(self, paragraphs: list[str]) -> list[str]:
        """Rows of a layout table (one cell holds a long text) become one paragraph per cell."""
        out: list[str] = []
        for paragraph in paragraphs:
            cells = table_cells(paragraph)
            if cells and max(len(cell) for cell in cells) >= self.rules.layout_cell_chars:
                out.extend(cells)
            else:
                out.append(paragraph)
        return out

    def is_template_line(self, paragraph: str) -> bool:
        """A line this site's template has revealed (on ``template_min_pages`` pages), and not prose:
        a sentence a site repeats on many pages is republished text, kept as content."""
        assert self.template is not None
        return self.template.is_template(paragraph) and not self.rules.is_prose(paragraph)

    def _is_boilerplate(self, paragraph: str, links: list[str]) -> bool:
        if self.rules.is_boilerplate(paragraph):
            return True
        if not links or self.rules.is_prose(paragraph):
            return False  # an article sentence that is also linked elsewhere on the page stays
        share, outside = _link_share_and_rest(paragraph, links)
        return share >= self.rules.link_share and outside < self.rules.link_rest_chars


def strip_boilerplate(paragraphs: list[str], rules: BoilerplateRules | None = None) -> list[str]:
    """Paragraphs that match no phrase rule, order kept (no site or link knowledge needed)."""
    rules = rules or load_rules()
    return [p for p in paragraphs if not rules.is_boilerplate(p)]
