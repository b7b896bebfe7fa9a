# ruff: noqa: RUF001, RUF002 - quotation marks and examples in the scripts they are about
"""Sentence splitting, because translation models are trained on sentences, not paragraphs.

sentencex proposes the boundaries; werger then takes back the ones that fall after an
abbreviation or an initial, and adds the ones sentencex misses. What an abbreviation is, is data:
one file per language in ``abbreviations/`` (see its README). The rules that hold in every
language are here:

- a sentence never ends before a lower-case word, in a script with case ("млн. руб. по ...");
- a single capital letter and a full stop is an initial ("А. Сафрастян"); in a caseless script
  (Arabic, Sorani) any single letter and a full stop is an abbreviation ("د. مول"), and so is a
  run of them ("أ.م.د." for an assistant professor), also after a proclitic the language's file
  lists ("ود. سامي": Arabic writes "and" onto the next word);
- a sentence never ends inside a word or a number ("٢.٢", "example.com");
- closing quotes and brackets after the full stop belong to the sentence they close;
- one-letter words that do end sentences (the Kurmanji copula "e", from ``languages.toml``) are
  not initials: the paragraph is split again where such a word and a full stop are followed by a
  capital letter.

Measured on FLORES-200 dev paragraphs of five sentences by ``bench/segment.py``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from translate.languages import language

ABBREVIATIONS_DIR = Path(__file__).with_name("abbreviations")

# Characters that close a sentence after its final punctuation: quotes, brackets, guillemets.
_CLOSERS = "\"'»”’)]}›」』"
_OPENERS = "\"'«“„‘([{‹「『"
_CLOSING_RUN = re.compile(rf"\s*[{re.escape(_CLOSERS)}]+(?=\s|$)")
# a quotation that ends a sentence; sentencex misses the boundary when another quotation follows
_QUOTE_END = re.compile(rf"[.!?؟…][{re.escape(_CLOSERS)}]+\s+")
_LAST_WORD = re.compile(r"(?:^|[\s(\[«\"“„'])([^\s(\[«\"“„']+)$")


@dataclass(frozen=True)
class Abbreviations:
    """One language's abbreviation lists, as compiled patterns over the end of a sentence."""

    nonbreaking: re.Pattern[str] | None
    before_number: re.Pattern[str] | None
    may_end: frozenset[str]
    # an ends_before_capital entry and the space after it: where a sentence ends before a capital
    may_end_boundary: re.Pattern[str] | None = None
    # one-letter words written onto the next word ("و" and), which may precede an abbreviation
    proclitics: tuple[str, ...] = ()


@cache
def abbreviations(lang: str) -> Abbreviations:
    """The lists of ``abbreviations/<lang>.toml``; a language without a file has none."""
    path = ABBREVIATIONS_DIR / f"{lang}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return Abbreviations(
        nonbreaking=_tail_pattern(data.get("nonbreaking", [])),
        before_number=_tail_pattern(data.get("before_number", [])),
        may_end=frozenset(_key(entry) for entry in data.get("may_end", [])),
        may_end_boundary=_boundary_pattern(data.get("ends_before_capital", [])),
        proclitics=tuple(data.get("proclitics", [])),
    )


def _boundary_pattern(entries: list[str]) -> re.Pattern[str] | None:
    """Matches one of ``entries`` (spaces and full stops inside as in ``_tail_pattern``), closing
    quotes and the space after it, before a letter."""
    if not entries:
        return None
    alternatives = []
    for entry in sorted({" ".join(e.casefold().split()) for e in entries}, key=len, reverse=True):
        words = [r"\.\s*".join(re.escape(part) for part in word.split(".")) for word in entry.split()]
        alternatives.append(r"\s+".join(words))
    closers, openers = re.escape(_CLOSERS), re.escape(_OPENERS)
    return re.compile(
        rf"(?:^|(?<=[\s(\[«\"“„'/-]))(?:{'|'.join(alternatives)})[{closers}]*\s+(?=[{openers}]*[^\W\d_])",
        re.IGNORECASE,
    )


def _key(entry: str) -> str:
    return "".join(entry.casefold().split())


