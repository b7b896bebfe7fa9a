"""Reading werger records from Python: the public API for programs downstream of a crawl.

A data folder (the ``--out`` of ``werger crawl``) holds ``records.jsonl``: one JSON object per
line, one line per revision of a record, appended and never rewritten. The rules a reader follows,
also stated in the README ("Reading the records") and in ``record.schema.json``:

- **Current revision.** The line with the highest ``revision`` for an ``id`` is that record's
  current state; lower revisions are its history. Revisions of one id are numbered 1, 2, 3, ...
- **Approved revision.** Per record, the highest revision whose ``status`` is ``approved``; a later
  machine revision (the page changed on the site) does not withdraw it, but is newer text.
- **A null ``target``** means the paragraph was not translated (no model, doubtful language,
  nothing to do). Only a paragraph already in the target language (``segment.lang ==
  record.target_lang``) may stand in for its translation with its source: see ``target_text``.
- **``removed_at``** set means the site stopped serving the page (HTTP 404/410) at that time; text
  and translations are kept. A later revision without it means the page came back.
- **A partly written last line** (a crawl appending while you read, or a crash) does not end in a
  newline: it is never returned, and ``ReadReport.torn_tail`` says it was there. Read it on the
  next pass, once it is complete.

Example::

    from store.reader import RecordReader

    reader = RecordReader("data/")
    for record in reader.latest():
        print(record.id, record.revision, record.status, record.title)

Everything streams: memory grows with the number of record ids, never with the size of the log.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from store.errors import RecordInvalidError, WergerStoreError
from store.log import LOG_NAME, ReadReport, RecordLog
from store.record import Record, Segment, Status

__all__ = [
    "LOG_NAME",
    "LogNotFoundError",
    "ReadReport",
    "Record",
    "RecordReader",
    "Segment",
    "Status",
    "target_text",
]


class LogNotFoundError(WergerStoreError, FileNotFoundError):
    """The folder holds no ``records.jsonl``: not a werger data folder, or nothing crawled yet."""


class RecordReader:
    """Read-only access to the records of one data folder; safe while a crawl appends.

    A facade over ``store.log.RecordLog``'s reading side. ``strict=False`` skips lines that are not
    valid records and lists their line numbers in ``report.invalid_lines``; ``strict=True`` raises
    ``RecordInvalidError`` as soon as one is met. Raises ``LogNotFoundError`` when the folder holds
    no log.
    """

    def __init__(self, folder: str | os.PathLike[str], *, strict: bool = False) -> None:
        self.log = RecordLog(Path(folder))
        self.path = self.log.path
        if not self.path.is_file():
            raise LogNotFoundError(
                f"{self.path} does not exist; give the folder a `werger crawl --out` wrote to"
            )
        self.strict = strict
        self.report = ReadReport()

    def revisions(self) -> Iterator[Record]:
        """Every revision in file order (oldest first), streamed line by line."""
        self.report = ReadReport()
        for record in self.log.read(self.report):
            self._check()
            yield record
        self._check()

    def latest(self) -> Iterator[Record]:
        """The current revision of every record, in the order their ids first appear.

        Two passes over the log: the first finds each id's highest revision (only ids and numbers
        are kept), the second yields those revisions. Records first written after the first pass
        are left for the next read.
        """
        return self._best(lambda record: True)

    def latest_approved(self) -> Iterator[Record]:
        """Per record, the highest revision whose status is ``approved``; records never approved
        are left out."""
        return self._best(lambda record: record.status is Status.APPROVED)

    def history(self, record_id: str) -> list[Record]:
        """Every revision of one record, lowest revision first; empty when the id is unknown."""
        return self.log.history(record_id)

    def _best(self, wanted: Callable[[Record], bool]) -> Iterator[Record]:
        best: dict[str, int] = {}
        for record in self.revisions():
            if wanted(record) and record.revision > best.get(record.id, 0):
                best[record.id] = record.revision
        for record in self.revisions():
            if best.get(record.id) == record.revision and wanted(record):
                del best[record.id]
                yield record

    def _check(self) -> None:
        skipped = [*self.report.invalid_lines, *getattr(self.report, "newer_lines", [])]
        if self.strict and skipped:
            raise RecordInvalidError(f"{self.path}, line {min(skipped)}: not a record this werger can read")


def target_text(record: Record, segment: Segment) -> str | None:
    """The text of ``segment`` in ``record.target_lang``, or None when there is none.

    The translation when there is one; the source only when the paragraph is already in the target
    language; otherwise None (not translated: no model, an undetermined language, or removed by
    policy). Never the source of a paragraph in another language.
    """
    if segment.target is not None:
        return segment.target
    return segment.source if segment.lang == record.target_lang else None
