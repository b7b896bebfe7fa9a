"""Protected terms of a paragraph, shown to the editor beside it.

The glossaries are the translation stage's TOML files (``<source>-<target>.toml`` with ``keep`` and
``[fixed]``, see ``translate/glossary.py``); the review app only reads which terms occur in a
source paragraph and how each must come out, so editors keep names and fixed renderings intact.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from store.record import Record

GLOSSARY_DIR_ENV = "WERGER_GLOSSARY_DIR"


@dataclass(frozen=True)
class TermHint:
    term: str
    rendering: str  # the term itself for a kept term

    @property
    def kept(self) -> bool:
        return self.term == self.rendering


class GlossaryHints:
    """Reads ``<dir>/<source>-<target>.toml`` (the folder given, else $WERGER_GLOSSARY_DIR)."""

    def __init__(self, directory: Path | None) -> None:
        folder = directory or os.environ.get(GLOSSARY_DIR_ENV)
        self.directory = Path(folder) if folder else None

    def hints(self, record: Record) -> dict[int, list[TermHint]]:
        """Per paragraph index, the protected terms found in its source text (may be empty)."""
        terms = self._terms(record.source_lang, record.target_lang)
        if not terms:
            return {}
        found: dict[int, list[TermHint]] = {}
        for segment in record.segments:
            hits = [hint for hint in terms if hint.term.casefold() in segment.source.casefold()]
            if hits:
                found[segment.index] = hits
        return found

    def _terms(self, source: str, target: str) -> tuple[TermHint, ...]:
        if self.directory is None:
            return ()
        path = self.directory / f"{source}-{target}.toml"
        return _read(path, path.stat().st_mtime if path.exists() else 0.0)


@cache
def _read(path: Path, mtime: float) -> tuple[TermHint, ...]:
    """The terms of one glossary file; an unreadable file gives no hints rather than an error page."""
    if not mtime:
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    kept = [TermHint(str(t), str(t)) for t in data.get("keep", []) if str(t).strip()]
    fixed = [TermHint(str(k), str(v)) for k, v in dict(data.get("fixed", {})).items() if str(k).strip()]
    return tuple(kept + fixed)
