"""The crawl index: SQLite beside the log, for what a crawl must look up quickly.

It answers "which revision is this record at, and what was its content hash", "what ETag and
Last-Modified did this URL send last time", "which links did it hold" (so a 304 still leads the
crawl on), "which pages went away", and it holds the run's
frontier on disk so memory stays flat however many URLs a site has. It is never the truth: it
remembers the log's size and modification time, and when the log no longer matches (deleted
index, a log restored from backup, another tool appending) it is rebuilt from the log.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from store.errors import CrawlIndexError
from store.log import RecordLog
from store.record import Record

INDEX_NAME = "index.sqlite"
INDEX_FORMAT = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY, revision INTEGER NOT NULL, content_hash TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, site TEXT NOT NULL, record_id TEXT, http_status INTEGER,
    etag TEXT, last_modified TEXT, content_hash TEXT, fetched_at TEXT, gone_at TEXT
);
CREATE TABLE IF NOT EXISTS links (url TEXT PRIMARY KEY, targets TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT NOT NULL UNIQUE, depth INTEGER NOT NULL, seed INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Known:
    """The latest revision of a record, as far as the log says."""

    revision: int
    content_hash: str
    removed: bool = False


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
    """The index of one output directory; thread-safe, since records are stored from a worker thread."""

    def __init__(self, directory: Path, log: RecordLog | None = None) -> None:
        self.directory = Path(directory)
        self.log = log or RecordLog(self.directory)
        self.path = self.directory / INDEX_NAME
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            self._upgrade_format()
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CrawlIndexError(
                f"{self.path} is not a usable index ({exc}); delete it, werger rebuilds it from the log"
            ) from exc
        self.rebuilt = False
        self._current = False
        if self._meta("log_signature") != self._log_signature():
            self.rebuild()
        self.log.sinks.append(self)

    def _upgrade_format(self) -> None:
        """An index written by another version of werger is dropped; it is rebuilt from the log."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables and self._meta("format") == INDEX_FORMAT:
            return
        for table in tables:
            self._db.execute(f"DROP TABLE {table}")
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (INDEX_FORMAT,))
        self._db.commit()

    def close(self) -> None:
        if self in self.log.sinks:
            self.log.sinks.remove(self)
        with self._lock:
            self._db.close()

    def _log_signature(self) -> str:
        try:
            stat = self.log.path.stat()
        except FileNotFoundError:
            return "absent"
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _remember_log(self) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('log_signature', ?)", (self._log_signature(),))

    def rebuild(self) -> None:
        """Forget everything but the frontier and read the log again, streaming.

        Under the log's write lock, so no revision lands between the read and the signature.
        """
        with self.log.write_lock(), self._lock:
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM pages")
            batch: list[Record] = []
            for record in self.log.read():
                batch.append(record)
                if len(batch) >= 1000:
                    self._note(batch)
                    batch = []
            self._note(batch)
            self._remember_log()
            self._db.commit()
        self.rebuilt = True

    def about_to_write(self) -> None:
        """The log is about to grow (``RecordLog.revise``, under its write lock): is the index current?"""
        with self._lock:
            try:
                self._current = self._meta("log_signature") == self._log_signature()
            except sqlite3.Error:
                self._current = False

    def note_written(self, records: Iterable[Record]) -> None:
        """Records just appended to the log (called by ``RecordLog.revise`` under its write lock).

        The log's new signature is remembered only when the index was current before the append,
        so an index that missed a write (SQLite failed here, another program appended) stays
        marked out of step and is rebuilt when next opened. The log is already fsynced: a SQLite
        failure here is not raised.
        """
        with self._lock:
            try:
                self._note(list(records))
                if self._current:
                    self._remember_log()
                self._db.commit()
            except sqlite3.Error:
                self._db.rollback()
                try:
                    self._db.execute("DELETE FROM meta WHERE key = 'log_signature'")
                    self._db.commit()
                except sqlite3.Error:
                    pass

    def _note(self, records: list[Record]) -> None:
        self._db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "revision = excluded.revision, content_hash = excluded.content_hash, removed = excluded.removed "
            "WHERE excluded.revision >= records.revision",
            [(r.id, r.revision, r.content_hash, r.removed_at is not None) for r in records],
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.url,
                    r.site,
                    r.id,
                    r.provenance.fetch_status,
                    r.provenance.etag,
                    r.provenance.last_modified,
                    r.content_hash,
                    r.fetched_at.isoformat(),
                    r.removed_at.isoformat() if r.removed_at else None,
                )
                for r in records
            ],
        )

    def known(self, record_id: str) -> Known | None:
        with self._lock:
            row = self._db.execute(
                "SELECT revision, content_hash, removed FROM records WHERE id = ?", (record_id,)
            ).fetchone()
        return Known(row[0], row[1], bool(row[2])) if row else None

    def page(self, url: str) -> PageState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, record_id, http_status, etag, last_modified, gone_at FROM pages WHERE url = ?",
                (url,),
            ).fetchone()
        return PageState(*row) if row else None

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
