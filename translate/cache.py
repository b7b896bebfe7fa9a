"""Translation memory: a sentence translated once by a model is never translated again by it.

Keys are (source sentence, language pair, model id, model version), so a recrawl or a sentence
repeated across pages costs nothing, while upgrading a model misses exactly the sentences that
model produced and nothing else. SQLite keeps it in one file next to the records.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from store.record import EngineRef
from translate.errors import WergerTranslateError

MEMORY_NAME = "translation-memory.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS memory (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    pair TEXT NOT NULL,
    engine_id TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    target TEXT NOT NULL
)
"""


def _key(source: str, pair: str, engine: EngineRef) -> str:
    raw = "\x1f".join((pair, engine.id, engine.version, source))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class TranslationMemory:
    """SQLite-backed cache of sentence translations; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            raise WergerTranslateError(
                f"cannot open the translation memory {self.path}: {exc}; move the file away to start afresh"
            ) from exc

    def lookup(self, sentences: list[str], pair: str, engine: EngineRef) -> dict[str, str]:
        """Cached translations of ``sentences`` by this exact model; counts hits and misses."""
        unique = list(dict.fromkeys(sentences))
        keys = {_key(s, pair, engine): s for s in unique}
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys)[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, target FROM memory WHERE key IN ({marks})", chunk)
                found.update({keys[key]: target for key, target in rows})
            self.hits += sum(1 for s in sentences if s in found)
            self.misses += sum(1 for s in sentences if s not in found)
        return found

    def store(self, translations: dict[str, str], pair: str, engine: EngineRef) -> None:
        rows = [
            (_key(source, pair, engine), source, pair, engine.id, engine.version, target)
            for source, target in translations.items()
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO memory VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.commit()

    def count(self, engine_id: str | None = None) -> int:
        with self._lock:
            if engine_id is None:
                return self._db.execute("SELECT COUNT(*) FROM memory").fetchone()[0]
            query = "SELECT COUNT(*) FROM memory WHERE engine_id = ?"
            return self._db.execute(query, (engine_id,)).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
