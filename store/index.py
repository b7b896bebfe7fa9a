"""The index: SQLite beside the log, so every everyday read costs what it returns, not the log.

Per record it knows the latest revision and the latest approved one, their status, languages, site,
title, QA flags, dates, whether a person edited a paragraph, and where each of its lines lies in
the log (byte offset and length), so a record page, its history or a save reads only that record's
lines. For the crawl it also keeps "what ETag and Last-Modified did this URL send last time",
"which links did it hold" (so a 304 still leads the crawl on), "which pages went away", and the
run's frontier on disk so memory stays flat however many URLs a site has.

It is never the truth. Every writer appends through ``RecordLog.revise``; the index attached to
the log answers its "latest revision of these records" from the offsets (``latest_for_update``) and
indexes the new lines in the same step, under the log's write lock (``note_written``). Lines
written by anything else are picked up by ``catch_up``, which reads only the bytes appended since
the index last looked; unreadable lines it meets are remembered by number for ``report``. When
the log no longer continues what was indexed (a deleted index, a log restored from backup, a
rewritten file) the index is rebuilt from the log.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from store.errors import CrawlIndexError
from store.lines import SEARCH_FOLDING_VERSION, search_fields
from store.log import ReadReport, RecordLog
from store.record import Record
from store.scan import Rows, scan

INDEX_NAME = "index.sqlite"
INDEX_FORMAT = "5"
_CHECK_BYTES = 64
_BATCH = 5000
_REBUILD_CACHE_KB = 256 * 1024  # a rebuild inserts in hash order: keep the B-trees in memory

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
    site TEXT NOT NULL, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, title TEXT,
    url TEXT NOT NULL, revised_at TEXT NOT NULL, fetched_at TEXT NOT NULL, removed_at TEXT,
    flags TEXT NOT NULL, edited INTEGER NOT NULL, line_at INTEGER NOT NULL, line_len INTEGER NOT NULL,
    approved_revision INTEGER, approved_at INTEGER, approved_len INTEGER, search_at INTEGER,
    conflicts INTEGER NOT NULL DEFAULT 0, approved_time TEXT
);
CREATE TABLE IF NOT EXISTS lines (
    id TEXT NOT NULL, revision INTEGER NOT NULL, line_at INTEGER NOT NULL, line_len INTEGER NOT NULL,
    PRIMARY KEY (id, revision)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bad_lines (
    line_no INTEGER PRIMARY KEY, line_at INTEGER NOT NULL, newer_schema TEXT
);
CREATE TABLE IF NOT EXISTS record_flags (flag TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (flag, id))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS facets (kind TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, value))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, site TEXT NOT NULL, record_id TEXT, http_status INTEGER,
    etag TEXT, last_modified TEXT, content_hash TEXT, fetched_at TEXT, gone_at TEXT
);
CREATE TABLE IF NOT EXISTS links (url TEXT PRIMARY KEY, targets TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT NOT NULL UNIQUE, depth INTEGER NOT NULL, seed INTEGER NOT NULL
);
"""

# prefix='3': a prefix index of every term's first three letters, so the queue's prefix match on a
# short last word ("gov", "the") reads one doclist instead of merging those of every term that
# starts so (170 ms per query for "the" at 1M revisions; under 1 ms with it).
_SEARCH_PREFIX = "prefix='3'"
_SEARCH = f"""CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
    title, body, content='', detail=none, {_SEARCH_PREFIX}, tokenize='unicode61 remove_diacritics 2'
)"""

