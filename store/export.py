"""Latest revision per record, filtered, for downstream programs and for editors' CAT tools.

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

from store.log import RecordLog
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


def select(log: RecordLog, filters: Filters) -> Iterator[Record]:
    """The latest revision of each record that passes the filters, in id order for stable output."""
    latest = log.latest()
    for record_id in sorted(latest):
        if filters.accept(latest[record_id]):
            yield latest[record_id]


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
