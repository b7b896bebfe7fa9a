"""The crawl frontier: per site, the URLs to visit, deduplicated by URL key and kept on disk.

One SQLite file (``frontier.sqlite`` beside the log) holds the frontier of every site, so memory
stays flat however many URLs a site has and all sites of a run can be crawled at once. A URL is
queued once per run (by ``url_key``) under the spelling it was first published with, and taken
in order of priority: start pages first (they lead to new pages), then pages werger never stored,
then stored pages (recrawled for changes). What a run could not visit (its time or page limit
ran out, or the request was cut off in flight) stays queued, so the next run starts where the
site's work was left instead of fetching the same unchanged pages again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from ingest.urls import url_key

FRONTIER_NAME = "frontier.sqlite"
SEED, NEW, KNOWN = 0, 1, 2
_QUEUED, _TAKEN = 0, 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (
    id INTEGER PRIMARY KEY, site TEXT NOT NULL, key TEXT NOT NULL, url TEXT NOT NULL,
    depth INTEGER NOT NULL, seed INTEGER NOT NULL, priority INTEGER NOT NULL,
    state INTEGER NOT NULL, UNIQUE (site, key)
);
CREATE INDEX IF NOT EXISTS frontier_next ON frontier (site, state, priority, id);
"""

Item = tuple[str, int, bool]


class FrontierFile:
    """The frontiers of all sites in one output folder; thread-safe."""

    def __init__(self, directory: Path) -> None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(Path(directory) / FRONTIER_NAME, check_same_thread=False)
        self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
        self._lock = threading.Lock()

    def site(self, name: str) -> SiteFrontier:
        """The frontier of one site for this run: last run's leftovers stay queued, the rest is reset."""
        return SiteFrontier(self, name)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SiteFrontier:
    """URLs to visit for one site, taken by priority then order of discovery."""

    def __init__(self, store: FrontierFile, site: str, buffer: int = 32) -> None:
        self._store = store
        self.site = site
        self._buffer: deque[tuple[int, Item]] = deque()
        self._buffer_size = buffer
        with store._lock, store._db:
            store._db.execute("DELETE FROM frontier WHERE site = ? AND state = ?", (site, _TAKEN))
            store._db.execute("UPDATE frontier SET seed = 0 WHERE site = ?", (site,))
            self.carried_over = store._db.execute(
                "SELECT count(*) FROM frontier WHERE site = ?", (site,)
            ).fetchone()[0]
        self.remaining = self.carried_over

    def add(self, items: Iterable[tuple[str, int, bool, int]]) -> int:
        """Queue (url, depth, seed, priority) items whose key is new in this run; returns how many.

        A start page is queued again at the front even when last run left it queued.
        """
        rows = [(self.site, url_key(url), url, depth, int(seed), rank) for url, depth, seed, rank in items]
        with self._store._lock, self._store._db as db:
            before = db.total_changes
            db.executemany(
                "INSERT INTO frontier (site, key, url, depth, seed, priority, state) "
                f"VALUES (?, ?, ?, ?, ?, ?, {_QUEUED}) ON CONFLICT (site, key) DO UPDATE SET "
                "seed = 1, priority = excluded.priority, depth = 0 "
                f"WHERE excluded.seed = 1 AND frontier.state = {_QUEUED}",
                rows,
            )
            added = db.total_changes - before
        self.remaining += added
        return added

    def claim(self, url: str) -> bool:
        """Record ``url`` as visited now (a redirect hop); False when its key is queued or visited."""
        with self._store._lock, self._store._db as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO frontier (site, key, url, depth, seed, priority, state) "
                f"VALUES (?, ?, ?, 0, 0, {NEW}, {_TAKEN})",
                (self.site, url_key(url), url),
            )
        return cursor.rowcount == 1

    def pop(self) -> Item | None:
        """The next URL to visit, or None when nothing is queued."""
        if not self._buffer:
            with self._store._lock, self._store._db as db:
                rows = db.execute(
                    "SELECT id, url, depth, seed FROM frontier WHERE site = ? AND state = ? "
                    "ORDER BY priority, id LIMIT ?",
                    (self.site, _QUEUED, self._buffer_size),
                ).fetchall()
                db.executemany(
                    f"UPDATE frontier SET state = {_TAKEN} WHERE id = ?", [(row[0],) for row in rows]
                )
            self._buffer.extend((row[0], (row[1], row[2], bool(row[3]))) for row in rows)
        if not self._buffer:
            return None
        self.remaining -= 1
        return self._buffer.popleft()[1]

    def put_back(self, urls: Iterable[str] = ()) -> int:
        """Queue again what was taken but not visited (``urls`` cut off in flight, and the buffer).

        Returns how many URLs are queued for the next run.
        """
        ids = [(row_id,) for row_id, _ in self._buffer]
        self._buffer.clear()
        keys = [(self.site, url_key(url)) for url in urls]
        with self._store._lock, self._store._db as db:
            db.executemany(f"UPDATE frontier SET state = {_QUEUED} WHERE id = ?", ids)
            db.executemany(f"UPDATE frontier SET state = {_QUEUED} WHERE site = ? AND key = ?", keys)
            left = db.execute(
                "SELECT count(*) FROM frontier WHERE site = ? AND state = ?", (self.site, _QUEUED)
            ).fetchone()[0]
        self.remaining = left
        return left
