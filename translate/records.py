"""Translate the paragraphs of many records at once, and say honestly what could not be.

All sentences of all given records that share a language pair go to their engine in one call, so
the engine can batch across documents. Sentences the translation memory already holds for that
exact model are not translated again. Records come back with targets filled, quality flags (of
each paragraph and of each sentence in it, kept on the paragraph's segment), a status, and, when
something is missing, a reason that tells the user the command that fixes it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from store.record import Record, Segment, Status
from translate.cache import TranslationMemory
from translate.engine import Engine, EngineRegistry
from translate.glossary import TERM_LOST, Glossary
from translate.languages import language
from translate.quality import segment_flags
from translate.segment import split_sentences

UNDETERMINED = "und"


def missing_model_reason(source: str, target: str) -> str:
    """Why a pair is untranslated and the command that would install a model for it."""
    known = language(source)
    if known is not None and not known.argos_index:
        return (
            f"no model for {source}->{target}; the Argos index has none, use NLLB-200: convert it with "
            f"`ct2-transformers-converter --model facebook/nllb-200-distilled-600M --quantization int8 "
            f"--output_dir nllb-200-ct2 --copy_files sentencepiece.bpe.model` and install it with "
            f"`werger models install nllb-200-ct2` (NLLB-200 is for non-commercial use only)"
        )
    return (
        f"no model for {source}->{target}; install one with `werger models install {source} {target}` "
        f"(online) or `werger models install FILE.argosmodel` (offline)"
    )


TITLE = -1


@dataclass
class _Slot:
    """Where a paragraph's (or, with ``segment`` TITLE, the title's) sentences sit in its pair's batch."""

    record: int
    segment: int
    start: int
    count: int


def title_segment(record: Record) -> Segment | None:
    """The record's title as a segment: the stored one while the title is unchanged, else a new one.

    The title is in the page's language (``source_lang``); None when the record has no title.
    """
    title = (record.title or "").strip()
    if not title:
        return None
    if record.title_segment is not None and record.title_segment.source == title:
        return record.title_segment
    confidence = record.source_lang_confidence
    return Segment(index=0, lang=record.source_lang, lang_confidence=confidence, source=title)


def _parts(record: Record) -> list[tuple[int, Segment]]:
    title = [(TITLE, record.title_segment)] if record.title_segment is not None else []
    return title + list(enumerate(record.segments))


def _segment(record: Record, index: int) -> Segment:
    return record.title_segment if index == TITLE else record.segments[index]


def translate_records(
    records: list[Record],
    registry: EngineRegistry,
    target: str,
    memory: TranslationMemory | None = None,
    source_languages: Collection[str] | None = None,
) -> list[Record]:
    """Return copies of ``records`` with every translatable segment translated into ``target``.

    The title is translated as a segment of its own (``title_segment``), with the same engine,
    memory, glossary and checks. Segments a person edited keep their text. With ``memory``,
    sentences already translated by the same model (id and version) are taken from it and new ones
    are added to it. With ``source_languages`` (a site's ``languages``), paragraphs in other
    languages are not sent to any model: their target stays null and the record's
    ``status_reason`` says so.
    """
    records = [r.model_copy(deep=True, update={"target_lang": target}) for r in records]
    for record in records:
        record.title_segment = title_segment(record)
    batches: dict[tuple[str, str], list[str]] = defaultdict(list)
    slots: dict[tuple[str, str], list[_Slot]] = defaultdict(list)
    missing: dict[int, set[tuple[str, str]]] = defaultdict(set)
    unlisted: dict[int, Counter[str]] = defaultdict(Counter)
    for r_index, record in enumerate(records):
        for s_index, segment in _parts(record):
            if segment.lang in (target, UNDETERMINED) or segment.edited_by:
                continue
            if source_languages is not None and segment.lang not in source_languages:
                unlisted[r_index][segment.lang] += 1
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
        glossary = registry.glossary(*pair) or Glossary()
        protected = [glossary.protect(s) for s in sentences]
        outputs = _translate(engine, [p.text for p in protected], pair, memory)
        for slot in slots[pair]:
            segment = _segment(records[slot.record], slot.segment)
            parts = range(slot.start, slot.start + slot.count)
            restored = [Glossary.restore(outputs[i], protected[i]) for i in parts]
            segment.target = " ".join(text for text, _ in restored if text)
            segment.engine = engine.ref
            pairs = [(sentences[i], text) for i, (text, _) in zip(parts, restored, strict=True)]
            segment.qa_flags = segment_flags(segment.source, segment.target, target, pairs)
            if not all(complete for _, complete in restored):
                segment.qa_flags.append(TERM_LOST)
    for r_index, record in enumerate(records):
        record.status, record.status_reason = _status(
            record.translatable_segments(), target, missing.get(r_index, set())
        )
        if unlisted.get(r_index):
            _note_unlisted(record, unlisted[r_index], source_languages or ())
    return records


