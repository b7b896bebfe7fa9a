"""Data folders of any size for bench/scale.py, written with werger's own record type.

Records look like a multi-year crawl of 50 partner sites: about 8 paragraphs each, real sentences
(FLORES-200 via SIB-200, CC BY-SA 4.0, from ../shared/data/lid/train; English as the
translation, since FLORES is parallel), 30% of records with 2-3 revisions (an editor's edit, an
approval, a changed page), QA flags on a few segments, statuses as the pipeline and editors leave
them. Lines are written in bulk straight into ``records.jsonl`` (the index is then built by the
bench, which is one of the figures) because appending a million revisions one fsync at a time
would take hours and measure nothing the bench is about.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared_data import shared_path

from store.log import LOG_NAME
from store.record import EngineRef, Provenance, Record, Review, Status, content_hash

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


def _sentences() -> dict[str, list[str]]:
    found = {}
    for lang, code in LANGS.items():
        path = TEXTS / f"{code}.txt"
        if not path.exists():
            raise SystemExit(f"{path} is missing: the bench builds its records from FLORES-200 sentences")
        found[lang] = path.read_text(encoding="utf-8").splitlines()
    return found


class Generator:
    """Writes ``revisions`` lines: new records, and later revisions of 30% of them."""

    def __init__(self, revisions: int, seed: int = 15) -> None:
        self.revisions = revisions
        self.rng = random.Random(seed)
        self.text = _sentences()
        self.count = len(self.text["en"])
        self.engines = {lang: EngineRef(id=f"argos:translate-{lang}_en", version="1.9") for lang in LANGS}

    def _when(self, line: int) -> datetime:
        return (START + SPAN * (line / self.revisions)).replace(microsecond=0)

    def _segments(self, lang: str) -> list[dict]:
        rng, segments = self.rng, []
        for index in range(rng.randint(6, 10)):
            picks = [rng.randrange(self.count) for _ in range(rng.randint(1, 2))]
            source = " ".join(self.text[lang][i] for i in picks)
            target = None if lang == "en" else " ".join(self.text["en"][i] for i in picks)
            flags = [f for f in FLAGS if rng.random() < 0.01] if target else []
            segments.append(
                {"index": index, "lang": lang, "lang_confidence": 0.99, "source": source, "target": target,
                 "engine": self.engines[lang] if target else None, "qa_flags": flags}
            )
        return segments

    def first(self, number: int, line: int) -> dict:
        """Revision 1 of a record, as the fields of a ``Record``."""
        site, lang = SITES[number % len(SITES)]
        when = self._when(line)
        url = f"https://{site}.example/{when:%Y/%m}/story-{number}.html"
        segments = self._segments(lang)
        untranslated = lang != "en" and self.rng.random() < 0.05
        if untranslated:
            segments = [{**s, "target": None, "engine": None, "qa_flags": []} for s in segments]
        flagged = any(s["qa_flags"] for s in segments)
        if lang == "en":
            status, reason = Status.NOT_NEEDED, None
        elif untranslated:
            status, reason = Status.UNTRANSLATED, f"no model for {lang}->en installed"
        else:
            status, reason = (Status.NEEDS_REVIEW if flagged else Status.MACHINE), None
        return {
            "id": hashlib.sha256(url.encode()).hexdigest()[:32], "revision": 1, "revised_at": when,
            "url": url, "canonical_url": url, "site": site, "fetched_at": when,
            "title": segments[0]["source"][:80],
            "content_hash": content_hash([s["source"] for s in segments]),
            "source_lang": lang, "source_lang_confidence": 0.99, "target_lang": "en", "segments": segments,
            "status": status, "status_reason": reason, "provenance": PROVENANCE,
        }

    def later(self, record: dict, line: int) -> dict:
        """An editor's edit, an approval, or a changed page."""
        when, rng = self._when(line), self.rng
        revision = {**record, "revision": record["revision"] + 1, "revised_at": when}
        if record["source_lang"] == "en" or record["status"] is Status.UNTRANSLATED:
            segments = self._segments(record["source_lang"])
            if record["status"] is Status.UNTRANSLATED:
                segments = [{**s, "target": None, "engine": None, "qa_flags": []} for s in segments]
            revision.update(segments=segments, fetched_at=when,
                            content_hash=content_hash([s["source"] for s in segments]))
            return revision
        by = rng.choice(EDITORS)
        if record["status"] in (Status.MACHINE, Status.NEEDS_REVIEW):
            segments = list(record["segments"])
            for i in rng.sample(range(len(segments)), 2):
                s = segments[i]
                segments[i] = {**s, "target": (s["target"] or "") + " (edited)", "edited_by": by,
                               "machine_target": s["target"], "qa_flags": []}
            revision.update(segments=segments, status=Status.REVIEWED)
        else:
            revision.update(status=Status.APPROVED)
        revision["review"] = Review(by=by, at=when)
        return revision

    def write(self, folder: Path) -> int:
        """Write the log into ``folder``; returns the number of distinct records."""
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
                fh.write(Record.model_validate(record).to_json_line() + "\n")
        return records
