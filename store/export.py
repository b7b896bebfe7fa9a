"""One revision per record, filtered, for downstream programs and for editors' CAT tools.

The latest revision of each record, or with ``--status approved`` the latest approved one (see
``select``).

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
from store.log import ReadReport, parse_line
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


def _where(filters: Filters, approved: bool) -> tuple[str, tuple]:
    """The filters as SQL over the index's records table (times compare as the log spells them)."""
    where: list[str] = ["approved_at IS NOT NULL"] if approved else []
    params: list[object] = []
    status = None if approved else filters.status
    for column, value in (("status", status), ("source_lang", filters.lang), ("site", filters.site)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(str(value))
    if filters.since is not None:
        where.append(f"{'approved_time' if approved else 'revised_at'} >= ?")
        params.append(filters.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return " AND ".join(where), tuple(params)


def select(index: CrawlIndex, filters: Filters, report: ReadReport | None = None) -> Iterator[Record]:
    """One revision per record that passes the filters, in id order for stable output.

    Which revision: the latest one; with ``status=approved``, the latest *approved* one, so a
    record approved at revision 4 whose page then changed (revision 5, ``needs_review``) keeps
    giving downstream its approved text. Such a record comes with ``newer_revision`` = 5. Lines
    the log could not read are listed in ``report``. The index picks the records and says where
    their lines are; only those lines are read.
    """
    index.catch_up()
    if report is not None:
        index.fill_report(report)
    approved = filters.status is Status.APPROVED
    where, params = _where(filters, approved)
    columns = "approved_at, approved_len, revision" if approved else "line_at, line_len, revision"
    if not index.log.path.exists():
        return  # a data folder whose crawls stored nothing yet: no records
    with index.log.path.open("rb") as fh:
        for at, size, newest in index.spans(where, params, columns):
            fh.seek(at)
            record = parse_line(fh.read(size))
            if record is None or not filters.accept(record):
                continue
            if newest > record.revision:
                record = record.model_copy(update={"newer_revision": newest})
            yield record


def select_lines(index: CrawlIndex, filters: Filters) -> Iterator[bytes]:
    """The export as JSONL lines (with newlines). The latest revisions are copied from the log as
    they are, without parsing (the fast path for big exports); approved ones go through ``select``."""
    if filters.status is Status.APPROVED:
        for record in select(index, filters):
            yield (record.to_json_line() + "\n").encode("utf-8")
        return
    index.catch_up()
    where, params = _where(filters, approved=False)
    if not index.log.path.exists():
        return  # a data folder whose crawls stored nothing yet: no records
    with index.log.path.open("rb") as fh:
        for at, size in index.spans(where, params):
            fh.seek(at)
            yield fh.read(size)


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
