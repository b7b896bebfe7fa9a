"""The append-only JSONL log: the on-disk truth, and the one revision protocol that writes it.

Every revision of every record is one line, appended and never rewritten. Every writer (crawl,
retranslate, the review app, XLIFF import, removal marks) goes through ``RecordLog.revise``: under
the log's write lock it reads the latest revision of each record, lets the caller build the new
revision on *that* revision (not on a snapshot taken earlier), numbers it latest + 1, writes whole
lines, fsyncs, and tells the index, all in one step. So no two lines share (id, revision) and no
writer overwrites work it never saw.

A crash can leave at most one partial last line. Readers never take such a torn line as data; the
next writer moves it aside to ``<log>.torn`` (nothing is thrown away) before appending. Lines in the
middle that cannot be read (garbage, a damaged line, a file re-saved as UTF-16) and lines written
by a newer record schema are reported with their line numbers; werger refuses to append to such a
log, since the revision numbers hidden in those lines could be reused. ``store.repair`` moves
unreadable lines aside.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from filelock import FileLock, Timeout
from pydantic import ValidationError

from store.errors import LogDamagedError, LogLockedError, NewerLogError, RevisionConflictError
from store.record import SCHEMA_ID, Record

LOG_NAME = "records.jsonl"
QUARANTINE_SUFFIX = ".quarantine"
_ID_KEY = b'"id":"'
_PREFIX = b'{"schema":"' + SCHEMA_ID.encode("ascii") + b'","id":"'
_SCHEMA_FAMILY = SCHEMA_ID.rsplit("/", 1)[0] + "/"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Builder = Callable[[Record | None], Record | None]
"""Builds a record's next revision from its latest one (None when the record is not in the log).

