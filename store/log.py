"""The append-only JSONL log: the on-disk truth.

Every revision of every record is one line, appended and never rewritten. A writer holds a file
lock for the whole append, writes whole lines, flushes and fsyncs, so a crash can leave at most one
partial last line. Readers never take such a torn line as data; the next writer moves it aside to
``<log>.torn`` (nothing is thrown away) before appending.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import ValidationError

from store.errors import LogLockedError, RevisionConflictError
from store.record import Record

LOG_NAME = "records.jsonl"
_ID_KEY = b'"id":"'


@dataclass
class ReadReport:
    """What a read skipped, so callers can tell the user instead of hiding it."""

    torn_tail: bool = False
    invalid_lines: list[int] = field(default_factory=list)


class RecordLog:
    """A directory holding ``records.jsonl`` and its lock."""

    def __init__(self, directory: Path, lock_timeout: float = 30.0) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOG_NAME
        self._lock = FileLock(str(self.path) + ".lock", timeout=lock_timeout)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the write lock (re-entrant within a thread); LogLockedError when another process keeps it."""
        try:
            with self._lock:
                yield
        except Timeout as exc:
            raise LogLockedError(
                f"{self.path} is locked by another werger process; wait for it to finish or "
                f"remove {self._lock.lock_file} if no werger is running"
            ) from exc

    def append(self, records: Iterable[Record]) -> int:
        """Append records as lines under the lock; returns how many were written."""
        with self.locked():
            return self.write_locked(records)

    def write_locked(self, records: Iterable[Record]) -> int:
        """Append records as whole lines, flushed and fsynced; the caller holds ``locked()``."""
        lines = [r.to_json_line() + "\n" for r in records]
        if not lines:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        self._quarantine_torn_tail()
        with self.path.open("a", encoding="utf-8") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
        return len(lines)

    def append_revision(self, record: Record) -> None:
        """Append ``record`` only if it directly follows the latest revision of its id.

        Two editors who opened the same revision must not silently overwrite each other: the check
        and the append happen under the one write lock, and the loser gets the winner's revision in
        a RevisionConflictError so both versions can be shown. This reads the whole log; writers
        with an index use ``CrawlIndex.append_revision``, which reads only the record.
        """
        with self.locked():
            latest = self.history(record.id)[-1:] or [None]
            current = latest[0].revision if latest[0] is not None else 0
            if record.revision != current + 1:
                raise RevisionConflictError(
                    f"record {record.id} is at revision {current}, not {record.revision - 1}; "
                    "reload it and apply the change again",
                    latest[0],
                )
            self.write_locked([record])

    def read_at(self, offset: int, length: int) -> Record | None:
        """The record on the line at ``offset`` (``length`` bytes with its newline), or None if invalid."""
        raw = self.read_raw_at(offset, length)
        return _parse_line(raw) if raw.endswith(b"\n") else None

    def read_raw_at(self, offset: int, length: int) -> bytes:
        """The bytes of the line at ``offset`` (empty when the log is shorter)."""
        with self.path.open("rb") as fh:
            fh.seek(offset)
            return fh.read(length)

    def _quarantine_torn_tail(self) -> None:
        """Move a partial last line (a crash mid-write) to ``.torn`` so new lines start clean."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open("rb+") as fh:
            end = fh.seek(0, os.SEEK_END)
            fh.seek(end - 1)
            if fh.read(1) == b"\n":
                return
            cut = _start_of_last_line(fh, end)
            fh.seek(cut)
            tail = fh.read()
            with open(str(self.path) + ".torn", "ab") as torn:
                torn.write(tail + b"\n")
                torn.flush()
                os.fsync(torn.fileno())
            fh.truncate(cut)
            fh.flush()
            os.fsync(fh.fileno())

    def read(self, report: ReadReport | None = None, containing: bytes | None = None) -> Iterator[Record]:
        """Yield every complete, valid revision in file order (streamed, not loaded whole).

        ``containing`` skips, before any parsing, lines that lack those bytes: a cheap way to find
        the few revisions of interest in a large log.
        """
        keep = (lambda raw: containing in raw) if containing is not None else None
        return self._read(report if report is not None else ReadReport(), keep)

    def _read(self, report: ReadReport, keep: Callable[[bytes], bool] | None) -> Iterator[Record]:
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.endswith(b"\n"):
                    report.torn_tail = True
                    return
                if keep is not None and not keep(raw):
                    continue
                record = _parse_line(raw)
                if record is None:
                    report.invalid_lines.append(number)
                else:
                    yield record

    def latest_of(self, ids: set[str]) -> dict[str, Record]:
        """The highest revision of each of ``ids``; other lines are skipped without parsing."""
        return _keep_latest(self._read(ReadReport(), lambda raw: _line_id(raw) in ids)) if ids else {}

    def history(self, record_id: str) -> list[Record]:
        """Every revision of one record, lowest first (other lines are skipped without parsing)."""
        return sorted(
            self._read(ReadReport(), lambda raw: _line_id(raw) == record_id), key=lambda r: r.revision
        )

    def latest(self, containing: bytes | None = None) -> dict[str, Record]:
        """The highest revision of each record id (among lines with ``containing``, if given)."""
        return _keep_latest(self.read(containing=containing))


def _parse_line(raw: bytes) -> Record | None:
    """The record on one complete line, or None when the line is not a valid record."""
    try:
        return Record.from_json_line(raw.decode("utf-8"))
    except (ValidationError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _line_id(raw: bytes) -> str:
    """The record id of a line without parsing it: ``"id"`` is the second key of every line."""
    start = raw.find(_ID_KEY) + len(_ID_KEY)
    return raw[start : start + 32].decode("ascii", "replace")


def _keep_latest(records: Iterable[Record], into: dict[str, Record] | None = None) -> dict[str, Record]:
    latest = into if into is not None else {}
    for record in records:
        current = latest.get(record.id)
        if current is None or record.revision >= current.revision:
            latest[record.id] = record
    return latest


class LatestRecords:
    """The latest revision of every record, kept up to date by reading only what was appended.

    For a long-lived reader such as the review app: each ``get()`` parses just the lines written
    since the last one. When the file was replaced or shortened (a torn tail moved aside), it is
    read again from the start. Treat the returned records as read-only.
    """

    def __init__(self, log: RecordLog) -> None:
        self.log = log
        self._latest: dict[str, Record] = {}
        self._offset = 0
        self._inode: int | None = None
        self._lock = threading.Lock()

    def get(self) -> dict[str, Record]:
        with self._lock:
            try:
                stat = self.log.path.stat()
            except FileNotFoundError:
                self._latest, self._offset, self._inode = {}, 0, None
                return {}
            if stat.st_ino != self._inode or stat.st_size < self._offset:
                self._latest, self._offset, self._inode = {}, 0, stat.st_ino
            if stat.st_size > self._offset:
                _keep_latest(self._read_from_offset(), self._latest)
            return dict(self._latest)

    def _read_from_offset(self) -> Iterator[Record]:
        with self.log.path.open("rb") as fh:
            fh.seek(self._offset)
            for raw in fh:
                if not raw.endswith(b"\n"):
                    return
                self._offset += len(raw)
                record = _parse_line(raw)
                if record is not None:
                    yield record


def _start_of_last_line(fh, end: int, chunk: int = 65536) -> int:
    """Offset just after the last newline, scanning backwards so huge logs are not read whole."""
    position = end
    while position > 0:
        step = min(chunk, position)
        position -= step
        fh.seek(position)
        newline = fh.read(step).rfind(b"\n")
        if newline >= 0:
            return position + newline + 1
    return 0
