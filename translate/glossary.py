# ruff: noqa: RUF001 - the punctuation of the scripts a link may end before
"""Protected terms: names that must come out untranslated, or translated one fixed way.

Models mangle organisation and place names, URLs, e-mail addresses and @handles. Before
translation each protected term (and every URL and address, glossary or not) is replaced by a placeholder made
only of common capital Latin letters (``QZ`` + the index written with the letters A-J + ``Z``;
digits and rarer letters are missing from some small vocabularies), which sentencepiece keeps
intact and models copy through like a name; after translation the placeholder is replaced by the
term's fixed rendering (a URL or address by itself). A placeholder the model dropped is reported
so the segment can be flagged for review.

A glossary is one TOML file per language pair, ``<source>-<target>.toml``::

    keep = ["Rudaw", "KRG"]                 # never translated

    [fixed]                                 # always translated this way
    "Иракский Курдистан" = "Iraqi Kurdistan"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from translate.errors import GlossaryError

GLOSSARY_DIR_ENV = "WERGER_GLOSSARY_DIR"
TERM_LOST = "glossary_term_lost"
_DIGITS = "ABCDEFGHIJ"
_FOUND = re.compile(r"Q\s?Z\s?([A-J]+)\s?Z")
# URLs (with a scheme, www. or a domain name and a path: "youtu.be/x", "agency.am/ru/..."),
# e-mail addresses and social-media handles ("@ExampleNews": ASCII letters, digits and "_", as
# X, Telegram and Instagram allow), without the punctuation that ends their sentence, in Latin
# or in Arabic script ("https://a.example/ar؟", "...?id=7، حتى").
_LITERALS = re.compile(
    r"""(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|(?<![\w.@/-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}/)
        [^\s<>"«»“”]*?(?=[.,;:!?)\]»”"'،؛؟۔]*(?:\s|$))
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
    | (?<![\w.@])@[a-z0-9_]{2,30}(?![\w@])""",
    re.IGNORECASE | re.VERBOSE,
)


def without_literals(text: str) -> str:
    """``text`` with each URL and e-mail address (what ``Glossary.protect`` keeps as written)
    replaced by a space: they are not words of any language, and a translation keeps them."""
    return _LITERALS.sub(" ", text) if ("." in text or "@" in text) else text


def _placeholder(index: int) -> str:
    return "QZ" + "".join(_DIGITS[int(d)] for d in str(index)) + "Z"


def _index(letters: str) -> int:
    return int("".join(str(_DIGITS.index(c)) for c in letters))


@dataclass(frozen=True)
class Protected:
    """A sentence with its terms replaced, and what each placeholder stands for."""

    text: str
    renderings: tuple[str, ...]


@dataclass
class Glossary:
    """The protected terms of one language pair, longest first so that longer names win."""

    terms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = sorted(self.terms, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None

    def protect(self, sentence: str) -> Protected:
        """``sentence`` with URLs, e-mail addresses and the glossary's terms behind placeholders.

        URLs and addresses are protected with or without a glossary: models split them at ``:``,
        ``/`` and ``.`` ("https: //www. example. org"), and a reader must be able to follow them.
        """
        renderings: list[str] = []

        def literal(match: re.Match[str]) -> str:
            renderings.append(match.group(0))
            return _placeholder(len(renderings) - 1)

        def term(match: re.Match[str]) -> str:
            renderings.append(self.terms[match.group(0)])
            return _placeholder(len(renderings) - 1)

        text = _LITERALS.sub(literal, sentence)
        if self._pattern is not None:
            text = self._pattern.sub(term, text)
        return Protected(text, tuple(renderings))

    @staticmethod
    def restore(output: str, protected: Protected) -> tuple[str, bool]:
        """The output with placeholders replaced; the flag says whether every term came through."""
        if not protected.renderings:
            return output, True
        seen: set[int] = set()

        def rendering(match: re.Match[str]) -> str:
            index = _index(match.group(1))
            if index >= len(protected.renderings):
                return match.group(0)
            seen.add(index)
            return protected.renderings[index]

        restored = _FOUND.sub(rendering, output)
        return restored, len(seen) == len(protected.renderings)


def load_glossary(path: Path) -> Glossary:
    """Read one pair's glossary file, or say what is wrong with it."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc}") from exc
    keep, fixed = data.get("keep", []), data.get("fixed", {})
    unknown = set(data) - {"keep", "fixed"}
    if unknown or not isinstance(keep, list) or not isinstance(fixed, dict):
        raise GlossaryError(
            f"glossary {path}: expected `keep = [...]` and a `[fixed]` table, found {sorted(data)}"
        )
    terms = {str(term): str(term) for term in keep}
    terms.update({str(term): str(rendering) for term, rendering in fixed.items()})
    return Glossary({term: rendering for term, rendering in terms.items() if term})


def load_glossaries(folder: Path | None) -> dict[tuple[str, str], Glossary]:
    """Every ``<source>-<target>.toml`` in ``folder``, keyed by language pair."""
    if folder is None or not Path(folder).is_dir():
        return {}
    glossaries = {}
    for path in sorted(Path(folder).glob("*-*.toml")):
        source, _, target = path.stem.partition("-")
        glossaries[(source, target)] = load_glossary(path)
    return glossaries
