"""Data folders of any size for bench/scale.py, written with werger's own record type.

Records look like a multi-year crawl of 50 partner sites: about 8 paragraphs each, real sentences
(FLORES-200 via SIB-200, CC BY-SA 4.0, from ../shared/data/lid/train; English as the
translation, since FLORES is parallel), 30% of records with 2-3 revisions (an editor's edit, an
approval, a changed page), QA flags on a few segments, statuses as the pipeline and editors leave
them. Lines are written in bulk straight into ``records.jsonl`` (the index is then built by the
bench, which is one of the figures) because appending a million revisions one fsync at a time
would take hours and measure nothing the bench is about.

Each line is put together by string formatting from the layout of werger's own ``Record``
(``LineEncoder``: its fields in declaration order, their defaults, the JSON escaping pydantic-core
writes) rather than by building a pydantic model per line: that was three quarters of the time,
and a million-revision folder took half an hour on a loaded machine. So the lines cannot drift from
the record type unnoticed, ``write`` checks a sample of them (the first hundred, then one in a
thousand) through ``Record``: each must parse and serialise back to exactly the same bytes.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring
from pathlib import Path

from pydantic import BaseModel
from shared_data import shared_path

from store.log import LOG_NAME
from store.record import EngineRef, Provenance, Record, Review, Segment, Status, content_hash

TEXTS = shared_path("data", "lid", "train")
LANGS = {"en": "eng_Latn", "ru": "rus_Cyrl", "ar": "arb_Arab", "ckb": "ckb_Arab", "kmr": "kmr_Latn"}
SITES = [(f"partner-{n:02d}", list(LANGS)[n % 5]) for n in range(50)]
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)
EDITORS = ("amina", "bakhtiyar", "dilan", "rojin")
FLAGS = ("length_ratio", "repetition", "copied_input", "wrong_script")
PROVENANCE = Provenance(
    fetch_status=200,
    extractor="trafilatura",
    extractor_version="2.0.0",
    langid_method="script+letters+ngram-profiles",
    pipeline_version="0.1.0",
)


CHECK_FIRST = 100
CHECK_EVERY = 1000


class Raw(str):
    """JSON text already encoded (a constant part, or a template's placeholder), put in as it is."""


def _json(value: object) -> str:
    """``value`` as pydantic-core writes it in ``model_dump_json`` (UTF-8, no spaces)."""
    if value is None:
        return "null"
    if type(value) is Raw:
        return value
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ",".join([_json(v) for v in value]) + "]"
    raise TypeError(f"no JSON layout for {type(value).__name__}")


def template(model: type[BaseModel], fixed: dict[str, object], variable: tuple[str, ...],
             unset: tuple[str, ...] = ()) -> str:
    """A ``%``-format string of one ``model`` as JSON: its fields in declaration order under their
    aliases, ``fixed`` ones with their values, ``variable`` ones as ``%s`` (filled, in that order,
    with JSON text), the rest as their defaults; ``unset`` fields left out (``Record.newer_revision``
    never appears in the log)."""
    marks = {name: f"\x01{n}\x01" for n, name in enumerate(variable)}
    parts = []
    for name, info in model.model_fields.items():
        if name in unset:
            continue
        if name in marks:
            value = marks[name]
        elif name in fixed:
            value = _json(fixed[name])
        elif info.is_required():
            raise KeyError(f"{model.__name__}.{name} is required")
        else:
            value = _json(info.get_default(call_default_factory=True))
        parts.append(encode_basestring(info.alias or name) + ":" + value)
    text = ("{" + ",".join(parts) + "}").replace("%", "%%")
    for name in variable:
        if text.count(marks[name]) != 1:
            raise ValueError(f"placeholder of {model.__name__}.{name} not found once")
        text = text.replace(marks[name], "%s")
    return text


def check_line(line: str) -> None:
    """Raise ValueError unless werger's ``Record`` reads ``line`` and writes it back unchanged."""
    again = Record.from_json_line(line).to_json_line()
    if again != line:
        at = next(i for i, (a, b) in enumerate(zip(line, again, strict=False)) if a != b)
        raise ValueError(f"generated line differs from Record's own at character {at}: "
                         f"{line[at - 40:at + 40]!r} vs {again[at - 40:at + 40]!r}")


def _sentences() -> dict[str, list[str]]:
    found = {}
    for lang, code in LANGS.items():
        path = TEXTS / f"{code}.txt"
        if not path.exists():
            raise SystemExit(f"{path} is missing: the bench builds its records from FLORES-200 sentences")
        found[lang] = path.read_text(encoding="utf-8").splitlines()
    return found


_RECORD_FIELDS = ("id", "revision", "revised_at", "url", "canonical_url", "site", "fetched_at", "title",
                  "content_hash", "source_lang", "segments", "status", "status_reason", "review")


class Generator:
    """Writes ``revisions`` lines: new records, and later revisions of 30% of them.

    A record in progress is a dict of JSON texts (``"..."`` strings, already escaped) and its
    segments are ``(json, index, source, target)`` tuples, so a later revision only re-encodes
    what changed; the line is the record template filled in."""

    def __init__(self, revisions: int, seed: int = 15) -> None:
        self.revisions = revisions
        self.rng = random.Random(seed)
        text = _sentences()
        self.count = len(text["en"])
        self.raw = text
        self.quoted = {lang: [encode_basestring(t)[1:-1] for t in lines] for lang, lines in text.items()}
        self.plain, self.machine, self.edited = {}, {}, {}
        for lang in LANGS:
            engine = Raw(EngineRef(id=f"argos:translate-{lang}_en", version="1.9").model_dump_json())
            fixed = {"lang": lang, "lang_confidence": 0.99}
            self.plain[lang] = template(Segment, fixed, ("index", "source"))
            self.machine[lang] = template(
                Segment, {**fixed, "engine": engine}, ("index", "source", "target", "qa_flags")
            )
            self.edited[lang] = template(
                Segment, {**fixed, "engine": engine},
                ("index", "source", "target", "edited_by", "machine_target"),
            )
        self.record = template(
            Record,
            {"source_lang_confidence": 0.99, "target_lang": "en",
             "provenance": Raw(PROVENANCE.model_dump_json())},
            _RECORD_FIELDS,
            unset=("newer_revision",),
        )
        self.review = template(Review, {}, ("by", "at"))

    def _when(self, line: int) -> tuple[datetime, str]:
        when = (START + SPAN * (line / self.revisions)).replace(microsecond=0)
        return when, '"' + when.isoformat().replace("+00:00", "Z") + '"'

    def _segments(self, lang: str, translate: bool) -> tuple[list[tuple], list[str]]:
        """Fresh paragraphs of a page (6-10 of 1-2 sentences each): (segments, their source texts).

        ``random()`` rather than ``randrange``: the pure-Python range helpers were most of the time."""
        draw, count, segments, sources = self.rng.random, self.count, [], []
        raw, quoted, english = self.raw[lang], self.quoted[lang], self.quoted["en"]
        translate = translate and lang != "en"
        machine, plain = self.machine[lang], self.plain[lang]
        for index in range(6 + int(draw() * 5)):
            first = int(draw() * count)
            if draw() < 0.5:
                sources.append(raw[first])
                source, target = quoted[first], english[first]
            else:
                second = int(draw() * count)
                sources.append(raw[first] + " " + raw[second])
                source = quoted[first] + " " + quoted[second]
                target = english[first] + " " + english[second]
            source = '"' + source + '"'
            if translate:
                target = '"' + target + '"'
                flags = [f for f in FLAGS if draw() < 0.01]
                text = machine % (index, source, target, _json(flags) if flags else "[]")
                segments.append((text, index, source, target))
            else:
                segments.append((plain % (index, source), index, source, None))
        return segments, sources

    def first(self, number: int, line: int) -> dict:
        """Revision 1 of a record, as JSON texts of the fields of a ``Record``."""
        site, lang = SITES[number % len(SITES)]
        when, stamp = self._when(line)
        url = f"https://{site}.example/{when:%Y/%m}/story-{number}.html"
        untranslated = lang != "en" and self.rng.random() < 0.05
        segments, sources = self._segments(lang, translate=not untranslated)
        flagged = any('"qa_flags":["' in s[0] for s in segments)
        if lang == "en":
            status, reason = Status.NOT_NEEDED, None
        elif untranslated:
            status, reason = Status.UNTRANSLATED, f"no model for {lang}->en installed"
        else:
            status, reason = (Status.NEEDS_REVIEW if flagged else Status.MACHINE), None
        quoted_url = encode_basestring(url)
        return {
            "id": '"' + hashlib.sha256(url.encode()).hexdigest()[:32] + '"', "revision": 1,
            "revised_at": stamp, "url": quoted_url, "canonical_url": quoted_url,
            "site": encode_basestring(site), "fetched_at": stamp, "title": encode_basestring(sources[0][:80]),
            "content_hash": '"' + content_hash(sources) + '"', "source_lang": encode_basestring(lang),
            "segments": segments, "status": status, "status_reason": _json(reason), "review": "null",
            "lang": lang,
        }

    def later(self, record: dict, line: int) -> dict:
        """An editor's edit, an approval, or a changed page."""
        stamp, rng = self._when(line)[1], self.rng
        revision = {**record, "revision": record["revision"] + 1, "revised_at": stamp}
        lang, status = record["lang"], record["status"]
        if lang == "en" or status is Status.UNTRANSLATED:
            segments, sources = self._segments(lang, translate=False)
            revision.update(
                segments=segments, fetched_at=stamp, content_hash='"' + content_hash(sources) + '"'
            )
            return revision
        by = rng.choice(EDITORS)
        if status in (Status.MACHINE, Status.NEEDS_REVIEW):
            segments = list(record["segments"])
            for i in rng.sample(range(len(segments)), 2):
                _, index, source, target = segments[i]
                edited = target[:-1] + ' (edited)"'
                text = self.edited[lang] % (index, source, edited, _json(by), target)
                segments[i] = (text, index, source, edited)
            revision.update(segments=segments, status=Status.REVIEWED)
        else:
            revision.update(status=Status.APPROVED)
        revision["review"] = self.review % (_json(by), stamp)
        return revision

    def line(self, record: dict) -> str:
        """The log line (no newline) of a record in progress."""
        values = [record[name] for name in _RECORD_FIELDS]
        values[10] = "[" + ",".join([s[0] for s in record["segments"]]) + "]"
        values[11] = '"' + record["status"] + '"'
        return self.record % tuple(values)

    def write(self, folder: Path) -> int:
        """Write the log into ``folder``; returns the number of distinct records.

        Raises ValueError when a sampled line is not exactly what ``Record`` would write."""
        folder.mkdir(parents=True, exist_ok=True)
        pending: list[tuple[int, int, dict]] = []
        records = 0
        window = max(2, self.revisions // 20)
        with (folder / LOG_NAME).open("w", encoding="utf-8", buffering=1 << 20) as fh:
            for line in range(self.revisions):
                if pending and pending[0][0] <= line:
                    record = self.later(heapq.heappop(pending)[2], line)
                    again = record["revision"] == 2 and self.rng.random() < 0.5
                else:
                    record = self.first(records, line)
                    records += 1
                    again = self.rng.random() < 0.3
                if again:
                    heapq.heappush(pending, (line + self.rng.randint(1, window), line, record))
                text = self.line(record)
                if line < CHECK_FIRST or line % CHECK_EVERY == 0:
                    check_line(text)
                fh.write(text + "\n")
        return records
