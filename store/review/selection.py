"""The editor's selection of the queue (filters and text search), carried in every URL.

The filters travel in the query string of every queue, record and history URL (``?status=
needs_review&lang=ckb&q=flood``), so the next and previous record, the move after a decision and
``u`` back to the queue all stay inside the editor's selection. The SQL lives in ``store.queue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from store.queue import QueueFilters

MAX_VALUE = 200  # characters kept of one filter value


@dataclass(frozen=True)
class Selection:
    """What the editor asked the queue for; None means any. ``q`` searches title and text."""

    site: str | None = None
    lang: str | None = None
    status: str | None = None
    flag: str | None = None
    q: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Selection:
        values = {f.name: (params.get(f.name) or "").strip()[:MAX_VALUE] or None for f in fields(cls)}
        return cls(**values)

    def __getitem__(self, name: str) -> str | None:
        return getattr(self, name)

    def filters(self) -> QueueFilters:
        return QueueFilters(self.site, self.lang, self.status, self.flag, self.q)

    def query(self, **overrides: str | None) -> str:
        """The query string for this selection (with ``overrides``), '' when nothing is set."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        kept = {k: v for k, v in values.items() if v}
        return "?" + urlencode(kept) if kept else ""