# Secondary indexes are dropped during a rebuild and made again at its end (much faster than
# keeping them up to date row by row).
_INDEXES = """
CREATE INDEX IF NOT EXISTS records_by_time ON records (revised_at, id);
CREATE INDEX IF NOT EXISTS records_by_status ON records (status, revised_at, id);
CREATE INDEX IF NOT EXISTS records_by_site ON records (site, revised_at, id);
CREATE INDEX IF NOT EXISTS records_by_lang ON records (source_lang, revised_at, id);
CREATE INDEX IF NOT EXISTS records_edited ON records (edited) WHERE edited = 1;
CREATE INDEX IF NOT EXISTS records_removed ON records (revised_at, id) WHERE removed = 1;
CREATE INDEX IF NOT EXISTS records_by_site_status ON records (site, status, revised_at, id);
CREATE INDEX IF NOT EXISTS records_by_lang_status ON records (source_lang, status, revised_at, id);
"""
_INDEX_NAMES = (
    "records_by_time", "records_by_status", "records_by_site", "records_by_lang", "records_edited",
    "records_removed",
    "records_by_site_status", "records_by_lang_status",
)

_UPSERT_RECORD = """
INSERT INTO records (id, revision, content_hash, removed, status, site, source_lang, target_lang, title,
    url, revised_at, fetched_at, removed_at, flags, edited, line_at, line_len,
    approved_revision, approved_at, approved_len, conflicts, approved_time)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET revision = excluded.revision, content_hash = excluded.content_hash,
    removed = excluded.removed, status = excluded.status, site = excluded.site,
    source_lang = excluded.source_lang, target_lang = excluded.target_lang, title = excluded.title,
    url = excluded.url, revised_at = excluded.revised_at, fetched_at = excluded.fetched_at,
    removed_at = excluded.removed_at, flags = excluded.flags, edited = excluded.edited,
    line_at = excluded.line_at, line_len = excluded.line_len, conflicts = excluded.conflicts,
    approved_revision = coalesce(excluded.approved_revision, records.approved_revision),
    approved_at = coalesce(excluded.approved_at, records.approved_at),
    approved_len = coalesce(excluded.approved_len, records.approved_len),
    approved_time = coalesce(excluded.approved_time, records.approved_time)
WHERE excluded.revision >= records.revision
"""


@dataclass(frozen=True)
class Known:
    """The latest revision of a record, as far as the log says."""

    revision: int
    content_hash: str
    removed: bool = False
    edited: bool = False
    title: str | None = None


@dataclass(frozen=True)
class PageState:
    """What the last fetch of a URL left behind, for conditional GET and removal marks."""

    url: str
    record_id: str | None
    http_status: int | None
    etag: str | None
    last_modified: str | None
    gone_at: str | None


