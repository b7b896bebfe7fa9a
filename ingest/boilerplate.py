"""Second pass over extracted paragraphs: drop the boilerplate trafilatura lets through.

Three signals, each judged on a whole paragraph so that a real article sentence is never cut:

- phrase rules from ``boilerplate.toml`` (comment forms, share and follow captions, menus,
  contact lines, hashtags, UI labels in en/ru/ar/ckb/kmr), applied only to short paragraphs;
- link text: a paragraph made mostly of the page's link texts is navigation;
- site template lines: a short line seen verbatim on several pages of one site is the site's
  chrome (slogans, mega-menu blurbs), learned as a crawl goes (:class:`TemplateLines`).
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
    matcher: re.Pattern[str]

    def is_boilerplate(self, paragraph: str) -> bool:
        """True when the whole (normalized) paragraph matches a rule of any language."""
        text = normalize(paragraph)
        if not text:
            return True
        return len(text) <= self.max_rule_chars and self.matcher.fullmatch(text) is not None


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> BoilerplateRules:
    """Read and compile the rules once; every language's patterns join one alternation."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    patterns = [p for items in data["patterns"].values() for p in items]
    matcher = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return BoilerplateRules(
        max_rule_chars=int(data["max_rule_chars"]),
        template_min_pages=int(data["template_min_pages"]),
        template_max_chars=int(data["template_max_chars"]),
        link_share=float(data["link_share"]),
        matcher=matcher,
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
    rest = normalize(paragraph)
    total = len(_WORD.findall(rest))
    if not total:
        return 0.0
    for link in link_texts:
        if link in rest:
            rest = rest.replace(link, " ")
    return 1 - len(_WORD.findall(rest)) / total


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
        self.template.observe(paragraphs, page_key)
        links = sorted({normalize(t) for t in link_texts if len(t.strip()) > 1}, key=len, reverse=True)
        kept = [p for p in paragraphs if not self._is_boilerplate(p, links)]
        untemplated = [p for p in kept if not self.template.is_template(p)]
        return untemplated or kept

    def _is_boilerplate(self, paragraph: str, links: list[str]) -> bool:
        return self.rules.is_boilerplate(paragraph) or (
            bool(links) and link_share(paragraph, links) >= self.rules.link_share
        )


def strip_boilerplate(paragraphs: list[str], rules: BoilerplateRules | None = None) -> list[str]:
    """Paragraphs that match no phrase rule, order kept (no site or link knowledge needed)."""
    rules = rules or load_rules()
    return [p for p in paragraphs if not rules.is_boilerplate(p)]
