"""Redo what one model produced, after it was upgraded or replaced.

Only records with a segment made by the named model, in a version other than the one now
installed for that pair, are taken; everything else in them comes from the translation memory,
so an upgrade costs exactly the sentences the old model translated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from store.record import Record, utc_now
from translate.cache import TranslationMemory
from translate.engine import EngineRegistry
from translate.errors import ModelNotFoundError
from translate.records import translate_records


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
    """New revisions of the records whose ``model_id`` output is stale, translated afresh."""
    produced = (s.engine.id for r in records.values() for s in r.translatable_segments() if s.engine)
    if model_id not in produced:
        raise ModelNotFoundError(
            f"no stored segment was translated by {model_id!r}; see `werger models list`"
        )
    by_target: dict[str, list[Record]] = defaultdict(list)
    for record in stale_records(records.values(), registry, model_id):
        by_target[record.target_lang].append(record)
    now = utc_now()
    revised = []
    for target, batch in by_target.items():
        for record in translate_records(batch, registry, target, memory):
            revised.append(record.model_copy(update={"revision": record.revision + 1, "revised_at": now}))
    return revised