Returns None to write nothing. The revision number it sets is ignored: ``revise`` numbers it."""


class RevisionSink(Protocol):
    """Told about every revision right after it is fsynced, still under the write lock (the index).

    ``about_to_write`` comes first, under the same lock hold, before the log changes."""

    def about_to_write(self) -> None: ...

    def note_written(self, records: Iterable[Record]) -> None: ...


class LatestLookup(Protocol):
    """Answers ``latest_for_update`` without reading the whole log (the index, from its offsets)."""

    def latest_for_update(self, ids: set[str], report: ReadReport) -> dict[str, Record]: ...

    def latest_of(self, ids: set[str]) -> dict[str, Record]: ...


@dataclass
class ReadReport:
    """What a read skipped, so callers can tell the user instead of hiding it.

    Line numbers count from 1, as an editor shows them.
    """

    torn_tail: bool = False
    invalid_lines: list[int] = field(default_factory=list)
    newer_lines: list[int] = field(default_factory=list)
    newer_schemas: set[str] = field(default_factory=set)
    utf16: bool = False

    @property
    def clean(self) -> bool:
        """True when every complete line was a record this werger reads."""
        return not self.invalid_lines and not self.newer_lines

    def problems(self, path: Path) -> list[str]:
        """One message per kind of problem, each naming the lines and what to do."""
        messages = []
        if self.invalid_lines:
            count = len(self.invalid_lines)
            why = (
                "the file is UTF-16, not UTF-8 (re-saved by an editor?)"
                if self.utf16
                else "not a werger record, or not UTF-8 text"
            )
            messages.append(
                f"{path}: {count} unreadable line{'s' if count != 1 else ''} "
                f"({_lines(self.invalid_lines)}): {why}; they were skipped and werger will not append "
                f"to this log until they are moved aside with `werger repair --data {path.parent}` "
                f"(it keeps them in {path.name}{QUARANTINE_SUFFIX}, nothing is deleted)"
            )
        if self.newer_lines:
            count = len(self.newer_lines)
            schemas = ", ".join(sorted(self.newer_schemas))
            messages.append(
                f"{path}: {count} line{'s' if count != 1 else ''} ({_lines(self.newer_lines)}) "
                f"written by a newer werger ({schemas}); upgrade werger to read them. This version "
                "will not append to this log, so it cannot reuse their revision numbers"
            )
        return messages


def _lines(numbers: list[int], shown: int = 10) -> str:
    head = ", ".join(str(n) for n in numbers[:shown])
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f"line{'s' if len(numbers) != 1 else ''} {head}{more}"


class RecordLog:
    """A directory holding ``records.jsonl`` and its lock."""

    def __init__(self, directory: Path, lock_timeout: float = 30.0) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOG_NAME
        self._lock = FileLock(str(self.path) + ".lock", timeout=lock_timeout)
        self.sinks: list[RevisionSink] = []
        self.lookup: LatestLookup | None = None

    # -- writing: the one protocol -------------------------------------------------------------

    def revise(self, builders: Mapping[str, Builder]) -> list[Record]:
        """Append the next revision of each record in ``builders``; returns what was written.

        Under the write lock: read the latest revision of each id (``latest_for_update``), call
        its builder with it, number the result latest + 1, append all lines, fsync, and tell the
        sinks (the index). A builder runs under the lock, so it must be quick (no translation);
        it may raise (e.g. RevisionConflictError), and then nothing of the batch is written.

        Raises LogDamagedError / NewerLogError when the log holds lines werger cannot read or
        that a newer werger wrote, LogLockedError when the lock cannot be had in time.
        """
        if not builders:
            return []
        with self.write_lock():
            report = ReadReport()
            latest = self.latest_for_update(set(builders), report)
            refuse_unless_clean(report, self.path)
            written: list[Record] = []
            for record_id, build in builders.items():
                base = latest.get(record_id)
                new = build(base)
                if new is None:
                    continue
                if new.id != record_id:
                    raise ValueError(f"builder for {record_id} returned record {new.id}")
                number = base.revision + 1 if base else 1
                written.append(new.model_copy(update={"revision": number, "newer_revision": None}))
            if not written:
                return []
            for sink in self.sinks:
                sink.about_to_write()
            self.move_torn_tail_aside()
            self._write(written)
            for sink in self.sinks:
                sink.note_written(written)
        return written

    def append_revision(self, record: Record) -> Record:
        """Append an editor's ``record`` only if the latest revision is still the one it was built on.

        Two editors who opened the same revision must not silently overwrite each other: the loser
        gets the winner's revision in a RevisionConflictError so both versions can be shown.
        """
        base = record.revision - 1

        def build(latest: Record | None) -> Record:
            current = latest.revision if latest is not None else 0
            if current != base:
                raise RevisionConflictError(
                    f"record {record.id} is at revision {current}, not {base}; "
                    "reload it and apply the change again",
                    latest,
                )
            return record

        return self.revise({record.id: build})[0]

    def latest_for_update(self, ids: set[str], report: ReadReport) -> dict[str, Record]:
        """The latest revision of each of ``ids``, read with the write lock held.

        The one place ``revise`` learns the current state; ``report`` must come back listing every
        unreadable or newer-schema line of the whole log (they may hide revisions of these ids).
        With an index attached (``lookup``) this reads only those records' lines; without one, it
        scans the log.
        """
        if self.lookup is not None:
            return self.lookup.latest_for_update(ids, report)
        return _keep_latest(self._scan(report, lambda raw: _line_id(raw) in ids))

    def read_at(self, offset: int, length: int) -> Record | None:
        """The record on the line at ``offset`` (``length`` bytes with its newline), or None if invalid."""
        raw = self.read_raw_at(offset, length)
        return parse_line(raw) if raw.endswith(b"\n") else None

    def read_raw_at(self, offset: int, length: int) -> bytes:
        """The bytes of the line at ``offset`` (empty when the log is shorter)."""
        with self.path.open("rb") as fh:
            fh.seek(offset)
            return fh.read(length)

    def write_lock(self):
        """The log's write lock (reentrant within a process) as a context manager."""
        return _Locked(self)

    def _write(self, records: list[Record]) -> None:
        lines = [r.to_json_line() + "\n" for r in records]
        if not lines:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def move_torn_tail_aside(self) -> None:
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

    # -- reading ---------------------------------------------------------------------------------

    def read(self, report: ReadReport | None = None, containing: bytes | None = None) -> Iterator[Record]:
        """Yield every complete, valid revision in file order (streamed, not loaded whole).

        ``containing`` skips, before any parsing, lines that lack those bytes: a cheap way to find
        the few revisions of interest in a large log. ``report`` collects what could not be read.
        """
        keep = (lambda raw: containing in raw) if containing is not None else None
        return self._scan(report if report is not None else ReadReport(), keep)

    def check(self) -> ReadReport:
        """Go through every line and say what could not be read.

        Lines in werger's own layout are only checked for shape (start and end), so this is about
        as fast as reading the file; a line damaged inside is found when its record is read.
        """
        report = ReadReport()
        for _ in self._scan(report, lambda raw: False):
            pass
        return report

    def _scan(self, report: ReadReport, keep: Callable[[bytes], bool] | None) -> Iterator[Record]:
        """Records of the lines ``keep`` accepts; every unreadable or newer line goes to ``report``.

        Lines werger wrote start with the schema and the id, so the id is read without parsing and
        only kept lines are parsed; any other line (another tool's spacing, garbage, a newer
        schema) is parsed in full to tell which it is.
        """
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.endswith(b"\n"):
                    report.torn_tail = True
                    return
                if number == 1 and raw.startswith(_UTF16_BOMS):
                    report.utf16 = True
                if raw.startswith(_PREFIX):
                    if keep is not None and not keep(raw):
                        if not raw.rstrip(b"\r\n").endswith(b"}"):
                            report.invalid_lines.append(number)
                        continue
                    record = parse_line(raw)
                    if record is None:
                        report.invalid_lines.append(number)
                    else:
                        yield record
                    continue
                if not raw.strip():
                    continue
                record, newer = parse_foreign_line(raw)
                if newer is not None:
                    report.newer_lines.append(number)
                    report.newer_schemas.add(newer)
                elif record is None:
                    report.invalid_lines.append(number)
                elif keep is None or keep(record.to_json_line().encode("utf-8")):
                    yield record

    def latest_of(self, ids: set[str], report: ReadReport | None = None) -> dict[str, Record]:
        """The highest revision of each of ``ids``; other lines are skipped without parsing."""
        if not ids:
            return {}
        return _keep_latest(self._scan(report or ReadReport(), lambda raw: _line_id(raw) in ids))

    def history(self, record_id: str, report: ReadReport | None = None) -> list[Record]:
        """Every revision of one record, lowest first (other lines are skipped without parsing)."""
        return sorted(
            self._scan(report or ReadReport(), lambda raw: _line_id(raw) == record_id),
            key=lambda r: r.revision,
        )

    def latest(self, containing: bytes | None = None, report: ReadReport | None = None) -> dict[str, Record]:
        """The highest revision of each record id (among lines with ``containing``, if given)."""
        return _keep_latest(self.read(report, containing=containing))


