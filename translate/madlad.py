"""MADLAD-400 run on CTranslate2: Kurdish (Sorani and Kurmanji) to English under Apache-2.0.

MADLAD-400 (Google; Kudugunta et al., 2023) is a T5 model trained on 400+ languages, licensed
Apache-2.0, so partners with a commercial side may use it where NLLB-200 (CC BY-NC 4.0) is ruled
out. It is used from a CTranslate2 conversion folder made on a connected machine with
``ct2-transformers-converter --model google/madlad400-3b-mt --quantization int8 --output_dir
madlad400-3b-ct2 --copy_files spiece.model`` (about 3 GB in int8). The target language is a token
at the start of the source, ``<2en> pieces </s>``; the source language is not named. Its float16
conversion is known to misbehave, so on a GPU werger runs it as int8 weights with float32
arithmetic (``int8_float32``), never float16.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from store.record import EngineRef
from translate.ct2 import DecodingOptions, SentencePieceEngine, conversion_version, conversion_vocabulary
from translate.engine import EngineRegistry
from translate.errors import PackageInvalidError
from translate.languages import languages

TOKENIZER = "spiece.model"
FLOAT16 = ("float16", "int8_float16", "bfloat16", "int8_bfloat16")


def is_madlad_dir(folder: Path) -> bool:
    """True when ``folder`` looks like a CTranslate2 conversion of a T5 model with its tokenizer."""
    return (folder / "model.bin").is_file() and (folder / TOKENIZER).is_file()




def target_tag(code: str) -> str | None:
    """The ``<2xx>`` token that asks MADLAD-400 for language ``code`` (None if werger has none)."""
    known = languages().get(code)
    return f"<2{known.madlad}>" if known and known.madlad else None


class MadladEngine(SentencePieceEngine):
    """One MADLAD-400 conversion translating one language pair."""

    def __init__(self, folder: Path, pair: tuple[str, str], options: DecodingOptions | None = None):
        options = options or DecodingOptions()
        if options.compute_type in FLOAT16:
            options = replace(options, compute_type="int8_float32")
        super().__init__(folder, folder / TOKENIZER, pair, options)
        tag = target_tag(pair[1])
        if tag is None:
            raise PackageInvalidError(f"werger has no MADLAD-400 code for {pair[1]!r} (languages.toml)")
        self._target_tag = tag
        self.ref = EngineRef(id=f"madlad:{folder.name}", version=conversion_version(folder))

    def source_tokens(self, pieces: list[str]) -> list[str]:
        return [self._target_tag, *pieces, "</s>"]


def add_madlad(registry: EngineRegistry, folder: Path, options: DecodingOptions | None = None) -> None:
    """Offer ``folder`` for every pair of known languages whose target tag its vocabulary has."""
    if not is_madlad_dir(folder):
        raise PackageInvalidError(
            f"{folder} is not a MADLAD-400 CTranslate2 conversion (needs model.bin and {TOKENIZER})"
        )
    vocabulary = conversion_vocabulary(folder)
    targets = [code for code in languages() if (tag := target_tag(code)) and tag in vocabulary]
    for source in languages():
        for target in targets:
            if source != target:
                registry.offer(source, target, "madlad", MadladEngine(folder, (source, target), options))
