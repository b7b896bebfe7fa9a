"""What every translation engine offers, and how the pipeline finds one for a language pair.

Engines are plain classes behind this small protocol; the pipeline never knows which kind it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from store.record import EngineRef

if TYPE_CHECKING:
    from translate.glossary import Glossary


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
    """The engines available for this run, found by (source, target), and each pair's glossary."""

    def __init__(self, glossaries: dict[tuple[str, str], Glossary] | None = None) -> None:
        self._engines: dict[tuple[str, str], Engine] = {}
        self.glossaries = dict(glossaries or {})

    def add(self, source: str, target: str, engine: Engine) -> None:
        self._engines.setdefault((source, target), engine)

    def find(self, source: str, target: str) -> Engine | None:
        return self._engines.get((source, target))

    def glossary(self, source: str, target: str) -> Glossary | None:
        return self.glossaries.get((source, target))

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(self._engines)
