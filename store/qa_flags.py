"""Plain-language titles and explanations of the quality flags, for editors and CAT tools.

The flags are set by the translation stage (``translate/quality.py``); their meaning for a person is
data (``qa_flags.toml``), shown in the review app and written into XLIFF notes. A flag not listed
there is still shown, by its code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FLAGS_PATH = Path(__file__).with_name("qa_flags.toml")


@dataclass(frozen=True)
class FlagMeaning:
    code: str
    title: str
    explanation: str


@cache
def _meanings() -> dict[str, dict[str, str]]:
    return tomllib.loads(FLAGS_PATH.read_text(encoding="utf-8"))


def meaning(code: str) -> FlagMeaning:
    """The title and explanation of flag ``code``; unknown codes explain themselves by name."""
    base = code.split(":", 1)[0]
    entry = _meanings().get(code) or _meanings().get(base)
    if entry is None:
        return FlagMeaning(code, code.replace("_", " "), "A quality check flagged this paragraph.")
    return FlagMeaning(code, entry["title"], entry["explanation"])