class _Locked:
    """Holds the log's file lock, turning a timeout into a LogLockedError a user can act on."""

    def __init__(self, log: RecordLog) -> None:
        self.log = log

    def __enter__(self) -> RecordLog:
        self.log.directory.mkdir(parents=True, exist_ok=True)
        try:
            self.log._lock.acquire()
        except Timeout as exc:
            raise LogLockedError(
                f"{self.log.path} is locked by another werger process; wait for it to finish or "
                f"remove {self.log._lock.lock_file} if no werger is running"
            ) from exc
        return self.log

    def __exit__(self, *exc_info: object) -> None:
        self.log._lock.release()


def refuse_unless_clean(report: ReadReport, path: Path) -> None:
    """Raise when appending to the log read into ``report`` could collide with lines it skipped."""
    if report.newer_lines:
        raise NewerLogError("; ".join(report.problems(path)), report)
    if report.invalid_lines:
        raise LogDamagedError("; ".join(report.problems(path)), report)


def parse_line(raw: bytes) -> Record | None:
    """The record on one complete line, or None when the line is not a valid record."""
    try:
        return Record.from_json_line(raw.decode("utf-8"))
    except (ValidationError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def parse_foreign_line(raw: bytes) -> tuple[Record | None, str | None]:
    """A line not in werger's own layout: (record, None), (None, newer schema) or (None, None)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    schema = data.get("schema")
    if isinstance(schema, str) and schema.startswith(_SCHEMA_FAMILY) and schema != SCHEMA_ID:
        version = schema[len(_SCHEMA_FAMILY) :]
        if version.isdigit() and int(version) > int(SCHEMA_ID.rsplit("/", 1)[1]):
            return None, schema
    try:
        return Record.model_validate(data), None
    except ValidationError:
        return None, None


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
    since the last one. When the file was replaced or shortened (a torn tail moved aside, a
    repair), it is read again from the start. ``report`` says what could not be read. Treat the
    returned records as read-only.
    """

    def __init__(self, log: RecordLog) -> None:
        self.log = log
        self.report = ReadReport()
        self._latest: dict[str, Record] = {}
        self._offset = 0
        self._lines = 0
        self._inode: int | None = None
        self._lock = threading.Lock()

    def get(self) -> dict[str, Record]:
        with self._lock:
            try:
                stat = self.log.path.stat()
            except FileNotFoundError:
                self._reset(None)
                return {}
            if stat.st_ino != self._inode or stat.st_size < self._offset:
                self._reset(stat.st_ino)
            if stat.st_size > self._offset:
                _keep_latest(self._read_from_offset(), self._latest)
            return dict(self._latest)

    def _reset(self, inode: int | None) -> None:
        self._latest, self._offset, self._lines, self._inode = {}, 0, 0, inode
        self.report = ReadReport()

    def _read_from_offset(self) -> Iterator[Record]:
        with self.log.path.open("rb") as fh:
            fh.seek(self._offset)
            for raw in fh:
                if not raw.endswith(b"\n"):
                    return
                self._offset += len(raw)
                self._lines += 1
                if self._lines == 1 and raw.startswith(_UTF16_BOMS):
                    self.report.utf16 = True
                if not raw.strip():
                    continue
                record = parse_line(raw) if raw.startswith(_PREFIX) else None
                newer = None
                if record is None and not raw.startswith(_PREFIX):
                    record, newer = parse_foreign_line(raw)
                if newer is not None:
                    self.report.newer_lines.append(self._lines)
                    self.report.newer_schemas.add(newer)
                elif record is None:
                    self.report.invalid_lines.append(self._lines)
                else:
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
