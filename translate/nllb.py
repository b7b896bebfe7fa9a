"""NLLB-200 run on CTranslate2: the model for languages the Argos index lacks (Sorani, Kurmanji).

An NLLB-200 model is used from a CTranslate2 conversion directory (``model.bin``, its vocabulary
and the ``sentencepiece.bpe.model`` tokenizer), made on a connected machine with
``ct2-transformers-converter --model facebook/nllb-200-distilled-600M --quantization int8
--output_dir nllb-200-ct2 --copy_files sentencepiece.bpe.model``. NLLB marks languages with
tokens: the source sentence is ``[src_lang] pieces </s>`` and the decoder starts with the target
language's token. NLLB-200 is licensed CC BY-NC 4.0 (non-commercial use only).
"""

from __future__ import annotations

from pathlib import Path

from store.record import EngineRef
from translate.ct2 import DecodingOptions, SentencePieceEngine, conversion_version, conversion_vocabulary
from translate.engine import EngineRegistry
from translate.errors import PackageInvalidError
from translate.languages import languages

NLLB_DIR_ENV = "WERGER_NLLB_DIR"
TOKENIZER = "sentencepiece.bpe.model"


def is_nllb_dir(folder: Path) -> bool:
    """True when ``folder`` looks like a CTranslate2 conversion of NLLB with its tokenizer."""
    return (folder / "model.bin").is_file() and (folder / TOKENIZER).is_file()




class NllbEngine(SentencePieceEngine):
    """One NLLB-200 conversion translating one language pair."""

    def __init__(self, folder: Path, pair: tuple[str, str], options: DecodingOptions | None = None):
        super().__init__(folder, folder / TOKENIZER, pair, options or DecodingOptions())
        codes = languages()
        self._source_tag = codes[pair[0]].nllb
        self._target_tag = codes[pair[1]].nllb
        self.ref = EngineRef(id=f"nllb:{folder.name}", version=conversion_version(folder))

    def source_tokens(self, pieces: list[str]) -> list[str]:
        return [self._source_tag, *pieces, "</s>"]

    def target_prefix(self) -> list[str]:
        return [self._target_tag]


def add_nllb(registry: EngineRegistry, folder: Path, options: DecodingOptions | None = None) -> None:
    """Offer ``folder`` for every pair of known languages its vocabulary has tags for.

    Which engine translates a pair is the registry's preference (Argos packages first, by default).
    """
    if not is_nllb_dir(folder):
        raise PackageInvalidError(
            f"{folder} is not an NLLB-200 CTranslate2 conversion (needs model.bin and {TOKENIZER})"
        )
    vocabulary = conversion_vocabulary(folder)
    tagged = [code for code, lang in languages().items() if lang.nllb in vocabulary]
    for source in tagged:
        for target in tagged:
            if source != target:
                registry.offer(source, target, "nllb", NllbEngine(folder, (source, target), options))
