"""Facts about the languages werger handles, read from ``languages.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LANGUAGES_PATH = Path(__file__).with_name("languages.toml")


@dataclass(frozen=True)
class Language:
    code: str
    script: str
    nllb: str
    argos_index: bool
    madlad: str = ""
    sentence_final_words: tuple[str, ...] = ()


@cache
def languages() -> dict[str, Language]:
    data = tomllib.loads(LANGUAGES_PATH.read_text(encoding="utf-8"))
    return {
        code: Language(
            code=code,
            **{k: v for k, v in fields.items() if k != "sentence_final_words"},
            sentence_final_words=tuple(fields.get("sentence_final_words", ())),
        )
        for code, fields in data.items()
    }


def language(code: str) -> Language | None:
    return languages().get(code)
