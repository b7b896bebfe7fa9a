"""What every translation engine offers, and how the pipeline finds one for a language pair.

Engines are plain classes behind this small protocol; the pipeline never knows which kind it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


DEFAULT_ORDER = ("argos", "madlad", "nllb")


@dataclass(frozen=True)
class Preference:
    """Which kind of engine translates a pair when several can (``engines.toml``).

    ``order`` ranks the kinds for every pair; ``pairs`` ranks them for one pair ("kmr->en");
    kinds a ranking leaves out follow in ``order``. Kinds in ``exclude`` are never used (NLLB-200
    is for non-commercial use only). The default prefers Argos packages (made for the pair), then
    MADLAD-400 (Apache-2.0), then NLLB-200.
    """

    order: tuple[str, ...] = DEFAULT_ORDER
    pairs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: frozenset[str] = frozenset()

    def ranking(self, source: str, target: str) -> list[str]:
        first = list(self.pairs.get(f"{source}->{target}", ()))
        ranked = first + [kind for kind in self.order if kind not in first]
        return [kind for kind in ranked if kind not in self.exclude]


class EngineRegistry:
    """The engines available for this run, found by (source, target), and each pair's glossary.

    Engines are either added for a pair outright (``add``: the first one added wins) or offered
    by kind (``offer``: "argos", "madlad", "nllb"), in which case ``preference`` picks one.
    """

    def __init__(
        self, glossaries: dict[tuple[str, str], Glossary] | None = None, preference: Preference | None = None
    ) -> None:
        self._engines: dict[tuple[str, str], Engine] = {}
        self._offers: dict[tuple[str, str], dict[str, Engine]] = {}
        self.glossaries = dict(glossaries or {})
        self.preference = preference or Preference()

    def add(self, source: str, target: str, engine: Engine) -> None:
        self._engines.setdefault((source, target), engine)

    def offer(self, source: str, target: str, kind: str, engine: Engine) -> None:
        """Make ``engine`` a candidate of ``kind`` for the pair; the first offer of a kind stays."""
        self._offers.setdefault((source, target), {}).setdefault(kind, engine)

    def find(self, source: str, target: str) -> Engine | None:
        if (source, target) in self._engines:
            return self._engines[(source, target)]
        offers = self._offers.get((source, target), {})
        for kind in self.preference.ranking(source, target):
            if kind in offers:
                return offers[kind]
        return None

    def glossary(self, source: str, target: str) -> Glossary | None:
        return self.glossaries.get((source, target))

    def pairs(self) -> list[tuple[str, str]]:
        offered = [pair for pair in self._offers if self.find(*pair) is not None]
        return sorted(set(self._engines) | set(offered))
