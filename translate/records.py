"""Translate the paragraphs of many records at once, and say honestly what could not be.

All sentences of all given records that share a language pair go to their engine in one call, so
the engine can batch across documents. Records come back with targets filled, a status, and, when
something is missing, a reason that tells the user the command that fixes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from store.record import Record, Segment, Status
from translate.engine import EngineRegistry
from translate.segment import split_sentences

UNDETERMINED = "und"


def missing_model_reason(source: str, target: str) -> str:
    return (
        f"no model for {source}->{target}; install one with `werger models install {source} {target}` "
        f"(online) or `werger models install FILE.argosmodel` (offline)"
    )


@dataclass
class _Slot:
    """Where a paragraph's sentences sit in its pair's batch."""

    record: int
    segment: int
    start: int
    count: int


def translate_records(records: list[Record], registry: EngineRegistry, target: str) -> list[Record]:
    """Return copies of ``records`` with every translatable segment translated into ``target``."""
    records = [r.model_copy(deep=True, update={"target_lang": target}) for r in records]
    batches: dict[tuple[str, str], list[str]] = defaultdict(list)
    slots: dict[tuple[str, str], list[_Slot]] = defaultdict(list)
    missing: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for r_index, record in enumerate(records):
        for s_index, segment in enumerate(record.segments):
            if segment.lang in (target, UNDETERMINED):
                continue
            pair = (segment.lang, target)
            if registry.find(*pair) is None:
                missing[r_index].add(pair)
                continue
            sentences = split_sentences(segment.source, segment.lang) or [segment.source]
            slots[pair].append(_Slot(r_index, s_index, len(batches[pair]), len(sentences)))
            batches[pair].extend(sentences)
    for pair, sentences in batches.items():
        engine = registry.find(*pair)
        translations = engine.translate_batch(sentences, *pair)
        for slot in slots[pair]:
            parts = translations[slot.start : slot.start + slot.count]
            segment = records[slot.record].segments[slot.segment]
            segment.target = " ".join(t.text for t in parts if t.text)
            segment.engine = parts[0].engine
    for r_index, record in enumerate(records):
        record.status, record.status_reason = _status(record.segments, target, missing.get(r_index, set()))
    return records


def _status(segments: list[Segment], target: str, missing: set[tuple[str, str]]) -> tuple[Status, str | None]:
    if missing:
        return Status.UNTRANSLATED, "; ".join(missing_model_reason(*pair) for pair in sorted(missing))
    if any(s.target is not None for s in segments):
        return Status.MACHINE, None
    if segments and all(s.lang == target for s in segments):
        return Status.NOT_NEEDED, None
    if any(s.lang == UNDETERMINED for s in segments):
        return Status.UNTRANSLATED, "language of the text could not be determined reliably"
    return Status.NOT_NEEDED, None