def restatus(
    record: Record, registry: EngineRegistry, source_languages: Collection[str] | None = None
) -> Record:
    """``record`` with its status and reason computed again from its segments as they are now.

    For a revision whose segments changed after translation (editors' work carried over onto it):
    an edited paragraph needs no model and carries no machine flags. ``source_languages`` is as in
    ``translate_records``: paragraphs outside it are not waiting for a model.
    """
    target = record.target_lang
    waiting = [
        s
        for s in record.translatable_segments()
        if s.target is None and not s.edited_by and s.lang not in (target, UNDETERMINED)
    ]
    unlisted = Counter(
        s.lang for s in waiting if source_languages is not None and s.lang not in source_languages
    )
    missing = {
        (s.lang, target) for s in waiting if s.lang not in unlisted and registry.find(s.lang, target) is None
    }
    revision = record.model_copy(deep=True)
    revision.status, revision.status_reason = _status(revision.translatable_segments(), target, missing)
    if unlisted:
        _note_unlisted(revision, unlisted, source_languages or ())
    return revision

def unlisted_reason(counts: Counter[str], listed: Collection[str]) -> str:
    """Why paragraphs in languages outside a site's ``languages`` were not translated."""
    found = ", ".join(f"{n} in {lang}" for lang, n in sorted(counts.items()))
    return (
        f"paragraphs not translated: {found}, outside the site's languages "
        f"({', '.join(listed)}); crawl with --all-languages to translate them"
    )


def _note_unlisted(record: Record, counts: Counter[str], listed: Collection[str]) -> None:
    """A record with nothing else to translate is untranslated; otherwise only the reason says it."""
    reason = unlisted_reason(counts, listed)
    if record.status is Status.NOT_NEEDED:
        record.status, record.status_reason = Status.UNTRANSLATED, reason
    else:
        record.status_reason = f"{record.status_reason}; {reason}" if record.status_reason else reason


def _translate(
    engine: Engine, sentences: list[str], pair: tuple[str, str], memory: TranslationMemory | None
) -> list[str]:
    """Translations of ``sentences`` in order; only those the memory lacks reach the engine."""
    pair_name = "->".join(pair)
    known = memory.lookup(sentences, pair_name, engine.ref) if memory is not None else {}
    todo = list(dict.fromkeys(s for s in sentences if s not in known))
    if todo:
        fresh = {s: t.text for s, t in zip(todo, engine.translate_batch(todo, *pair), strict=True)}
        if memory is not None:
            memory.store(fresh, pair_name, engine.ref)
        known = {**known, **fresh}
    return [known[s] for s in sentences]


def _status(segments: list[Segment], target: str, missing: set[tuple[str, str]]) -> tuple[Status, str | None]:
    if missing:
        return Status.UNTRANSLATED, "; ".join(missing_model_reason(*pair) for pair in sorted(missing))
    flags = Counter(flag for s in segments for flag in s.qa_flags)
    if flags:
        counted = ", ".join(f"{flag} ({n})" for flag, n in sorted(flags.items()))
        return Status.NEEDS_REVIEW, f"machine translation flagged for review: {counted}"
    if any(s.target is not None for s in segments):
        return Status.MACHINE, None
    if segments and all(s.lang == target for s in segments):
        return Status.NOT_NEEDED, None
    if any(s.lang == UNDETERMINED for s in segments):
        return Status.UNTRANSLATED, "language of the text could not be determined reliably"
    return Status.NOT_NEEDED, None
