"""Where a record stands segment by segment, and what an approval would let through.

An approval publishes the record to downstream programs as final, so it must not happen by one
key press over segments that are empty or still flagged: the app names them and asks again. Flags
are computed on the text a segment holds (an editor's text too), so a flag is always current.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from store.record import Record, Segment


@dataclass(frozen=True)
class ParagraphProgress:
    total: int
    to_translate: int
    edited: int
    flagged: int
    empty: int


def _wanted(record: Record) -> list[Segment]:
    """The title and paragraphs that need a translation (not already in the target language)."""
    return [s for s in record.translatable_segments() if s.lang != record.target_lang]


def _name(record: Record, segment: Segment) -> str:
    return "The title" if segment is record.title_segment else f"Paragraph {segment.index + 1}"


def paragraph_progress(record: Record) -> ParagraphProgress:
    """Counts of the title and paragraphs: to translate, edited by a person, flagged, still empty."""
    wanted = _wanted(record)
    return ParagraphProgress(
        total=len(record.translatable_segments()),
        to_translate=len(wanted),
        edited=sum(1 for s in wanted if s.edited_by),
        flagged=sum(1 for s in wanted if s.qa_flags),
        empty=sum(1 for s in wanted if not (s.target or "").strip()),
    )


def approval_problems(record: Record, meaning: Callable) -> list[str]:
    """One sentence per segment that should stop an approval: no translation, or QA flags."""
    problems = []
    for segment in _wanted(record):
        if not (segment.target or "").strip():
            problems.append(f"{_name(record, segment)} has no translation.")
        elif segment.qa_flags:
            titles = ", ".join(meaning(flag).title.lower() for flag in segment.qa_flags)
            problems.append(f"{_name(record, segment)} is flagged: {titles}.")
    return problems
