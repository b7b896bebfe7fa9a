"""The review queue: one page of records, filtered and ordered in SQL over the index.

Newest revision first. Pages are found by keyset (the last row's ``revised_at`` and ``id``), so
page 1,000 costs what page 1 costs, and matches are counted only up to ``COUNT_LIMIT``; the log is
not read at all. Text search uses the index's FTS5 table: every word must occur (prefix match on
the last one, as one types, from three letters on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from store.index import CrawlIndex
from store.lines import fold_for_search
from store.record import Status

PAGE_SIZE = 50
REMOVED = "removed"  # a status filter of its own: pages the site stopped serving
COUNT_LIMIT = 10_000
SEARCH_COUNT_LIMIT = 1_000  # each counted search match costs a join; common words match a lot
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX = 3  # "t*" or "th*" would merge the doclists of a good part of the vocabulary; the
# search table has a prefix index of three letters (store/index.py), so "the*" reads one doclist
_COLUMNS = "id, title, url, site, source_lang, status, flags, revision, revised_at, removed_at, conflicts"


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
    removed_at: datetime | None
    conflicts: int


@dataclass
class QueuePage:
    """A page of rows, the total that match, and the cursors of the neighbouring pages."""

    rows: list[QueueRow]
    total: int
    more_than_total: bool = False
    newer: str | None = None
    older: str | None = None
    search_pending: tuple[int, int] | None = None
    options: dict[str, list[str]] = field(default_factory=dict)


def search_query(text: str) -> str | None:
    """An FTS5 query for the words of ``text`` (all of them, the last one as a prefix when it has
    at least ``MIN_PREFIX`` letters); None if no word."""
    words = _WORD.findall(fold_for_search(text))
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " AND ".join(quoted)


def _conditions(filters: QueueFilters) -> tuple[list[str], list[object]]:
    where: list[str] = []
    params: list[object] = []
    for column, value in (("site", filters.site), ("source_lang", filters.lang), ("status", filters.status)):
        if value == REMOVED and column == "status":
            where.append("r.removed = 1")
        elif value:
            # With a site chosen, "+" keeps SQLite off the language's indexes: a site publishes in
            # one or two languages, so its index is the narrower (at 1M revisions the status counts
            # of one site and language took 368 ms of CPU through the language's index, 25 ms so).
            unindexed = "+" if column == "source_lang" and filters.site else ""
            where.append(f"{unindexed}r.{column} = ?")
            params.append(value)
    if filters.flag:
        where.append("r.id IN (SELECT id FROM record_flags WHERE flag = ?)")
        params.append(filters.flag)
    return where, params


def _stored_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _parse_cursor(cursor: str | None, searching: bool) -> tuple | None:
    """A page cursor: ``<revised_at>|<id>`` in the queue, ``#<rid>`` in search results."""
    if not cursor:
        return None
    if searching:
        return (int(cursor[1:]),) if cursor.startswith("#") and cursor[1:].isdigit() else None
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
    """Rows older than cursor ``after`` (or newer than ``before``); the first page without either.

    The queue is ordered by the latest revision's time, newest first. Text search results come
    newest record first (FTS5 walks its matches in that order, so a page costs the page however
    common the words are). ``total`` is counted up to ``COUNT_LIMIT`` and shown as "N+" beyond.
    """
    index.catch_up()
    where, params = _conditions(filters)
    query = search_query(filters.text or "")
    searching = query is not None
    if searching:
        source = "search CROSS JOIN records r ON r.rid = search.rowid"  # FTS5 drives the loop
        where.insert(0, "search MATCH ?")
        params.insert(0, query)
        key, key_columns = "(search.rowid)", ("search.rowid",)  # FTS5 hands matches out in this order
    else:
        source = "records r"
        key, key_columns = "(r.revised_at, r.id)", ("r.revised_at", "r.id")
    condition = " AND ".join(where)
    limit = SEARCH_COUNT_LIMIT if searching else COUNT_LIMIT
    counted = index.query(
        f"SELECT count(*) FROM (SELECT 1 FROM {source}{' WHERE ' + condition if where else ''} LIMIT ?)",
        [*params, limit + 1],
    )[0][0]
    older_than, newer_than = _parse_cursor(after, searching), _parse_cursor(before, searching)
    page_where, page_params = list(where), list(params)
    marks = ", ".join("?" * len(key_columns))
    if older_than is not None:
        page_where.append(f"{key} < ({marks})")
        page_params.extend(older_than)
    elif newer_than is not None:
        page_where.append(f"{key} > ({marks})")
        page_params.extend(newer_than)
    descending = newer_than is None
    order = ", ".join(f"{c} {'DESC' if descending else 'ASC'}" for c in key_columns)
    sql = (
        f"SELECT {', '.join('r.' + c for c in _COLUMNS.split(', '))}, r.rid FROM {source}"
        + (" WHERE " + " AND ".join(page_where) if page_where else "")
        + f" ORDER BY {order} LIMIT ?"
    )
    found = index.query(sql, [*page_params, size + 1])
    more = len(found) > size
    found = found[:size]
    if not descending:
        found.reverse()
    page = QueuePage(rows=[_row(r) for r in found], total=min(counted, limit))
    page.more_than_total = counted > limit
    if found:
        has_newer = (older_than is not None) or (newer_than is not None and more)
        has_older = more if descending else True
        page.newer = _cursor_of(found[0], searching) if has_newer else None
        page.older = _cursor_of(found[-1], searching) if has_older else None
    if searching and not index.search_ready:
        page.search_pending = index.search_progress()
    return page


