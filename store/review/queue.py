"""The review queue's filters, order and neighbours, shared by the queue and the record pages.

The filters travel in the query string of every queue and record URL (``?status=needs_review&
lang=ckb&q=flood``), so the next and previous record, the move after a decision and ``u`` back to
the queue all stay inside the editor's selection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from store.record import Record

MAX_QUERY = 200


@dataclass(frozen=True)
class QueueFilters:
    """What the editor asked the queue for; None means any. ``q`` searches source, target and title."""

    site: str | None = None
    lang: str | None = None
    status: str | None = None
    flag: str | None = None
    q: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> QueueFilters:
        values = {f.name: (params.get(f.name) or "").strip()[:MAX_QUERY] or None for f in fields(cls)}
        return cls(**values)

    def query(self, **overrides: str | None) -> str:
        """The query string for these filters (with ``overrides``), '' when none is set."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        kept = {k: v for k, v in values.items() if v}
        return "?" + urlencode(kept) if kept else ""

    def matches(self, record: Record, ignore_status: bool = False) -> bool:
        return (
            (self.site is None or record.site == self.site)
            and (self.lang is None or record.source_lang == self.lang)
            and (ignore_status or self.status is None or _status(record) == self.status)
            and (self.flag is None or any(self.flag in s.qa_flags for s in record.segments))
            and (self.q is None or _contains(record, self.q))
        )


def _status(record: Record) -> str:
    return "removed" if record.removed_at else str(record.status)


def _contains(record: Record, text: str) -> bool:
    needle = text.casefold()
    haystack = [record.title or "", *(s.source for s in record.segments)]
    haystack += [s.target or "" for s in record.segments]
    return any(needle in piece.casefold() for piece in haystack)


def ordered(records: Iterable[Record], filters: QueueFilters) -> list[Record]:
    """The records the filters select, most recently revised first (ties by id, stable)."""
    shown = [r for r in records if filters.matches(r)]
    shown.sort(key=lambda r: (r.revised_at, r.id), reverse=True)
    return shown


def status_counts(records: Iterable[Record], filters: QueueFilters) -> Counter[str]:
    """Per status, how many records the other filters select (the queue's progress line)."""
    return Counter(_status(r) for r in records if filters.matches(r, ignore_status=True))


def neighbours(ids: list[str], record_id: str) -> tuple[str | None, str | None]:
    """The previous and next id around ``record_id`` in the queue order (None at the ends or when
    the record is no longer in the selection)."""
    if record_id not in ids:
        return None, ids[0] if ids else None
    at = ids.index(record_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)
