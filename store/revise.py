"""Human revisions of a record: edits, approvals and rejections, each a new line in the log.

The functions here build the next revision from the one the editor saw; ``RecordLog.append_revision``
then refuses it if someone else wrote first. The machine output of an edited segment is kept in
``machine_target`` so post-editing effort can be measured against what the engine produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from store.record import Record, Review, Segment, Status, utc_now

DECISIONS = {Status.APPROVED, Status.REJECTED, Status.NEEDS_REVIEW, Status.REVIEWED}


def edited(
    record: Record,
    targets: Mapping[int, str],
    by: str,
    note: str | None = None,
    status: Status = Status.REVIEWED,
    langs: Mapping[int, str] | None = None,
) -> Record | None:
    """The next revision with new segment targets (and languages an editor corrected); None when
    nothing actually changed. A corrected language gets confidence 1.0: a person said so."""
    segments: list[Segment] = []
    changed = False
    for segment in record.segments:
        update: dict = {}
        lang = (langs or {}).get(segment.index)
        if lang and lang != segment.lang:
            update.update(lang=lang, lang_confidence=1.0)
        new = targets.get(segment.index)
        if new is not None and not _same(new, segment.target):
            machine = segment.machine_target if segment.edited_by else segment.target
            update.update(target=new, edited_by=by, machine_target=machine)
        changed = changed or bool(update)
        segments.append(segment.model_copy(update=update) if update else segment)
    if not changed:
        return None
    return _next(record, segments, status, by, note)


HUMAN_EDIT_MARK = b'"edited_by":"'


def carry_edits(record: Record, previous: Record) -> Record:
    """A crawl's new revision with the human edits of ``previous`` kept where the source is unchanged.

    When a partner fixes a typo in one paragraph, the editors' work on the other paragraphs must
    survive the recrawl; an edited paragraph whose source changed goes back to the machine.
    """
    edits = {(s.lang, s.source): s for s in previous.segments if s.edited_by and s.target is not None}
    if not edits:
        return record
    segments = []
    for segment in record.segments:
        kept = edits.get((segment.lang, segment.source))
        if kept is None:
            segments.append(segment)
            continue
        segments.append(
            segment.model_copy(
                update={
                    "target": kept.target,
                    "engine": kept.engine,
                    "qa_flags": [],
                    "edited_by": kept.edited_by,
                    "machine_target": kept.machine_target,
                }
            )
        )
    return record.model_copy(update={"segments": segments})


def decided(record: Record, status: Status, by: str, note: str | None = None) -> Record:
    """The next revision carrying a reviewer's decision (approve, reject with a note, ...)."""
    if status not in DECISIONS:
        raise ValueError(f"{status} is not a reviewer's decision")
    return _next(record, record.segments, status, by, note)


def _next(record: Record, segments: list[Segment], status: Status, by: str, note: str | None) -> Record:
    now = utc_now()
    return record.model_copy(
        update={
            "revision": record.revision + 1,
            "revised_at": now,
            "segments": segments,
            "status": status,
            "status_reason": None,
            "review": Review(by=by, at=now, note=note or None),
        }
    )


def _same(new: str, old: str | None) -> bool:
    return new.strip() == (old or "").strip()


@dataclass(frozen=True)
class Effort:
    """How much an editor changed one machine-translated segment."""

    record_id: str
    index: int
    lang: str
    edited_by: str
    machine: str
    final: str
    distance: int
    normalized: float


def post_edit_effort(record: Record) -> list[Effort]:
    """Character edit distance between machine output and the edited target, per edited segment."""
    rows: list[Effort] = []
    for s in record.segments:
        if not s.edited_by or s.target is None:
            continue
        machine = s.machine_target or ""
        rows.append(
            Effort(
                record_id=record.id,
                index=s.index,
                lang=s.lang,
                edited_by=s.edited_by,
                machine=machine,
                final=s.target,
                distance=Levenshtein.distance(machine, s.target),
                normalized=round(Levenshtein.normalized_distance(machine, s.target), 4),
            )
        )
    return rows
