"""Argos Translate packages run directly on CTranslate2 and sentencepiece.

Argos's own ``translate()`` works one paragraph at a time; werger gives CTranslate2 all sentences
of a run for one language pair at once (see ``translate.ct2``), which is where CPU throughput
comes from.
"""

from __future__ import annotations

import json

from store.record import EngineRef
from translate.ct2 import DecodingOptions, SentencePieceEngine
from translate.engine import EngineRegistry
from translate.models import InstalledModel, list_installed

__all__ = ["ArgosEngine", "DecodingOptions", "argos_registry"]


class ArgosEngine(SentencePieceEngine):
    """One installed Argos package."""

    def __init__(self, model: InstalledModel, options: DecodingOptions | None = None) -> None:
        super().__init__(
            model.path / "model",
            model.path / "sentencepiece.model",
            (model.source, model.target),
            options or DecodingOptions(),
        )
        self.model = model
        self.ref = EngineRef(id=model.package_id, version=model.version)
        metadata = json.loads((model.path / "metadata.json").read_text(encoding="utf-8"))
        self._prefix = metadata.get("target_prefix", "") or ""

    def target_prefix(self) -> list[str]:
        return [self._prefix] if self._prefix else []


def argos_registry(models_dir, options: DecodingOptions | None = None) -> EngineRegistry:
    """Every installed Argos package as an engine, keyed by its language pair."""
    registry = EngineRegistry()
    for model in list_installed(models_dir):
        registry.add(model.source, model.target, ArgosEngine(model, options))
    return registry
