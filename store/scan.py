"""Reading a stretch of the log into index rows, in this process or in parallel over byte ranges.

The index is a view of the log; rebuilding it means summarising every line (``store.lines``),
which is CPU-bound work on independent lines. A large stretch (a rebuild of a big log) is cut
into byte ranges that start and end at line boundaries and summarised by a pool of worker
processes, while this process writes the rows into SQLite in log order; a small one (a catch-up
after a save, a test's log) is read here. Both paths give the same rows in the same order, so the
index is the same whichever ran.

Workers are ``python -m store.scan`` subprocesses (see ``_Workers`` for why not
``multiprocessing``).

Figures (bench/scale.py, 1M revisions, 6 GB of log): summarising took 31 s of CPU in the workers
and writing the rows into SQLite 38 s in the main process, so on two idle cores the wall time is
about the writer's, not the sum (290 s wall at a load average near 10 on the shared 2-core
machine, where each process got about a third of a core).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from store.lines import LineSummary, summarize
from store.log import _UTF16_BOMS, parse_foreign_line

CHUNK_BYTES = 16 << 20
"""Bytes per range a worker reads at once (a few thousand lines): small enough that memory stays
flat, large enough that handing out ranges costs nothing."""

PARALLEL_BYTES = 64 << 20
"""Stretches shorter than this are read in this process: starting workers costs about a second."""

Rows = tuple[tuple, tuple, tuple]
"""(lines row, records row, pages row) of one log line, as ``store.index`` inserts them."""


@dataclass
class Chunk:
    """The rows of the complete lines of one byte range, in log order.

    ``bad`` holds (line number within the range, from 1; byte offset; newer schema or None) of each
    line that is not a record this werger reads; ``end`` is the offset after the last complete line.
    """

    rows: list[Rows] = field(default_factory=list)
    bad: list[tuple[int, int, str | None]] = field(default_factory=list)
    lines: int = 0
    end: int = 0
    utf16: bool = False


def rows_of(s: LineSummary, at: int, size: int) -> Rows:
    """What the index stores for one line at byte ``at`` of ``size`` bytes."""
    approved = s.status == "approved"
    record = (
        s.id, s.revision, s.content_hash, s.removed_at is not None, s.status, s.site, s.source_lang,
        s.target_lang, s.title, s.url, s.revised_at, s.fetched_at, s.removed_at, " ".join(s.flags),
        s.edited, at, size, s.revision if approved else None, at if approved else None,
        size if approved else None, s.conflicts, s.revised_at if approved else None,
    )
    page = (s.url, s.site, s.id, s.fetch_status, s.etag, s.last_modified, s.content_hash, s.fetched_at,
            s.removed_at)
    return (s.id, s.revision, at, size), record, page


def foreign_summary(raw: bytes) -> tuple[LineSummary | None, str | None]:
    """A line not in werger's own layout: (summary, None) when it is a record nonetheless,
    (None, schema) when a newer werger wrote it, (None, None) when it is not a record."""
    record, newer = parse_foreign_line(raw)
    if record is None:
        return None, newer
    return summarize(record.to_json_line().encode("utf-8")), None


def scan_range(path: str | Path, start: int, end: int) -> Chunk:
    """Summarise the complete lines between byte ``start`` (a line start) and ``end``.

    A line not ended by a newline before ``end`` is left out (a torn or growing last line), and
    ``Chunk.end`` says where the complete lines stop.
    """
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(max(0, end - start))
    chunk = Chunk(end=start)
    rows, bad = chunk.rows, chunk.bad
    position, lines, find = 0, 0, data.find
    while (newline := find(b"\n", position)) >= 0:
        raw = data[position : newline + 1]
        lines += 1
        at = start + position
        summary = summarize(raw)
        if summary is None and raw.strip():
            summary, newer = foreign_summary(raw)
            if summary is None:
                bad.append((lines, at, newer))
                if start == 0 and lines == 1 and raw.startswith(_UTF16_BOMS):
                    chunk.utf16 = True
        if summary is not None:
            rows.append(rows_of(summary, at, len(raw)))
        position = newline + 1
    chunk.lines, chunk.end = lines, start + position
    return chunk


def ranges(path: Path, start: int, end: int, size: int | None = None) -> list[tuple[int, int]]:
    """Cut [start, end) into ranges of about ``size`` bytes (default ``CHUNK_BYTES``), each ending
    just after a newline (the last one ends at ``end``)."""
    size = size or CHUNK_BYTES
    cuts = [start]
    with path.open("rb") as fh:
        while cuts[-1] + size < end:
            fh.seek(cuts[-1] + size)
            block = fh.read(1 << 20)
            while block and (newline := block.find(b"\n")) < 0:
                block += fh.read(1 << 20)
            if newline < 0:
                break
            cut = cuts[-1] + size + newline + 1
            if cut >= end:
                break
            cuts.append(cut)
    cuts.append(end)
    return list(itertools.pairwise(cuts))


def scan(path: Path, start: int, workers: int | None = None) -> Iterator[Chunk]:
    """The chunks of every complete line from byte ``start`` to the end of the log, in log order.

    Long stretches are summarised by ``workers`` processes (default: one per CPU) with two ranges
    per worker in flight, so memory stays flat whatever the log's size; should the workers not
    start or one fail, its ranges are read here (a failure then raises here, with its traceback).
    """
    try:
        end = path.stat().st_size
    except FileNotFoundError:
        return
    if end <= start:
        return
    workers = workers or os.cpu_count() or 1
    parts = ranges(path, start, end)
    if end - start < PARALLEL_BYTES or workers < 2 or len(parts) < 2:
        yield from (scan_range(path, a, b) for a, b in parts)
        return
    pool = _Workers(min(workers, len(parts)))
    try:
        for number in range(min(len(parts), 2 * pool.size)):
            pool.send(number, (str(path), *parts[number]))
        for number, (a, b) in enumerate(parts):
            chunk = pool.receive(number)
            if number + 2 * pool.size < len(parts):
                pool.send(number + 2 * pool.size, (str(path), *parts[number + 2 * pool.size]))
            yield chunk if chunk is not None else scan_range(path, a, b)
    finally:
        pool.close()


class _Workers:
    """Worker processes running ``python -m store.scan``: a range in on stdin, its chunk out on
    stdout (pickled). Range ``n`` goes to worker ``n % size``, so answers come back in order.

    Plain subprocesses rather than ``multiprocessing``: its ``fork`` is unsafe in a process that
    runs threads (the review app, the crawl), and its ``spawn`` re-imports the caller's main
    script, which a user's script that opens an index without a ``__main__`` guard would not
    survive."""

    def __init__(self, size: int) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.processes: list[subprocess.Popen] = []
        try:
            for _ in range(size if sys.executable else 0):
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", "store.scan"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    env=env,
                ))
        except OSError:
            pass
        self.size = max(1, len(self.processes))
        self.broken: set[int] = set()

    def send(self, number: int, job: tuple[str, int, int]) -> None:
        worker = number % self.size
        if worker in self.broken or worker >= len(self.processes):
            return
        try:
            pickle.dump(job, self.processes[worker].stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.processes[worker].stdin.flush()
        except OSError:
            self.broken.add(worker)

    def receive(self, number: int) -> Chunk | None:
        """The chunk of range ``number``, or None when its worker is gone (read it here)."""
        worker = number % self.size
        if worker in self.broken or worker >= len(self.processes):
            return None
        try:
            return pickle.load(self.processes[worker].stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.broken.add(worker)
            return None

    def close(self) -> None:
        """Stop the workers; one still writing a chunk nobody reads gets a broken pipe and exits."""
        for process in self.processes:
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _serve() -> None:
    """A worker's loop: (path, start, end) in, ``scan_range``'s chunk out, until stdin closes."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            path, start, end = pickle.load(source)
        except EOFError:
            return
        try:
            pickle.dump(scan_range(path, start, end), sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()
        except BrokenPipeError:  # the reader stopped early (closed the index, an error)
            return


if __name__ == "__main__":
    from store.scan import _serve as serve  # as store.scan, so chunks unpickle as store.scan.Chunk

    serve()
