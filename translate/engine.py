"""What every translation engine offers, and how the pipeline finds one for a language pair.

Engines are plain classes behind this small protocol; the pipeline never knows which kind it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from store.record import EngineRef


@dataclass(frozen=True)
class Translation:
    """One translated text and the model that produced it."""

    text: str
    engine: EngineRef


class Engine(Protocol):
    """Translates texts of one language into another, many at a time."""

    ref: EngineRef

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Translate ``texts`` (any number, any mix of documents) in one call, order kept."""
        ...


class EngineRegistry:
    """The engines available for this run, found by (source, target)."""

    def __init__(self) -> None:
        self._engines: dict[tuple[str, str], Engine] = {}

    def add(self, source: str, target: str, engine: Engine) -> None:
        self._engines.setdefault((source, target), engine)

    def find(self, source: str, target: str) -> Engine | None:
        return self._engines.get((source, target))

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(self._engines)
