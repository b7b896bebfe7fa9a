"""Human revisions of a record: edits, approvals and rejections, each a new line in the log.

The functions here build the next revision on the latest one, as ``RecordLog.revise`` hands it over
under the log's write lock; ``RecordLog.append_revision`` refuses an editor's revision if someone
else wrote first. The machine output of an edited segment is kept in ``machine_target`` so
post-editing effort can be measured against what the engine produced, and the segment's quality
flags are computed again on the text it now holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from store.record import EditConflict, Record, Review, Segment, Status, utc_now

DECISIONS = {Status.APPROVED, Status.REJECTED, Status.NEEDS_REVIEW, Status.REVIEWED}


def edited(
    record: Record,
    targets: Mapping[int, str],
    by: str,
    note: str | None = None,
    status: Status = Status.REVIEWED,
    title: str | None = None,
    langs: Mapping[int, str] | None = None,
) -> Record | None:
    """The next revision with new segment targets, title target and the paragraph languages an
    editor corrected; None when nothing actually changed. A corrected language gets confidence 1.0:
    a person said so."""
    segments: list[Segment] = []
    changed = False
    for segment in record.segments:
        update: dict = {}
        lang = (langs or {}).get(segment.index)
        if lang and lang != segment.lang:
            update.update(lang=lang, lang_confidence=1.0)
        new = targets.get(segment.index)
        if new is not None and not _same(new, segment.target):
            segment = _edit(segment, new, by, record.target_lang)
            changed = True
        changed = changed or bool(update)
        segments.append(segment.model_copy(update=update) if update else segment)
    title_segment = record.title_segment
    if title_segment is not None and title is not None and not _same(title, title_segment.target):
        changed = True
        title_segment = _edit(title_segment, title, by, record.target_lang)
    if not changed:
        return None
    return _next(record, segments, status, by, note).model_copy(update={"title_segment": title_segment})


def _edit(segment: Segment, new: str, by: str, target_lang: str) -> Segment:
    """``segment`` with an editor's target; the machine's output is kept, flags follow the new text."""
    machine = segment.machine_target if segment.edited_by else segment.target
    flags = stored_text_flags(segment.source, new, target_lang)
    return segment.model_copy(
        update={"target": new, "edited_by": by, "machine_target": machine, "qa_flags": flags}
    )


HUMAN_EDIT_MARK = b'"edited_by":"'


def stored_text_flags(source: str, target: str, target_lang: str) -> list[str]:
    """Quality flags of the text a segment now holds: the machine's flags go when its output does."""
    from translate.quality import quality_flags

    return quality_flags(source, target, target_lang)


def carry_edits(record: Record, previous: Record) -> Record:
    """A crawl's new revision with the human edits of ``previous`` kept where the source is unchanged.

    When a partner fixes a typo in one paragraph, the editors' work on the other paragraphs must
    survive the recrawl; an edited paragraph whose source changed goes back to the machine.
    """
    title = previous.title_segment
    if title is not None and title.edited_by and title.source == (record.title or "").strip():
        record = record.model_copy(update={"title_segment": title})
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
                    "qa_flags": stored_text_flags(segment.source, kept.target, record.target_lang),
                    "edited_by": kept.edited_by,
                    "machine_target": kept.machine_target,
                }
            )
        )
    return record.model_copy(update={"segments": segments})


def rebase(record: Record, latest: Record | None) -> Record:
    """A machine-made revision (crawl, retranslation) re-based on the latest revision in the log.

    ``latest`` is read under the log's write lock, so editors' work saved while the crawl was
    fetching and translating is the work kept. Edits on paragraphs whose source is unchanged are
    carried over (``carry_edits``); an edit whose paragraph changed on the site cannot be, and
    becomes an ``EditConflict`` on the record, as do conflicts nobody resolved yet. The caller
    recomputes the status afterwards (it knows the engines).
    """
    if latest is None:
        return record
    carried = carry_edits(record, latest)
    kept = {(s.lang, s.source) for s in carried.segments if s.edited_by}
    conflicts = list(latest.conflicts)
    for segment in latest.segments:
        if segment.edited_by and segment.target is not None and (segment.lang, segment.source) not in kept:
            conflicts.append(
                EditConflict(
                    revision=latest.revision,
                    index=segment.index,
                    lang=segment.lang,
                    source=segment.source,
                    target=segment.target,
                    edited_by=segment.edited_by,
                )
            )
    return carried.model_copy(update={"conflicts": conflicts})


def human_work(record: Record) -> str | None:
    """Who last worked on ``record`` by hand (a decision or an edited paragraph), if anyone."""
    if record.review is not None:
        return record.review.by
    return next((s.edited_by for s in record.segments if s.edited_by), None)


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
