"""Server-side review sessions and failed sign-in counts, in one small SQLite file per data folder.

The browser's cookie only names a session (a random id, signed by Starlette's SessionMiddleware);
whether it is still valid is decided here. So logging out, changing a password or removing a
reviewer ends their sessions at once, also from another process (``werger users passwd``/``remove``),
which a self-contained signed cookie cannot do.

Failed sign-ins are counted per account and per client address over a sliding window; the limits
follow OWASP's authentication cheat sheet advice (lock out after a handful of failures for minutes,
not forever, so an attacker cannot lock an editor out for good).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

SESSIONS_NAME = "review-sessions.sqlite"
SESSION_SECONDS = 12 * 3600
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, user TEXT NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
CREATE TABLE IF NOT EXISTS failures (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_key ON failures (key, at);
"""


@dataclass(frozen=True)
class ThrottleRule:
    """At most ``failures`` failed sign-ins per ``window`` seconds for one key."""

    failures: int
    window: float


PER_ACCOUNT = ThrottleRule(failures=5, window=15 * 60)
PER_ADDRESS = ThrottleRule(failures=20, window=15 * 60)


class SessionStore:
    """Sessions and failed sign-ins of the review app of one data folder."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / SESSIONS_NAME

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.executescript(SCHEMA)
        return connection

    def start(self, user: str) -> str:
        """A new session id for ``user`` (URL-safe text, 43 characters)."""
        sid = secrets.token_urlsafe(32)
        with closing(self._connect()) as db:
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (sid, user, time.time()))
        return sid

    def user_of(self, sid: str | None) -> str | None:
        """The reviewer whose live session ``sid`` is, or None (ended, expired or unknown)."""
        if not sid or not self.path.exists():
            return None
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT user FROM sessions WHERE sid = ? AND created > ?",
                (sid, time.time() - SESSION_SECONDS),
            ).fetchone()
        return row[0] if row else None

    def end(self, sid: str | None) -> None:
        """End one session (logout)."""
        if sid and self.path.exists():
            with closing(self._connect()) as db:
                db.execute("DELETE FROM sessions WHERE sid = ?", (sid,))

    def end_all(self, user: str) -> int:
        """End every session of ``user`` (password changed, reviewer removed); returns how many."""
        if not self.path.exists():
            return 0
        with closing(self._connect()) as db:
            return db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount

    def record_failure(self, *keys: str) -> None:
        """Count one failed sign-in against each key (``account:NAME``, ``address:IP``)."""
        now = time.time()
        with closing(self._connect()) as db:
            db.executemany("INSERT INTO failures VALUES (?, ?)", [(key, now) for key in keys])
            oldest = now - max(PER_ACCOUNT.window, PER_ADDRESS.window)
            db.execute("DELETE FROM failures WHERE at < ?", (oldest,))

    def clear_failures(self, key: str) -> None:
        """Forget the failures of one key after a successful sign-in."""
        with closing(self._connect()) as db:
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def wait_seconds(self, key: str, rule: ThrottleRule) -> float:
        """Seconds until ``key`` may try again under ``rule``; 0 when it may now."""
        if not self.path.exists():
            return 0.0
        now = time.time()
        with closing(self._connect()) as db:
            times = [
                at
                for (at,) in db.execute(
                    "SELECT at FROM failures WHERE key = ? AND at > ? ORDER BY at DESC",
                    (key, now - rule.window),
                )
            ]
        if len(times) < rule.failures:
            return 0.0
        return max(0.0, times[rule.failures - 1] + rule.window - now)