def _cursor_of(row: tuple, searching: bool) -> str:
    return f"#{row[11]}" if searching else f"{row[8]}|{row[0]}"


def _row(row: tuple) -> QueueRow:
    record_id, title, url, site, lang, status, flags, revision, revised_at, removed_at, conflicts, _ = row
    removed = _stored_time(removed_at) if removed_at else None
    return QueueRow(
        record_id, title, url, site, lang, status, flags.split(), revision, _stored_time(revised_at),
        removed, conflicts,
    )


def facet_options(index: CrawlIndex) -> dict[str, list[str]]:
    """Values offered in the queue's filter menus (sites, languages and flags the log has held)."""
    options: dict[str, list[str]] = {"site": [], "lang": [], "flag": []}
    for kind, value in index.query("SELECT kind, value FROM facets ORDER BY kind, value"):
        options.setdefault(kind, []).append(value)
    return options


def neighbours(index: CrawlIndex, filters: QueueFilters, record_id: str) -> tuple[str | None, str | None]:
    """The ids just newer and just older than ``record_id`` in the queue these filters select.

    Found by keyset from the record's own position, so it works also when the record itself no
    longer matches (just approved, say): "next" is then the record that followed it.
    """
    index.catch_up()
    query = search_query(filters.text or "")
    searching = query is not None
    own = index.query("SELECT rid, revised_at, id FROM records WHERE id = ?", [record_id])
    if not own:
        return None, None
    rid, revised_at, rid_text = own[0]
    where, params = _conditions(filters)
    source, key = "records r", "(r.revised_at, r.id)"
    mark: tuple = (revised_at, rid_text)
    columns: tuple[str, ...] = ("r.revised_at", "r.id")
    if searching:
        source, key = "search CROSS JOIN records r ON r.rid = search.rowid", "search.rowid"  # FTS5 first
        mark, columns = (rid,), ("r.rid",)
        where.insert(0, "search MATCH ?")
        params.insert(0, query)
    marks = ", ".join("?" * len(mark))

    def step(comparison: str, direction: str) -> str | None:
        clauses = [*where, f"{key} {comparison} ({marks})"]
        order = ", ".join(f"{c} {direction}" for c in columns)
        sql = f"SELECT r.id FROM {source} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT 1"
        found = index.query(sql, [*params, *mark])
        return found[0][0] if found else None

    return step(">", "ASC"), step("<", "DESC")


class StatusCounts(dict[str, int]):
    """Records per status; ``capped`` when they were counted among the newest matches of a text
    search only (the page shows them as "N+")."""

    capped: bool = False


def status_counts(index: CrawlIndex, filters: QueueFilters) -> StatusCounts:
    """Per status, how many records the other filters select (each counted up to ``COUNT_LIMIT``);
    pages whose site stopped serving them are counted under ``removed`` as well.

    With a text search, the newest ``SEARCH_COUNT_LIMIT`` matches are read once, FTS5 first, and
    counted by status (``capped`` when there were more): counting each status over every match of
    a common word would join hundreds of thousands of rows per status at a million revisions.
    """
    index.catch_up()
    where, params = _conditions(QueueFilters(filters.site, filters.lang, None, filters.flag, None))
    query = search_query(filters.text or "")
    counts = StatusCounts()
    if query is not None:
        sql = (
            "SELECT r.status, r.removed FROM search CROSS JOIN records r ON r.rid = search.rowid "
            f"WHERE {' AND '.join(['search MATCH ?', *where])} ORDER BY search.rowid DESC LIMIT ?"
        )
        rows = index.query(sql, [query, *params, SEARCH_COUNT_LIMIT + 1])
        counts.capped = len(rows) > SEARCH_COUNT_LIMIT
        for status, removed in rows[:SEARCH_COUNT_LIMIT]:
            counts[status] = counts.get(status, 0) + 1
            if removed:
                counts[REMOVED] = counts.get(REMOVED, 0) + 1
        return counts
    # "removed = 1" as a literal, so SQLite may use the partial index of removed records
    for status, clause in [*((s.value, "r.status = ?") for s in Status), (REMOVED, "r.removed = 1")]:
        values: list[object] = [status] if status != REMOVED else []
        sql = f"SELECT count(*) FROM (SELECT 1 FROM records r WHERE {' AND '.join([*where, clause])} LIMIT ?)"
        counted = index.query(sql, [*params, *values, COUNT_LIMIT])[0][0]
        if counted:
            counts[status] = counted
    return counts