def _tail_pattern(entries: list[str]) -> re.Pattern[str] | None:
    """Matches text that ends with one of ``entries``; a full stop inside one may be followed by spaces."""
    if not entries:
        return None
    alternatives = []
    for entry in sorted({_key(e) for e in entries}, key=len, reverse=True):
        parts = [re.escape(part) for part in entry.split(".")]
        body = r"\.\s*".join(parts)
        alternatives.append(body)
    return re.compile(rf"(?:^|(?<=[\s(\[«\"“„'/-]))(?:{'|'.join(alternatives)})$", re.IGNORECASE)


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one paragraph, stripped, none empty; a paragraph without a boundary stays whole."""
    from sentencex import get_sentence_boundaries

    ends = [_past_closers(text, b["end_index"]) for b in get_sentence_boundaries(lang, text)][:-1]
    ends = sorted(set(ends) | {m.end() for m in _QUOTE_END.finditer(text) if m.end() < len(text)})
    ends = sorted(set(ends) | set(_may_end_cuts(text, lang)))
    known = abbreviations(lang)
    kept: list[int] = []
    start = 0
    for end in ends:
        if _continues(text[start:end], text[end:], lang, known):
            continue
        kept.append(end)
        start = end
    cuts = sorted(set(kept) | set(_final_word_cuts(text, lang)))
    pieces = [text[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return [piece for piece in pieces if piece]


def _past_closers(text: str, end: int) -> int:
    """Move a boundary that sentencex put before a closing quote or bracket to after it."""
    match = _CLOSING_RUN.match(text, end)
    return match.end() if match else end


def _continues(before: str, after: str, lang: str, known: Abbreviations) -> bool:
    """True when the proposed boundary between ``before`` and ``after`` is not a sentence end."""
    head = before.rstrip()
    rest = after.lstrip()
    if not head or not rest or (head == before and rest == after):
        return True  # nothing on one side, or a cut inside a word or number ("٢.٢ ملیۆن")
    first = rest.lstrip(_OPENERS)[:1] or rest[0]
    if first.isalpha() and first.islower():
        return True
    if not head.rstrip(_CLOSERS).endswith("."):
        return False
    return _ends_with_abbreviation(head, first, lang, known) or any(
        _ends_with_abbreviation(unattached, first, lang, known)
        for unattached in _without_proclitic(head, known.proclitics)
    )


def _ends_with_abbreviation(head: str, first: str, lang: str, known: Abbreviations) -> bool:
    if known.nonbreaking and known.nonbreaking.search(head):
        return True
    if first.isdigit() and known.before_number and known.before_number.search(head):
        return True
    return _is_initial(head, lang, known)


def _without_proclitic(head: str, proclitics: tuple[str, ...]) -> list[str]:
    """``head`` with a proclitic taken off its last word, as a word of its own ("ود." ->
    "و د."): Arabic writes "and" onto the next word, an abbreviation or an initial too."""
    match = _LAST_WORD.search(head) if proclitics else None
    if match is None:
        return []
    word = match.group(1)
    cut = match.start(1)
    return [
        f"{head[:cut]}{p} {word[len(p) :]}"
        for p in proclitics
        if word.startswith(p) and len(word) > len(p) + 1
    ]


def _is_initial(head: str, lang: str, known: Abbreviations) -> bool:
    """True when ``head`` ends with one letter and a full stop that is not a word of its own.

    In a caseless script a run of such letters ("أ.م.د.", "ا.د.", "پ.ی.د.": academic titles) is
    an abbreviation too, unless ``may_end`` lists it.
    """
    match = _LAST_WORD.search(head)
    if match is None:
        return False
    word = match.group(1)
    if _key(word) in known.may_end:
        return False
    if len(word) > 2 and _dotted_letters(word):
        return not any(c.isupper() or c.islower() for c in word)
    if len(word) != 2 or not word[0].isalpha():
        return False
    letter = word[0]
    final_words = language(lang).sentence_final_words if language(lang) else ()
    if letter in final_words:
        return False
    return letter.isupper() or not letter.islower()


def _dotted_letters(word: str) -> bool:
    """True for single letters each followed by a full stop ("أ.م.د.", "U.S.")."""
    return len(word) % 2 == 0 and all(c.isalpha() for c in word[::2]) and set(word[1::2]) == {"."}


def _may_end_cuts(text: str, lang: str) -> list[int]:
    """Ends after an ``ends_before_capital`` abbreviation followed by a capital (so only in a
    script with case).

    sentencex takes some abbreviations that close an enumeration for non-breaking ("и т. д. Цены
    выросли" stayed one sentence); before a capital they end the sentence.
    """
    pattern = abbreviations(lang).may_end_boundary
    if pattern is None:
        return []
    return [m.end() for m in pattern.finditer(text) if text[m.end() :].lstrip(_OPENERS)[:1].isupper()]


def _final_word_cuts(text: str, lang: str) -> list[int]:
    pattern = _final_word_boundary(lang)
    return [m.end() for m in pattern.finditer(text)] if pattern else []


@cache
def _final_word_boundary(lang: str) -> re.Pattern[str] | None:
    known = language(lang)
    words = known.sentence_final_words if known else ()
    if not words:
        return None
    after_word = "|".join(rf"(?<=(?<!\w){re.escape(w)}\.)" for w in words)
    closers, openers = re.escape(_CLOSERS), re.escape(_OPENERS)
    return re.compile(rf"(?:{after_word})[{closers}]*\s+(?=[{openers}]*[A-ZÇŞÊÎÛ])")
