"""Where a record stands paragraph by paragraph, and what an approval would let through.

An approval publishes the record to downstream programs as final, so it must not happen by one
key press over paragraphs that are empty or still flagged: the app names them and asks again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from store.record import Record


@dataclass(frozen=True)
class ParagraphProgress:
    total: int
    to_translate: int
    edited: int
    flagged: int
    empty: int


def needs_target(record: Record, index: int) -> bool:
    """A paragraph needs a translation unless it is already in the target language."""
    return record.segments[index].lang != record.target_lang


def paragraph_progress(record: Record) -> ParagraphProgress:
    """Counts of paragraphs: to translate, edited by a person, carrying QA flags, still empty."""
    wanted = [s for s in record.segments if needs_target(record, s.index)]
    return ParagraphProgress(
        total=len(record.segments),
        to_translate=len(wanted),
        edited=sum(1 for s in wanted if s.edited_by),
        flagged=sum(1 for s in wanted if s.qa_flags),
        empty=sum(1 for s in wanted if not (s.target or "").strip()),
    )


def approval_problems(record: Record, meaning: Callable) -> list[str]:
    """One sentence per paragraph that should stop an approval: an empty translation, or QA flags
    that no person has dealt with (a paragraph edited by a person counts as dealt with)."""
    problems = []
    for segment in record.segments:
        if not needs_target(record, segment.index):
            continue
        if not (segment.target or "").strip():
            problems.append(f"Paragraph {segment.index + 1} has no translation.")
        elif segment.qa_flags and not segment.edited_by:
            titles = ", ".join(meaning(flag).title.lower() for flag in segment.qa_flags)
            problems.append(f"Paragraph {segment.index + 1} is flagged: {titles}.")
    return problems
