"""Per-paragraph language identification that knows Kurdish.

Stock langdetect calls Sorani Persian and Kurmanji Turkish. werger decides in layers: the script
first, then letters only one language of that script uses, then langdetect (seeded, so the same
text always gets the same answer) restricted to the script's candidates. Below the confidence
threshold the answer is ``und``, which the pipeline never sends to a model.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

UNDETERMINED = "und"
THRESHOLD = 0.70
MIN_LETTERS = 3

SORANI_LETTERS = frozenset("ڕڵێۆە")
KURMANJI_LETTERS = frozenset("êîûÊÎÛ")
TURKISH_ONLY_LETTERS = frozenset("ıİğĞöÖüÜ")
SCRIPT_CANDIDATES = {
    "Arab": ("ar", "fa", "ur"),
    "Cyrl": ("ru", "uk", "bg", "mk"),
    "Latn": ("en", "tr", "de", "fr", "es", "id", "sq", "so", "sw", "af", "nl", "it", "pt"),
}


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    method: str


def script_of(text: str) -> str | None:
    """The dominant writing system of the letters in ``text`` (Arab, Cyrl, Latn) or None."""
    counts: Counter[str] = Counter()
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for script, marker in (("Arab", "ARABIC"), ("Cyrl", "CYRILLIC"), ("Latn", "LATIN")):
            if name.startswith(marker):
                counts[script] += 1
                break
    if sum(counts.values()) < MIN_LETTERS:
        return None
    return counts.most_common(1)[0][0]


@lru_cache(maxsize=1)
def _factory():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def _langdetect(text: str, candidates: tuple[str, ...]) -> tuple[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(text)
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED, 0.0
    kept = [(p.lang, p.prob) for p in probabilities if p.lang in candidates]
    if not kept:
        return UNDETERMINED, 0.0
    total = sum(prob for _, prob in kept)
    lang, prob = max(kept, key=lambda item: item[1])
    return lang, prob / total if total else 0.0


def detect(text: str) -> LanguageGuess:
    """Language of one paragraph."""
    script = script_of(text)
    if script is None:
        return LanguageGuess(UNDETERMINED, 0.0, "too-short")
    letters = set(text)
    if script == "Arab" and letters & SORANI_LETTERS:
        return LanguageGuess("ckb", 1.0, "letters")
    if script == "Latn" and letters & KURMANJI_LETTERS and not letters & TURKISH_ONLY_LETTERS:
        return LanguageGuess("kmr", 1.0, "letters")
    lang, confidence = _langdetect(text, SCRIPT_CANDIDATES[script])
    if confidence < THRESHOLD:
        return LanguageGuess(UNDETERMINED, confidence, "langdetect")
    return LanguageGuess(lang, round(confidence, 4), "langdetect")


def document_language(guesses: list[tuple[LanguageGuess, int]]) -> LanguageGuess:
    """The language holding most characters of the document, weighted by paragraph length."""
    weights: Counter[str] = Counter()
    for guess, length in guesses:
        weights[guess.lang] += length
    if not weights:
        return LanguageGuess(UNDETERMINED, 0.0, "empty")
    lang, weight = weights.most_common(1)[0]
    return LanguageGuess(lang, round(weight / sum(weights.values()), 4), "majority-by-characters")
