"""Memory and time of reading the current revision of every record, streamed against loaded.

    uv run python bench/reader.py [--records 20000] [--revisions 2]

Builds a log of ``records`` records with ``revisions`` revisions each (five paragraphs per
record, about 2 kB a line) in a temporary folder, then, each in a fresh process, walks the
current revision of every record with ``store.reader.RecordReader.latest()`` (two streamed passes)
and with ``store.log.RecordLog.latest()`` (one pass, every current record held in a dict). It
prints the peak RSS growth and the time of each and their ratios; only ratios from one run mean
anything on a shared machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = (
    "The water network reached the villages north of the city after two years of work, and "
    "families who returned this spring say the supply is steady for the first time in years."
)


def build(folder: Path, records: int, revisions: int) -> int:
    from store.log import LOG_NAME
    from store.record import Provenance, Record, Segment, Status, content_hash, record_id, utc_now

    now = utc_now()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    for revision in range(1, revisions + 1):
        batch = []
        for n in range(records):
            url = f"https://partner.example/news/{n}"
            paragraphs = [f"{PARAGRAPH} ({n}.{i}.{revision})" for i in range(5)]
            batch.append(
                Record(
                    id=record_id(url),
                    revision=revision,
                    revised_at=now,
                    url=url,
                    canonical_url=url,
                    site="partner",
                    fetched_at=now,
                    content_hash=content_hash(paragraphs),
                    source_lang="en",
                    source_lang_confidence=1.0,
                    target_lang="en",
                    segments=[
                        Segment(index=i, lang="en", lang_confidence=1.0, source=p)
                        for i, p in enumerate(paragraphs)
                    ],
                    status=Status.NOT_NEEDED,
                    provenance=Provenance(
                        fetch_status=200,
                        extractor="bench",
                        extractor_version="0",
                        langid_method="bench",
                        pipeline_version="0",
                    ),
                )
            )
            if len(batch) == 5000:
                _write(path, batch)
                batch = []
        _write(path, batch)
    return path.stat().st_size


def _write(path: Path, records: list) -> None:
    """Append generated records as log lines (one writer, no concurrent readers: no lock needed)."""
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(record.to_json_line() + "\n" for record in records)


def _measure(folder: str, how: str, result) -> None:
    from store.log import RecordLog
    from store.reader import RecordReader

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if how == "streamed":
        count = sum(len(r.segments) for r in RecordReader(folder).latest())
    else:
        count = sum(len(r.segments) for r in RecordLog(Path(folder)).latest().values())
    elapsed = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    result.put((count, elapsed, grown * 1024))


def measure(folder: Path, how: str) -> tuple[int, float, int]:
    queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(target=_measure, args=(str(folder), how, queue))
    process.start()
    found = queue.get()
    process.join()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--revisions", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        size = build(Path(tmp), args.records, args.revisions)
        print(f"log: {args.records} records x {args.revisions} revisions, {size / 2**20:.1f} MiB")
        streamed = measure(Path(tmp), "streamed")
        loaded = measure(Path(tmp), "loaded")
    assert streamed[0] == loaded[0], "both must see the same paragraphs"
    for name, (count, seconds, grown) in (
        ("RecordReader.latest (streamed)", streamed),
        ("RecordLog.latest (dict)", loaded),
    ):
        print(f"{name:32} {count} paragraphs  {seconds:6.2f} s  peak RSS +{grown / 2**20:7.1f} MiB")
    memory = streamed[2] / max(loaded[2], 1)
    print(f"streamed/dict: time x{streamed[1] / loaded[1]:.2f}, memory x{memory:.2f}")


if __name__ == "__main__":
    main()
