"""Latest revision per record, filtered, for downstream programs and for editors' CAT tools.

Formats: ``jsonl`` (the records themselves, one line each, valid against the record schema),
``xliff`` (XLIFF 2.0, see ``store.xliff``) and ``effort`` (one JSON line per edited segment with
the edit distance between machine output and the editor's final text).

Exports stream: the filters are answered by the index, which also says where each record's latest
line lies, so memory stays flat however many records match and the log is read only at those
lines. ``jsonl`` copies the lines as the log holds them (they are the records, validated when
written), which is what makes an export of hundreds of thousands of records take seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO, TextIO

from store.index import CrawlIndex
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


def _where(filters: Filters) -> tuple[str, tuple]:
    """The filters as SQL over the index's records table (times compare as the log spells them)."""
    where: list[str] = []
    params: list[object] = []
    for column, value in (("status", filters.status), ("source_lang", filters.lang), ("site", filters.site)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))
    if filters.since is not None:
        where.append("revised_at >= ?")
        params.append(filters.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return " AND ".join(where), tuple(params)


def select_lines(index: CrawlIndex, filters: Filters) -> Iterator[bytes]:
    """The log line (with its newline) of the latest revision of each matching record, in id order."""
    index.catch_up()
    where, params = _where(filters)
    with index.log.path.open("rb") as fh:
        for at, size in index.spans(where, params):
            fh.seek(at)
            yield fh.read(size)


def select(index: CrawlIndex, filters: Filters) -> Iterator[Record]:
    """The latest revision of each record that passes the filters, in id order for stable output."""
    for raw in select_lines(index, filters):
        record = Record.from_json_line(raw.decode("utf-8"))
        if filters.accept(record):
            yield record


def write_lines(lines: Iterable[bytes], out: BinaryIO) -> int:
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


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
