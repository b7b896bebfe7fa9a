"""Redo what one model produced, after it was upgraded or replaced.

Only records with a segment made by the named model, in a version other than the one now
installed for that pair, are taken; everything else in them comes from the translation memory,
so an upgrade costs exactly the sentences the old model translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from store.record import Record, Segment, Status, utc_now
from translate.cache import TranslationMemory
from translate.engine import EngineRegistry
from translate.errors import ModelNotFoundError
from translate.records import restatus, translate_records


def stale_records(records: Iterable[Record], registry: EngineRegistry, model_id: str) -> list[Record]:
    """Records holding output of ``model_id`` that the engine now installed would produce differently."""
    stale = []
    for record in records:
        for segment in record.translatable_segments():
            if segment.engine is None or segment.engine.id != model_id or segment.edited_by:
                continue
            current = registry.find(segment.lang, record.target_lang)
            if current is not None and current.ref != segment.engine:
                stale.append(record)
                break
    return stale


def retranslate(
    records: dict[str, Record], registry: EngineRegistry, model_id: str, memory: TranslationMemory
) -> list[Record]:
    """The records whose ``model_id`` output is stale, translated afresh (not yet written).

    Write them with ``RecordLog.revise`` and ``onto_latest``, which puts the new output on the
    latest revision of each record."""
    produced = (s.engine.id for r in records.values() for s in r.translatable_segments() if s.engine)
    if model_id not in produced:
        raise ModelNotFoundError(
            f"no stored segment was translated by {model_id!r}; see `werger models list`"
        )
    by_target: dict[str, list[Record]] = defaultdict(list)
    for record in stale_records(records.values(), registry, model_id):
        by_target[record.target_lang].append(record)
    revised = []
    for target, batch in by_target.items():
        revised.extend(translate_records(batch, registry, target, memory))
    return revised


def onto_latest(translated: Record, registry: EngineRegistry, model_id: str):
    """A ``RecordLog.revise`` builder: ``translated``'s new machine output put on the latest revision.

    Translation takes long and runs without the log's lock, so an editor or a crawl may have
    written meanwhile: only paragraphs whose source is unchanged, that nobody edited and that
    still hold ``model_id`` output take the new translation. A record a person had worked on goes
    back to ``needs_review``.
    """
    fresh = {(s.lang, s.source): s for s in translated.segments if s.engine is not None and not s.edited_by}
    fresh_title = translated.title_segment

    def renewed(segment: Segment, new: Segment | None) -> Segment | None:
        """``segment`` with the new output, or None when it keeps what it has."""
        stale = segment.engine is not None and segment.engine.id == model_id and not segment.edited_by
        if new is None or new.engine is None or not stale or new.engine == segment.engine:
            return None
        update = {"target": new.target, "engine": new.engine, "qa_flags": new.qa_flags}
        return segment.model_copy(update=update)

    def build(latest: Record | None) -> Record | None:
        if latest is None:
            return None
        segments, changed = [], False
        for segment in latest.segments:
            new = renewed(segment, fresh.get((segment.lang, segment.source)))
            changed = changed or new is not None
            segments.append(new or segment)
        title = latest.title_segment
        if title is not None and fresh_title is not None and fresh_title.source == title.source:
            new_title = renewed(title, fresh_title)
            changed = changed or new_title is not None
            title = new_title or title
        if not changed:
            return None
        update = {"segments": segments, "title_segment": title, "revised_at": utc_now()}
        revision = restatus(latest.model_copy(update=update), registry)
        who = (
            latest.review.by if latest.review else next((s.edited_by for s in segments if s.edited_by), None)
        )
        if who is not None and revision.status in (Status.MACHINE, Status.NEEDS_REVIEW):
            reason = f"re-translated after {who} worked on revision {latest.revision}"
            if revision.status_reason:
                reason += f"; {revision.status_reason}"
            revision = revision.model_copy(update={"status": Status.NEEDS_REVIEW, "status_reason": reason})
        return revision

    return build
