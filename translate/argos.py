"""Argos Translate packages run directly on CTranslate2 and sentencepiece.

Argos's own ``translate()`` works one paragraph at a time; werger gives CTranslate2 all sentences
of a run for one language pair at once, sorted by length and batched by tokens, which is where
CPU throughput comes from.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from store.record import EngineRef
from translate.engine import EngineRegistry, Translation
from translate.errors import PackageInvalidError
from translate.models import InstalledModel, list_installed


@dataclass(frozen=True)
class DecodingOptions:
    """Knobs of the decoder; defaults follow Argos Translate's."""

    beam_size: int = 4
    repetition_penalty: float = 1.0
    max_length_ratio: float = 1.5
    batch_tokens: int = 2048
    compute_type: str = "int8"


class ArgosEngine:
    """One installed Argos package, loaded on first use."""

    def __init__(self, model: InstalledModel, options: DecodingOptions | None = None) -> None:
        self.model = model
        self.options = options or DecodingOptions()
        self.ref = EngineRef(id=model.package_id, version=model.version)
        self._translator = None
        self._tokenizer = None
        self._target_prefix = _read_target_prefix(model.path)

    def _load(self) -> None:
        if self._translator is not None:
            return
        import ctranslate2
        import sentencepiece

        sp_path = self.model.path / "sentencepiece.model"
        if not sp_path.is_file():
            raise PackageInvalidError(
                f"{self.model.path} has no sentencepiece.model; BPE-only Argos packages are not supported"
            )
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
        self._translator = ctranslate2.Translator(
            str(self.model.path / "model"),
            device="cpu",
            compute_type=self.options.compute_type,
            inter_threads=1,
            intra_threads=os.cpu_count() or 1,
        )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Translate sentences; identical inputs are translated once."""
        if (source, target) != (self.model.source, self.model.target):
            raise ValueError(f"{self.ref.id} translates {self.model.pair}, not {source}->{target}")
        if not texts:
            return []
        self._load()
        unique = list(dict.fromkeys(texts))
        tokens = [self._tokenizer.encode(text, out_type=str) for text in unique]
        outputs = self._decode(tokens)
        by_text = dict(zip(unique, outputs, strict=True))
        return [Translation(text=by_text[text], engine=self.ref) for text in texts]

    def _decode(self, tokens: list[list[str]]) -> list[str]:
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        results: list[str] = [""] * len(tokens)
        for chunk in _chunks_by_tokens(order, tokens, self.options.batch_tokens):
            batch = [tokens[i] for i in chunk]
            longest = max(len(t) for t in batch)
            prefix = [[self._target_prefix]] * len(batch) if self._target_prefix else None
            hypotheses = self._translator.translate_batch(
                batch,
                target_prefix=prefix,
                beam_size=self.options.beam_size,
                repetition_penalty=self.options.repetition_penalty,
                max_decoding_length=math.ceil(longest * self.options.max_length_ratio) + 4,
                replace_unknowns=True,
                length_penalty=0.2,
            )
            for i, result in zip(chunk, hypotheses, strict=True):
                results[i] = self._detokenize(result.hypotheses[0])
        return results

    def _detokenize(self, pieces: list[str]) -> str:
        if self._target_prefix and pieces and pieces[0] == self._target_prefix:
            pieces = pieces[1:]
        return self._tokenizer.decode(pieces).strip()


def _chunks_by_tokens(order: list[int], tokens: list[list[str]], budget: int) -> list[list[int]]:
    """Split length-sorted items into batches whose padded size stays under ``budget`` tokens."""
    chunks: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = max(len(tokens[i]), 1)
        if current and width * (len(current) + 1) > budget:
            chunks.append(current)
            current = []
        current.append(i)
    if current:
        chunks.append(current)
    return chunks


def _read_target_prefix(package_dir: Path) -> str:
    import json

    metadata = json.loads((package_dir / "metadata.json").read_text(encoding="utf-8"))
    return metadata.get("target_prefix", "") or ""


def argos_registry(models_dir: Path, options: DecodingOptions | None = None) -> EngineRegistry:
    """Every installed Argos package as an engine, keyed by its language pair."""
    registry = EngineRegistry()
    for model in list_installed(models_dir):
        registry.add(model.source, model.target, ArgosEngine(model, options))
    return registry
