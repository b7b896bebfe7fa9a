"""One revision per record, filtered, for downstream programs and for editors' CAT tools.

The latest revision of each record, or with ``--status approved`` the latest approved one (see
``select``).

Formats: ``jsonl`` (the records themselves, one line each, valid against the record schema),
``xliff`` (XLIFF 2.0, see ``store.xliff``) and ``effort`` (one JSON line per edited segment with
the edit distance between machine output and the editor's final text).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TextIO

from store.log import ReadReport, RecordLog
from store.record import Record, Status
from store.revise import post_edit_effort

FORMATS = ("jsonl", "xliff", "effort")


@dataclass(frozen=True)
class Filters:
    """What to export; None means no restriction."""

    status: Status | None = None
    since: datetime | None = None
    lang: str | None = None
    site: str | None = None

    def accept(self, record: Record) -> bool:
        return (
            (self.status is None or record.status == self.status)
            and (self.since is None or record.revised_at >= self.since)
            and (self.lang is None or record.source_lang == self.lang)
            and (self.site is None or record.site == self.site)
        )


def since_datetime(day: date | datetime) -> datetime:
    """A date means its start in UTC; naive times are taken as UTC."""
    if not isinstance(day, datetime):
        day = datetime(day.year, day.month, day.day)
    return day if day.tzinfo else day.replace(tzinfo=UTC)


def select(log: RecordLog, filters: Filters, report: ReadReport | None = None) -> Iterator[Record]:
    """One revision per record that passes the filters, in id order for stable output.

    Which revision: the latest one; with ``status=approved``, the latest *approved* one, so a
    record approved at revision 4 whose page then changed (revision 5, ``needs_review``) keeps
    giving downstream its approved text. Such a record comes with ``newer_revision`` = 5. Lines
    the log could not read are listed in ``report``.
    """
    if filters.status is Status.APPROVED:
        chosen, newest = _latest_approved(log, report)
    else:
        chosen = log.latest(report=report)
        newest = {record_id: record.revision for record_id, record in chosen.items()}
    for record_id in sorted(chosen):
        record = chosen[record_id]
        if not filters.accept(record):
            continue
        if newest[record_id] > record.revision:
            record = record.model_copy(update={"newer_revision": newest[record_id]})
        yield record


def _latest_approved(log: RecordLog, report: ReadReport | None) -> tuple[dict[str, Record], dict[str, int]]:
    """Per record, its latest approved revision, and the number of its latest revision of all."""
    approved: dict[str, Record] = {}
    newest: dict[str, int] = {}
    for record in log.read(report):
        newest[record.id] = max(newest.get(record.id, 0), record.revision)
        if record.status is Status.APPROVED:
            current = approved.get(record.id)
            if current is None or record.revision > current.revision:
                approved[record.id] = record
    return approved, newest


def write_jsonl(records: Iterable[Record], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(record.to_json_line() + "\n")
        count += 1
    return count


def write_effort(records: Iterable[Record], out: TextIO) -> int:
    count = 0
    for record in records:
        for row in post_edit_effort(record):
            out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
            count += 1
    return count
