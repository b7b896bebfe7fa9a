"""Sentencepiece + CTranslate2 decoding shared by every local engine (Argos, NLLB-200, MADLAD-400).

Throughput on a CPU comes from giving CTranslate2 many sentences at once: werger sorts all
sentences of a run for one language pair by length and cuts them into batches of about the same
length, so little padding is decoded and each batch's length cap fits its sentences. A batch holds
up to ``batch_size`` sentences (64 measured best on a 2-core CPU, beside raw CTranslate2 in
bench/translate.py), never more than ``batch_tokens`` padded tokens, which bounds memory when
sentences are long, and is closed before padding exceeds ``MAX_PADDING`` of it, which keeps
batches of similar lengths when a call holds only a few dozen sentences.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from store.record import EngineRef
from translate.engine import Translation
from translate.errors import PackageInvalidError

DEVICES = ("cpu", "cuda", "auto")


@dataclass(frozen=True)
class DecodingOptions:
    """Knobs of the decoder; beam size, length penalty and int8 follow Argos Translate's defaults.

    ``device`` is "cpu", "cuda" or "auto" (cuda when CTranslate2 sees a GPU, else cpu); a Ray
    actor given a GPU decodes on "cuda".
    """

    beam_size: int = 4
    repetition_penalty: float = 1.0
    max_length_ratio: float = 1.5
    batch_size: int = 64
    batch_tokens: int = 4096
    compute_type: str = "int8"
    threads: int = 0
    device: str = "cpu"

    def resolved_device(self) -> str:
        """The device to load models on: "auto" becomes "cuda" when a GPU is visible, else "cpu"."""
        if self.device != "auto":
            return self.device
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"

    def thread_count(self) -> int:
        """Threads to decode with: as many as the CPUs this process may run on, unless set."""
        return self.threads or len(os.sched_getaffinity(0)) or 1


# A batch is closed when more than this share of its padded tokens would be padding (once it holds
# MIN_BATCH sentences: tiny batches cost more per sentence than some padding does).
MAX_PADDING = 0.1
MIN_BATCH = 8


def decoding_cap(longest_input: int, ratio: float) -> int:
    """Longest output allowed for a batch whose longest input has ``longest_input`` tokens."""
    return max(1, math.ceil(longest_input * ratio))


class SentencePieceEngine:
    """A CTranslate2 model with a sentencepiece tokenizer, loaded on first use."""

    ref: EngineRef

    def __init__(self, model_dir: Path, sp_model: Path, pair: tuple[str, str], options: DecodingOptions):
        self.model_dir = model_dir
        self.sp_model = sp_model
        self.pair = pair
        self.options = options
        self._translator = None
        self._tokenizer = None

    def source_tokens(self, pieces: list[str]) -> list[str]:
        """The model's input for one sentence's pieces (engines add language tags here)."""
        return pieces

    def target_prefix(self) -> list[str]:
        """Tokens the decoder must start with (a target language tag, if the model needs one)."""
        return []

    def _load(self) -> None:
        if self._translator is not None:
            return
        import ctranslate2
        import sentencepiece

        if not self.sp_model.is_file():
            raise PackageInvalidError(
                f"{self.sp_model} is missing; only sentencepiece-tokenised models are supported"
            )
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(self.sp_model))
        self._translator = ctranslate2.Translator(
            str(self.model_dir),
            device=self.options.resolved_device(),
            compute_type=self.options.compute_type,
            inter_threads=1,
            intra_threads=self.options.thread_count(),
        )

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Translate sentences of any number of documents; identical inputs are translated once."""
        if (source, target) != self.pair:
            raise ValueError(f"{self.ref.id} translates {'->'.join(self.pair)}, not {source}->{target}")
        if not texts:
            return []
        self._load()
        unique = list(dict.fromkeys(texts))
        pieces = self._tokenizer.encode(unique, out_type=str)
        outputs = self._decode([self.source_tokens(p) for p in pieces])
        by_text = dict(zip(unique, outputs, strict=True))
        return [Translation(text=by_text[text], engine=self.ref) for text in texts]

    def _decode(self, tokens: list[list[str]]) -> list[str]:
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        results: list[str] = [""] * len(tokens)
        prefix = self.target_prefix()
        for chunk in chunks_by_tokens(order, tokens, self.options.batch_tokens, self.options.batch_size):
            batch = [tokens[i] for i in chunk]
            hypotheses = self._translator.translate_batch(
                batch,
                target_prefix=[prefix] * len(batch) if prefix else None,
                beam_size=self.options.beam_size,
                repetition_penalty=self.options.repetition_penalty,
                max_decoding_length=decoding_cap(len(batch[-1]), self.options.max_length_ratio) + len(prefix),
                replace_unknowns=True,
                length_penalty=0.2,
            )
            for i, result in zip(chunk, hypotheses, strict=True):
                results[i] = self._tokenizer.decode(result.hypotheses[0][len(prefix) :]).strip()
        return results


def chunks_by_tokens(
    order: list[int],
    tokens: list[list[str]],
    budget: int,
    max_items: int | None = None,
    max_padding: float = MAX_PADDING,
    min_items: int = MIN_BATCH,
) -> list[list[int]]:
    """Split length-sorted items into batches of at most ``max_items`` whose padded size stays
    under ``budget`` tokens and, once a batch holds ``min_items``, whose padding stays under
    ``max_padding`` of its padded size.

    Every sentence of a batch is padded to its longest and decoded up to that longest's length
    cap, so a batch that mixes a 10-token and an 80-token sentence spends most of its work on
    padding. On a few dozen sentences (a small crawl batch) a fixed 64 did just that; measured
    with bench/translate.py's real-shape model, 131 sentences took 0.6x the CPU time in batches
    cut at 10% padding against batches of 64.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    total = 0
    for i in order:
        width = max(len(tokens[i]), 1)
        size = len(current) + 1
        full = max_items is not None and len(current) >= max_items
        padded = len(current) >= min_items and 1 - (total + width) / (width * size) > max_padding
        if current and (full or padded or width * size > budget):
            chunks.append(current)
            current, total = [], 0
        current.append(i)
        total += width
    if current:
        chunks.append(current)
    return chunks


VOCABULARIES = ("shared_vocabulary.json", "shared_vocabulary.txt")


def conversion_vocabulary(folder: Path) -> set[str]:
    """The target vocabulary of a CTranslate2 conversion (NLLB-200, MADLAD-400): its tokens.

    Raises PackageInvalidError when the folder holds neither vocabulary file.
    """
    for name in VOCABULARIES:
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            return set(json.loads(text)) if name.endswith(".json") else set(text.splitlines())
    raise PackageInvalidError(f"{folder} has no CTranslate2 vocabulary ({' or '.join(VOCABULARIES)})")


def conversion_version(folder: Path) -> str:
    """A short fingerprint of a conversion, so a new model re-translates what the old one did."""
    config = folder / "config.json"
    digest = hashlib.sha256(config.read_bytes() if config.is_file() else b"")
    digest.update(str((folder / "model.bin").stat().st_size).encode())
    return digest.hexdigest()[:12]
