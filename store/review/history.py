"""What changed from one revision of a record to the next: source paragraphs, translations, languages.

A recrawl can rewrite, add or drop source paragraphs, so paragraphs are matched by their source text
(difflib over the paragraph list), not by position: an inserted paragraph shows as inserted instead
of every later paragraph showing as changed. Within a matched or replaced pair, words are diffed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from store.record import Record, Segment
from store.review.text import word_diff


@dataclass(frozen=True)
class Change:
    """One change: ``kind`` is source, target or lang of a paragraph (``index`` in the newer
    revision, or the older one for a removed paragraph), or title_source or title (``index`` -1);
    ``pieces`` as ``word_diff`` gives them."""

    kind: str
    index: int
    pieces: list[tuple[str, str]]


def revision_changes(before: Record | None, after: Record) -> list[Change]:
    """Changes from ``before`` to ``after``, in paragraph order; empty for a record's first revision."""
    if before is None:
        return []
    changes = _title_changes(before, after)
    old, new = before.segments, after.segments
    matcher = difflib.SequenceMatcher(a=[s.source for s in old], b=[s.source for s in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                changes.extend(_same_source(a, b))
            continue
        pairs = list(zip(old[i1:i2], new[j1:j2], strict=False))
        for a, b in pairs:
            changes.append(Change("source", b.index, word_diff(a.source, b.source)))
        for a in old[i1 + len(pairs) : i2]:
            changes.append(Change("source", a.index, [("delete", a.source)]))
        for b in new[j1 + len(pairs) : j2]:
            changes.append(Change("source", b.index, [("insert", b.source)]))
    return changes


def _title_changes(before: Record, after: Record) -> list[Change]:
    """The title's source (the site renamed the page) and its translation, as ``title_source`` and
    ``title`` changes (index -1)."""
    old, new = before.title_segment, after.title_segment
    found = []
    if (before.title or "") != (after.title or ""):
        found.append(Change("title_source", -1, word_diff(before.title, after.title)))
    old_target, new_target = (old.target if old else None), (new.target if new else None)
    if old_target != new_target:
        found.append(Change("title", -1, word_diff(old_target, new_target)))
    return found


def _same_source(a: Segment, b: Segment) -> list[Change]:
    found = []
    if a.lang != b.lang:
        found.append(Change("lang", b.index, [("delete", a.lang), ("insert", b.lang)]))
    if a.target != b.target:
        found.append(Change("target", b.index, word_diff(a.target, b.target)))
    return found