class CrawlIndex:
    """The index of one data folder; thread-safe (records are stored from a worker thread and the
    review app answers requests from a thread pool)."""

    def __init__(self, directory: Path, log: RecordLog | None = None) -> None:
        self.directory = Path(directory)
        self.log = log or RecordLog(self.directory)
        self.path = self.directory / INDEX_NAME
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.rebuilt = False
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            self._upgrade_format()
            self._upgrade_search()
            self._db.executescript(_TABLES + _SEARCH + ";" + _INDEXES)
            self._upgrade_folding()
            self.catch_up()
        except sqlite3.DatabaseError as exc:
            raise CrawlIndexError(
                f"{self.path} is not a usable index ({exc}); delete it, werger rebuilds it from the log"
            ) from exc
        self.log.sinks.append(self)
        self.log.lookup = self

    def _upgrade_format(self) -> None:
        """An index written by another version of werger is dropped; it is rebuilt from the log."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables and self._meta("format") == INDEX_FORMAT:
            return
        for table in tables:
            if not table.startswith("search_"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
        self._db.executescript(_TABLES + _SEARCH)
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (INDEX_FORMAT,))
        self._db.commit()

    def _upgrade_search(self) -> None:
        """A search table made without the prefix index is emptied and made again; the review app
        fills it in the background, as after a rebuild (the rest of the index stays)."""
        row = self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'search'").fetchone()
        if row is None or _SEARCH_PREFIX in row[0]:
            return
        self._db.execute("DROP TABLE search")
        self._db.execute(_SEARCH)
        self._db.execute("UPDATE records SET search_at = NULL WHERE search_at IS NOT NULL")
        self._set_meta(search_ready=0, search_cursor=0)
        self._db.commit()

    def _upgrade_folding(self) -> None:
        """A search table whose letters were folded otherwise (or not at all: written before
        ``SEARCH_FOLDING_VERSION``) is emptied and made again, and filled as after a rebuild; a
        contentless table can only take a row out with the text it was given."""
        if self._meta("search_folding") == SEARCH_FOLDING_VERSION:
            return
        if self._db.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None:
            self._set_meta(search_folding=SEARCH_FOLDING_VERSION)  # a new index: nothing to redo
            self._db.commit()
            return
        self._db.execute("DROP TABLE search")
        self._db.execute(_SEARCH)
        self._db.execute("UPDATE records SET search_at = NULL WHERE search_at IS NOT NULL")
        self._set_meta(search_ready=0, search_cursor=0, search_folding=SEARCH_FOLDING_VERSION)
        self._db.commit()

    def close(self) -> None:
        if self in self.log.sinks:
            self.log.sinks.remove(self)
        if self.log.lookup is self:
            self.log.lookup = None
        with self._lock:
            self._db.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, **values: object) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
        )

    # -- keeping up with the log -------------------------------------------------------------

    def catch_up(self) -> int:
        """Index the lines appended since the last look; rebuild when the log was replaced.

        Costs one ``stat`` and one small read when nothing was appended. Returns how many lines
        were indexed (all of them after a rebuild).
        """
        with self._lock:
            if self._up_to_date():
                return 0
            self._db.execute("BEGIN IMMEDIATE")
            try:
                start = self._continues_at()
                if start is None:
                    self._db.rollback()
                    return self.rebuild()
                lines = int(self._meta("indexed_lines") or 0)
                count, end, lines = self._index_lines(start, lines, rebuilding=False)
                if end != start:
                    self._remember_log(end, lines)
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
            return count

    def _up_to_date(self) -> bool:
        """The cheap common case: the log has exactly the bytes the index has seen."""
        try:
            stat = self.log.path.stat()
        except FileNotFoundError:
            return self._meta("log_inode") is None
        return str(stat.st_ino) == self._meta("log_inode") and str(stat.st_size) == self._meta("indexed_to")

    def _continues_at(self) -> int | None:
        """Where new lines start, or None when the log does not continue what was indexed."""
        indexed = int(self._meta("indexed_to") or 0)
        try:
            stat = self.log.path.stat()
        except FileNotFoundError:
            return 0 if indexed == 0 and self._meta("log_inode") is None else None
        if self._meta("log_inode") is None:
            return None if indexed or stat.st_size else 0
        if str(stat.st_ino) != self._meta("log_inode") or stat.st_size < indexed:
            return None
        return indexed if self._tail_check(indexed) == self._meta("log_check") else None

    def _tail_check(self, end: int) -> str:
        if end == 0:
            return ""
        with self.log.path.open("rb") as fh:
            fh.seek(max(0, end - _CHECK_BYTES))
            return fh.read(min(end, _CHECK_BYTES)).hex()

    def _remember_log(self, end: int, lines: int) -> None:
        try:
            inode = str(self.log.path.stat().st_ino)
        except FileNotFoundError:
            inode = ""
        self._set_meta(indexed_to=end, indexed_lines=lines, log_inode=inode, log_check=self._tail_check(end))

    def rebuild(self) -> int:
        """Forget everything but the frontier and the links and read the log again, streaming.

        The full-text search table is emptied; ``build_search`` fills it again (it is slower than
        everything else together and only the review queue's text search needs it).
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("records", "lines", "record_flags", "facets", "pages", "bad_lines"):
                    self._db.execute(f"DELETE FROM {table}")
                self._db.execute("DROP TABLE IF EXISTS search")
                self._db.execute(_SEARCH)
                for name in _INDEX_NAMES:
                    self._db.execute(f"DROP INDEX IF EXISTS {name}")
                self._db.execute(f"PRAGMA cache_size = -{_REBUILD_CACHE_KB}")
                count, end, count_lines = self._index_lines(0, 0, rebuilding=True)
                flagged = self._db.execute("SELECT id, flags FROM records WHERE flags != ''")
                self._db.executemany(
                    "INSERT OR IGNORE INTO record_flags VALUES (?, ?)",
                    ((flag, rid) for rid, flags in flagged.fetchall() for flag in flags.split()),
                )
                for kind, column in (("site", "site"), ("lang", "source_lang")):
                    self._db.execute(
                        f"INSERT OR IGNORE INTO facets SELECT DISTINCT ?, {column} FROM records", (kind,)
                    )
                self._db.execute(
                    "INSERT OR IGNORE INTO facets SELECT DISTINCT 'flag', flag FROM record_flags"
                )
                for statement in _INDEXES.strip().split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._set_meta(search_ready=0, search_cursor=0)
                self._remember_log(end, count_lines)
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
            finally:
                self._db.execute("PRAGMA cache_size = -2000")
        self.rebuilt = True
        return count

    def _index_lines(self, start: int, lines: int, rebuilding: bool) -> tuple[int, int, int]:
        """Index complete lines from byte ``start`` (line ``lines`` + 1); returns (records indexed,
        end of the last complete line, lines read in all). Lines that are not records this werger
        reads are remembered with their numbers, for ``report``. A long stretch (a rebuild) is
        summarised by worker processes while this one writes (``store.scan``)."""
        count, position = 0, start
        if not self.log.path.exists():
            return 0, start, lines
        for chunk in scan(self.log.path, start):
            if chunk.bad:
                self._db.executemany(
                    "INSERT OR REPLACE INTO bad_lines VALUES (?, ?, ?)",
                    [(lines + number, at, newer) for number, at, newer in chunk.bad],
                )
            if chunk.utf16:
                self._set_meta(utf16=1)
            for i in range(0, len(chunk.rows), _BATCH):
                count += self._apply(chunk.rows[i : i + _BATCH], rebuilding)
            lines += chunk.lines
            position = chunk.end
        return count, position, lines

    def _apply(self, batch: list[Rows], rebuilding: bool) -> int:
        if not batch:
            return 0
        db = self._db
        db.executemany("INSERT OR REPLACE INTO lines VALUES (?, ?, ?, ?)", [r[0] for r in batch])
        db.executemany(_UPSERT_RECORD, [r[1] for r in batch])
        db.executemany(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [r[2] for r in batch]
        )
        if not rebuilding:
            ids = list({r[0][0] for r in batch})
            db.executemany("DELETE FROM record_flags WHERE id = ?", [(i,) for i in ids])
            flagged = [
                (flag, rid) for rid, flags in self._many("SELECT id, flags FROM records WHERE id IN", ids)
                for flag in flags.split()
            ]
            db.executemany("INSERT OR IGNORE INTO record_flags VALUES (?, ?)", flagged)
            facets = {("site", r[1][5]) for r in batch} | {("lang", r[1][6]) for r in batch}
            facets |= {("flag", flag) for flag, _ in flagged}
            db.executemany("INSERT OR IGNORE INTO facets VALUES (?, ?)", sorted(facets))
            if self._meta("search_ready") == "1":
                self._update_search(ids)
        return len(batch)

    def _many(self, query: str, ids: list[str]) -> Iterator[tuple]:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            yield from self._db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)

    # -- full-text search ------------------------------------------------------------------

    def _update_search(self, ids: list[str]) -> None:
        query = "SELECT rid, line_at, line_len, search_at FROM records "
        query += "WHERE search_at IS NOT line_at AND id IN"
        rows = list(self._many(query, ids))
        self._search_rows(rows)

    def _search_rows(self, rows: list[tuple[int, int, int, int | None]]) -> None:
        """Put the latest line of each (rid, line_at, line_len, search_at) row into the search table,
        taking out the line it held before (a contentless FTS5 table needs the old text to do so)."""
        for rid, line_at, line_len, search_at in rows:
            if search_at is not None:
                old = self._search_fields_at(rid, search_at)
                if old is not None:
                    self._db.execute(
                        "INSERT INTO search (search, rowid, title, body) VALUES ('delete', ?, ?, ?)",
                        (rid, *old),
                    )
            new = search_fields(self.log.read_raw_at(line_at, line_len))
            if new is not None:
                self._db.execute("INSERT INTO search (rowid, title, body) VALUES (?, ?, ?)", (rid, *new))
            self._db.execute("UPDATE records SET search_at = ? WHERE rid = ?", (line_at, rid))

    def _search_fields_at(self, rid: int, line_at: int) -> tuple[str, str] | None:
        row = self._db.execute(
            "SELECT lines.line_len FROM lines JOIN records ON lines.id = records.id "
            "WHERE records.rid = ? AND lines.line_at = ?",
            (rid, line_at),
        ).fetchone()
        return search_fields(self.log.read_raw_at(line_at, row[0])) if row else None

    @property
    def search_ready(self) -> bool:
        """Whether full-text search covers every record (it is built after a rebuild)."""
        with self._lock:
            return self._meta("search_ready") == "1"

    def search_progress(self) -> tuple[int, int]:
        """(records searchable, records), roughly, while the search table is being built: read
        from where ``build_search`` got to, since counting would cost a pass over the records."""
        with self._lock:
            done = int(self._meta("search_cursor") or 0)
            total = self._db.execute("SELECT coalesce(max(rid), 0) FROM records").fetchone()[0]
        return min(done, total), total

    def build_search(self, chunk: int = 500, stop: Callable[[], bool] | None = None) -> bool:
        """Fill the full-text search table, a chunk per transaction so readers and writers go on.

        Returns True when search covers every record. Each record's latest line is read at its
        offset, so the cost is one pass over the latest revisions (not the whole log).
        """
        cursor = 0
        while stop is None or not stop():
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    if self._meta("search_ready") == "1":
                        self._db.rollback()
                        return True
                    rows = self._db.execute(
                        "SELECT rid, line_at, line_len, search_at FROM records WHERE rid > ? "
                        "ORDER BY rid LIMIT ?",
                        (cursor, chunk),
                    ).fetchall()
                    if not rows:
                        stale = self._db.execute(
                            "SELECT rid, line_at, line_len, search_at FROM records "
                            "WHERE search_at IS NOT line_at"
                        ).fetchall()
                        self._search_rows(stale)
                        self._set_meta(search_ready=1)
                    else:
                        self._search_rows([r for r in rows if r[3] != r[1]])
                        cursor = rows[-1][0]
                        self._set_meta(search_cursor=cursor)
                    self._db.commit()
                except BaseException:
                    self._db.rollback()
                    raise
            if not rows:
                return True
        return False

    # -- reading records -------------------------------------------------------------------

    def latest(self, record_id: str) -> Record | None:
        """The latest revision of one record, read at its offset (None when unknown)."""
        with self._lock:
            row = self._db.execute(
                "SELECT line_at, line_len FROM records WHERE id = ?", (record_id,)
            ).fetchone()
        return self.log.read_at(*row) if row else None

    def latest_approved(self, record_id: str) -> Record | None:
        """The latest revision with status approved (None when it was never approved)."""
        with self._lock:
            row = self._db.execute(
                "SELECT approved_at, approved_len FROM records WHERE id = ? AND approved_at IS NOT NULL",
                (record_id,),
            ).fetchone()
        return self.log.read_at(*row) if row else None

    def latest_of(self, ids: Iterable[str]) -> dict[str, Record]:
        """The latest revision of each of ``ids`` that the log holds."""
        wanted = sorted(set(ids))
        with self._lock:
            rows = list(self._many("SELECT line_at, line_len FROM records WHERE id IN", wanted))
        found = (self.log.read_at(at, size) for at, size in sorted(rows))
        return {r.id: r for r in found if r is not None}

    def history(self, record_id: str) -> list[Record]:
        """Every revision of one record, lowest first, read from its own lines only."""
        with self._lock:
            rows = self._db.execute(
                "SELECT line_at, line_len FROM lines WHERE id = ? ORDER BY revision", (record_id,)
            ).fetchall()
        return [r for r in (self.log.read_at(at, size) for at, size in rows) if r is not None]

    def spans(
        self, where: str = "", params: tuple = (), columns: str = "line_at, line_len"
    ) -> Iterator[tuple]:
        """``columns`` of every record matching ``where`` (SQL over the records table), in id order,
        fetched 2,000 at a time so memory stays flat; by default where its latest line lies."""
        last: str | None = None
        while True:
            with self._lock:
                condition = " AND ".join(c for c in (where, "id > ?" if last is not None else "") if c)
                rows = self._db.execute(
                    f"SELECT id, {columns} FROM records "
                    f"{'WHERE ' + condition if condition else ''} ORDER BY id LIMIT 2000",
                    (*params, *(() if last is None else (last,))),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row[1:]
            last = rows[-1][0]

    def query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        """Rows of a read-only query over the index's tables (the review queue builds these)."""
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def known(self, record_id: str) -> Known | None:
        with self._lock:
            row = self._db.execute(
                "SELECT revision, content_hash, removed, edited, title FROM records WHERE id = ?",
                (record_id,),
            ).fetchone()
        return Known(row[0], row[1], bool(row[2]), bool(row[3]), row[4]) if row else None

    def about_to_write(self) -> None:
        """``RecordLog.revise`` is about to append: nothing to do, since ``note_written`` indexes
        every byte from where the index stopped, whoever wrote it."""

    def note_written(self, records: Iterable[Record]) -> None:
        """Index what ``RecordLog.revise`` just appended (called under its write lock).

        It reads the appended bytes, so lines other writers added are indexed too. The log is
        already fsynced: should SQLite fail here, the index forgets where it stopped instead of
        raising, and is rebuilt from the log when next used.
        """
        try:
            self.catch_up()
        except sqlite3.Error:
            with self._lock:
                try:
                    self._db.execute("DELETE FROM meta WHERE key IN ('indexed_to', 'log_inode')")
                    self._db.commit()
                except sqlite3.Error:
                    pass

    def latest_for_update(self, ids: set[str], report: ReadReport) -> dict[str, Record]:
        """``RecordLog.latest_for_update`` from the index: catch up, then read those records' lines.

        ``report`` gets every unreadable or newer-schema line of the whole log, as the index saw
        them, so a save costs the record and not the log.
        """
        self.catch_up()
        self.fill_report(report)
        return self.latest_of(ids)

    def fill_report(self, report: ReadReport) -> ReadReport:
        """Put the log's unreadable and newer-schema lines (numbers from 1) into ``report``."""
        with self._lock:
            rows = self._db.execute("SELECT line_no, newer_schema FROM bad_lines ORDER BY line_no").fetchall()
            report.utf16 = report.utf16 or self._meta("utf16") == "1"
        for number, newer in rows:
            if newer is None:
                report.invalid_lines.append(number)
            else:
                report.newer_lines.append(number)
                report.newer_schemas.add(newer)
        return report

    def report(self) -> ReadReport:
        """What in the log cannot be read, without reading the log (after catching up)."""
        self.catch_up()
        return self.fill_report(ReadReport())

    # -- crawl state -----------------------------------------------------------------------

    def page(self, url: str) -> PageState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, record_id, http_status, etag, last_modified, gone_at FROM pages WHERE url = ?",
                (url,),
            ).fetchone()
        return PageState(*row) if row else None

    def stored(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` the index knows as pages: one query per 500 URLs, not one each (a
        sitemap hands over thousands at once)."""
        wanted = list(dict.fromkeys(urls))
        with self._lock:
            return {row[0] for row in self._many("SELECT url FROM pages WHERE url IN", wanted)}

    def note_fetch(
        self,
        url: str,
        site: str,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        """A fetch that wrote no record (304, unchanged text): keep the freshest validators."""
        with self._lock:
            self._db.execute(
                "INSERT INTO pages (url, site, http_status, etag, last_modified, content_hash, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "http_status = excluded.http_status, fetched_at = excluded.fetched_at, gone_at = NULL, "
                "etag = coalesce(excluded.etag, pages.etag), "
                "last_modified = coalesce(excluded.last_modified, pages.last_modified), "
                "content_hash = coalesce(excluded.content_hash, pages.content_hash)",
                (url, site, status, etag, last_modified, content_hash, _now()),
            )
            self._db.commit()

    def mark_gone(self, url: str, status: int) -> bool | None:
        """Mark a page the site no longer serves (404/410); its records stay.

        True when the page was known and this is the first time it is gone, False when it was
        already marked gone (so a run reports a removal once, not on every crawl), None when the
        page was never stored.
        """
        with self._lock:
            row = self._db.execute("SELECT gone_at FROM pages WHERE url = ?", (url,)).fetchone()
            if row is None:
                return None
            self._db.execute(
                "UPDATE pages SET http_status = ?, gone_at = coalesce(gone_at, ?), fetched_at = ? "
                "WHERE url = ?",
                (status, _now(), _now(), url),
            )
            self._db.commit()
        return row[0] is None

    def gone(self, site: str | None = None) -> list[PageState]:
        """Pages marked as removed, optionally of one site."""
        query = "SELECT url, record_id, http_status, etag, last_modified, gone_at FROM pages "
        query += "WHERE gone_at IS NOT NULL" + (" AND site = ?" if site else "") + " ORDER BY url"
        with self._lock:
            rows = self._db.execute(query, (site,) if site else ()).fetchall()
        return [PageState(*row) for row in rows]

    def note_links(self, url: str, targets: list[str]) -> None:
        """The links a page held when last read in full, to follow again when it answers 304."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO links VALUES (?, ?)", (url, "\n".join(targets)))
            self._db.commit()

    def links(self, url: str) -> list[str] | None:
        """The links ``url`` held when last read in full; None when werger never stored them."""
        with self._lock:
            row = self._db.execute("SELECT targets FROM links WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return row[0].split("\n") if row[0] else []

    def frontier(self) -> Frontier:
        """A fresh, empty frontier (one site at a time)."""
        return Frontier(self)


class Frontier:
    """URLs to visit, deduplicated and first-in first-out, kept in SQLite rather than in memory."""

    def __init__(self, index: CrawlIndex, buffer: int = 256) -> None:
        self._index = index
        self._buffer: deque[tuple[str, int, bool]] = deque()
        self._buffer_size = buffer
        self._cursor = 0
        self.added = 0
        self.taken = 0
        with index._lock:
            index._db.execute("DELETE FROM frontier")
            index._db.commit()

    def add(self, items: Iterable[tuple[str, int, bool]]) -> int:
        """Queue (url, depth, seed) items not seen before in this frontier; returns how many were new."""
        with self._index._lock:
            cursor = self._index._db.executemany(
                "INSERT OR IGNORE INTO frontier (url, depth, seed) VALUES (?, ?, ?)",
                ((url, depth, int(seed)) for url, depth, seed in items),
            )
            self._index._db.commit()
        self.added += cursor.rowcount
        return cursor.rowcount

    def __contains__(self, url: str) -> bool:
        with self._index._lock:
            row = self._index._db.execute("SELECT 1 FROM frontier WHERE url = ?", (url,)).fetchone()
        return row is not None

    def pop(self) -> tuple[str, int, bool] | None:
        """The next URL to visit, or None when everything queued so far has been taken."""
        if not self._buffer:
            with self._index._lock:
                rows = self._index._db.execute(
                    "SELECT rowid, url, depth, seed FROM frontier WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (self._cursor, self._buffer_size),
                ).fetchall()
            if not rows:
                return None
            self._cursor = rows[-1][0]
            self._buffer.extend((url, depth, bool(seed)) for _, url, depth, seed in rows)
        self.taken += 1
        return self._buffer.popleft()

    @property
    def remaining(self) -> int:
        return self.added - self.taken

    def drain(self) -> Iterator[tuple[str, int, bool]]:
        """Take every URL still queued (to report them when a limit stops the crawl)."""
        while (item := self.pop()) is not None:
            yield item


def _now() -> str:
    return datetime.now(UTC).isoformat()
