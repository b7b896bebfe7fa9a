"""Presentation helpers for record text: writing direction and word-level differences."""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import cache
from pathlib import Path

TOKEN = re.compile(r"\s+|[^\s]+")


@cache
def _directions() -> dict[str, set[str]]:
    data = tomllib.loads(Path(__file__).with_name("languages.toml").read_text(encoding="utf-8"))
    return {"rtl": set(data["rtl"]), "auto": set(data["auto"])}


def direction(lang: str) -> str:
    """The HTML ``dir`` for a language code: rtl for Arabic script languages, auto when unknown."""
    table = _directions()
    base = lang.split("-")[0].lower()
    if base in table["rtl"]:
        return "rtl"
    return "auto" if base in table["auto"] else "ltr"


def word_diff(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """(op, text) pieces, op one of equal/delete/insert; rendered by the template, so escaped."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", "".join(b[j1:j2])))
    return pieces
