"""The review queue: one page of records, filtered and ordered in SQL over the index.

Newest revision first. Pages are found by keyset (the last row's ``revised_at`` and ``id``), so
page 1,000 costs what page 1 costs; the log is not read at all. Text search uses the index's
FTS5 table: every word must occur (prefix match on the last one, as one types).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from store.index import CrawlIndex

PAGE_SIZE = 50
_WORD = re.compile(r"\w+", re.UNICODE)
_COLUMNS = "id, title, url, site, source_lang, status, flags, revision, revised_at, removed_at"


@dataclass(frozen=True)
class QueueFilters:
    """What the editor asked for; None or "" means no restriction."""

    site: str | None = None
    lang: str | None = None
    status: str | None = None
    flag: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue (from the index, without reading the log)."""

    id: str
    title: str | None
    url: str
    site: str
    source_lang: str
    status: str
    flags: list[str]
    revision: int
    revised_at: datetime
    removed_at: str | None


@dataclass
class QueuePage:
    """A page of rows, the total that match, and the cursors of the neighbouring pages."""

    rows: list[QueueRow]
    total: int
    newer: str | None = None
    older: str | None = None
    search_pending: tuple[int, int] | None = None
    options: dict[str, list[str]] = field(default_factory=dict)


def search_query(text: str) -> str | None:
    """An FTS5 query for the words of ``text`` (all of them, last one as a prefix); None if no word."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def _conditions(index: CrawlIndex, filters: QueueFilters) -> tuple[list[str], list[object], bool]:
    where: list[str] = []
    params: list[object] = []
    for column, value in (("site", filters.site), ("source_lang", filters.lang), ("status", filters.status)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.flag:
        where.append("id IN (SELECT id FROM record_flags WHERE flag = ?)")
        params.append(filters.flag)
    pending = False
    query = search_query(filters.text or "")
    if query is not None:
        pending = not index.search_ready
        where.append("rid IN (SELECT rowid FROM search WHERE search MATCH ?)")
        params.append(query)
    return where, params, pending


def _stored_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _parse_cursor(cursor: str | None) -> tuple[str, str] | None:
    if not cursor or "|" not in cursor:
        return None
    when, _, rid = cursor.partition("|")
    try:
        _stored_time(when)
    except ValueError:
        return None
    return when, rid


def queue_page(
    index: CrawlIndex,
    filters: QueueFilters,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """Rows older than cursor ``after`` (or newer than ``before``); the first page without either."""
    index.catch_up()
    where, params, pending = _conditions(index, filters)
    count_sql = "SELECT count(*) FROM records" + (" WHERE " + " AND ".join(where) if where else "")
    total = index.query(count_sql, params)[0][0]
    older_than, newer_than = _parse_cursor(after), _parse_cursor(before)
    page_where, page_params = list(where), list(params)
    descending = newer_than is None
    if older_than is not None:
        page_where.append("(revised_at, id) < (?, ?)")
        page_params.extend(older_than)
    elif newer_than is not None:
        page_where.append("(revised_at, id) > (?, ?)")
        page_params.extend(newer_than)
    order = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {_COLUMNS} FROM records"
        + (" WHERE " + " AND ".join(page_where) if page_where else "")
        + f" ORDER BY revised_at {order}, id {order} LIMIT ?"
    )
    found = index.query(sql, [*page_params, size + 1])
    more = len(found) > size
    found = found[:size]
    if not descending:
        found.reverse()
    rows = [_row(r) for r in found]
    page = QueuePage(rows=rows, total=total)
    if rows:
        has_newer = (older_than is not None) or (newer_than is not None and more)
        has_older = more if descending else True
        page.newer = _cursor_of(found[0]) if has_newer else None
        page.older = _cursor_of(found[-1]) if has_older else None
    if pending:
        page.search_pending = index.search_progress()
    return page


def _cursor_of(row: tuple) -> str:
    return f"{row[8]}|{row[0]}"


def _row(row: tuple) -> QueueRow:
    rid, title, url, site, lang, status, flags, revision, revised_at, removed_at = row
    return QueueRow(
        rid, title, url, site, lang, status, flags.split(), revision, _stored_time(revised_at), removed_at
    )


def facet_options(index: CrawlIndex) -> dict[str, list[str]]:
    """Values offered in the queue's filter menus (sites, languages and flags the log has held)."""
    options: dict[str, list[str]] = {"site": [], "lang": [], "flag": []}
    for kind, value in index.query("SELECT kind, value FROM facets ORDER BY kind, value"):
        options.setdefault(kind, []).append(value)
    return options
