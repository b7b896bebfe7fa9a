"""Per-paragraph language identification that knows Kurdish.

Stock langdetect calls Sorani Persian and Kurmanji Turkish, and sends Kazakh or Tatar to the
Russian model. werger decides in layers, each cheaper than the next:

1. the script: the writing system most letters belong to picks the candidate languages;
2. letters: a candidate whose alphabet lacks letters the text uses is dropped (Sorani-only letters,
   Uyghur/Urdu/Persian letters, non-Russian Cyrillic letters, Turkish-only Latin letters); when one
   candidate is left, that is the answer, without any sampling;
3. n-grams: every character 1-3-gram of the text is scored under werger's own langdetect profiles,
   restricted to the candidates left (langdetect's n-gram extraction and smoothing, without its
   random sampling, so the same text always gets the same answer). A language werger translates
   wins only by a clear likelihood margin over the best one it does not, and only when the
   dominant script holds most letters; otherwise, or below the confidence threshold, the answer
   is ``und``, which the pipeline never sends to a model. When no candidate left is a language
   werger translates, the answer cannot change where the text goes, so letter frequencies name it.

The alphabets and profiles are data built from FLORES-200 by ``ingest/profiles/build.py``.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.errors import WergerIngestError

UNDETERMINED = "und"
THRESHOLD = 0.70
MIN_LETTERS = 3
FOREIGN_WORDS = 0.15
LETTER_MARGIN = 12.0
SMOOTHING = 0.5
TARGET_MARGIN = 6.0
MIXED_SCRIPT = 0.75
WORD = re.compile(r"[^\W\d_]+")
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class LanguageDataError(WergerIngestError):
    """The language profiles shipped in ``ingest/profiles`` are missing or unreadable."""


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    method: str


def letter_folding(config: dict) -> dict[int, str]:
    """The ``[letters] fold`` table of ``languages.toml`` as a ``str.translate`` table.

    Arabic and Persian keyboards disagree on yeh and kaf, so the same Sorani or Persian word
    reaches the web with either; profiles and texts are both folded so that spelling habit is not
    taken for language.
    """
    return str.maketrans(config["letters"].get("fold", {}))


def normalize(text: str, folding: dict[int, str]) -> str:
    """The form both training text and detected text take: NFC with keyboard variants folded."""
    return unicodedata.normalize("NFC", text).translate(folding)


@dataclass(frozen=True)
class _Language:
    label: str
    script: str
    alphabet: frozenset[str]
    log_freq: dict[str, float]
    log_unseen: float

    def letter_score(self, letters: Counter[str]) -> float:
        """Log-likelihood of the letter counts under this language's letter frequencies."""
        return sum(n * self.log_freq.get(char, self.log_unseen) for char, n in letters.items())


class _Knowledge:
    """Scripts, alphabets and n-gram profiles, loaded once from ``ingest/profiles``."""

    def __init__(self, directory: Path) -> None:
        try:
            config = tomllib.loads((directory / "languages.toml").read_text(encoding="utf-8"))
            alphabets = json.loads((directory / "alphabets.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LanguageDataError(
                f"cannot read language data in {directory} ({error}); rebuild it with "
                "`uv run python ingest/profiles/build.py <training folder>`"
            ) from error
        self.directory = directory
        self.folding = letter_folding(config)
        self.targets = frozenset(config["routing"]["targets"])
        self.ignored = frozenset(config["letters"]["ignored"])
        self.ranges = [
            (int(first, 16), int(last, 16), script)
            for script, spans in config["scripts"].items()
            for first, last in (span.split("-") for span in spans)
        ]
        self.languages = [
            _Language(
                label, entry["script"], frozenset(entry["letters"]), entry["log_freq"], entry["log_unseen"]
            )
            for label, entry in sorted(alphabets.items())
        ]

    @cache  # noqa: B019 - one instance per process, see _knowledge()
    def script_of_letter(self, char: str) -> str | None:
        if not char.isalpha() or char in self.ignored:
            return None
        code = ord(char)
        for first, last, script in self.ranges:
            if first <= code <= last:
                return script
        return None

    @cache  # noqa: B019
    def candidates(self, script: str) -> tuple[_Language, ...]:
        return tuple(language for language in self.languages if language.script == script)

    @cache  # noqa: B019
    def language(self, label: str) -> _Language:
        return next(language for language in self.languages if language.label == label)

    @cache  # noqa: B019
    def profile(self, label: str):
        from langdetect.utils.lang_profile import LangProfile

        path = self.directory / "ngrams" / f"{label}.json"
        try:
            return LangProfile(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise LanguageDataError(
                f"cannot read the {label!r} profile {path} ({error}); rebuild the profiles with "
                "`uv run python ingest/profiles/build.py <training folder>`"
            ) from error

    @cache  # noqa: B019
    def factory(self, script: str):
        """A langdetect factory that knows every language of ``script``.

        One per script rather than one per candidate set: langdetect keeps each language's
        n-gram probabilities apart, so restricting is picking columns, not retraining.
        """
        from langdetect.detector_factory import DetectorFactory

        labels = [language.label for language in self.candidates(script)]
        factory = DetectorFactory()
        for index, label in enumerate(labels):
            factory.add_profile(self.profile(label), index, len(labels))
        factory.set_seed(0)
        return factory

    @cache  # noqa: B019
    def log_probs(self, script: str) -> dict[str, tuple[float, ...]]:
        """Smoothed log-probabilities of n-grams under ``script``'s profiles, filled as met."""
        return {}


@cache
def _knowledge() -> _Knowledge:
    return _Knowledge(PROFILES_DIR)


def _letters_by_script(text: str, knowledge: _Knowledge) -> dict[str, Counter[str]]:
    letters: dict[str, Counter[str]] = {}
    for char, count in Counter(text.lower()).items():
        script = knowledge.script_of_letter(char)
        if script is not None:
            letters.setdefault(script, Counter())[char] += count
    return letters


def _words(text: str, script_letters: Counter[str]) -> Counter[frozenset[str]]:
    """Each word of ``text`` as the set of its letters in the dominant script."""
    words: Counter[frozenset[str]] = Counter()
    for word in WORD.findall(text.lower()):
        letters = frozenset(word).intersection(script_letters)
        if letters:
            words[letters] += 1
    return words


def _compatible(words: Counter[frozenset[str]], languages: tuple[_Language, ...]) -> tuple[str, ...]:
    """Languages whose alphabet spells the text's words, allowing a few foreign ones (names).

    Foreign words are counted rather than foreign letters, so that "Erdoğan" in an English
    paragraph costs one word however many Turkish letters it has.
    """
    total = sum(words.values())
    foreign = {
        language.label: sum(n for word, n in words.items() if not word <= language.alphabet)
        for language in languages
    }
    allowed = max(min(foreign.values()), int(total * FOREIGN_WORDS))
    return tuple(label for label, count in foreign.items() if count <= allowed)


def _letter_scores(letters: Counter[str], labels: tuple[str, ...], knowledge: _Knowledge) -> dict[str, float]:
    """Each candidate's letter log-likelihood, over the letters every candidate's alphabet has.

    Scoring only shared letters keeps foreign names that survived the alphabet rule from deciding.
    """
    languages = [knowledge.language(label) for label in labels]
    shared = frozenset.intersection(*(language.alphabet for language in languages))
    letters = Counter({char: n for char, n in letters.items() if char in shared})
    return {language.label: language.letter_score(letters) for language in languages}


def _likely(scores: dict[str, float]) -> tuple[str, ...]:
    """Languages whose letter frequencies explain the text nearly as well as the best one does.

    This is what rules out Kazakh for a Russian paragraph with no Kazakh letter in it: every
    Russian letter is Kazakh too, but in Kazakh text they are rarer, because Kazakh spends part of
    its letters on its own.
    """
    best = max(scores.values())
    return tuple(label for label, score in scores.items() if score >= best - LETTER_MARGIN)


def _best_share(scores: dict[str, float]) -> tuple[str, float]:
    """The best-scoring language and its share of the letter likelihood."""
    best = max(scores, key=scores.__getitem__)
    total = sum(math.exp(score - scores[best]) for score in scores.values())
    return best, 1.0 / total


def _source_words(text: str) -> str:
    """``text`` without its capitalised words after the first: names, not evidence of language.

    In a short snippet a name ("Livingston", "Бжезинский") can outweigh every other word, and
    names are spelt the same way in all the languages that quote them.
    """
    words = text.split()
    return " ".join(word for index, word in enumerate(words) if index == 0 or not word[:1].isupper())


def _ngram_scores(text: str, script: str, labels: tuple[str, ...], knowledge: _Knowledge) -> dict[str, float]:
    """Log-likelihood of every character n-gram of ``text`` under each restricted profile.

    langdetect samples n-grams at random until one language passes 0.99999, so its probability is
    near 1 even for a four-word snippet and says nothing about doubt. Scoring every n-gram with the
    same profiles and the same smoothing is deterministic, cheaper, and gives a likelihood ratio
    that grows with the evidence.
    """
    detector = knowledge.factory(script).create()
    detector.append(text)
    detector.cleaning_text()
    table = detector.word_lang_prob_map
    logs = knowledge.log_probs(script)
    smoothing = SMOOTHING / detector.BASE_FREQ
    columns = [detector.langlist.index(label) for label in labels]
    totals = [0.0] * len(labels)
    for ngram in detector._extract_ngrams():
        row = logs.get(ngram)
        if row is None:
            row = logs[ngram] = tuple(math.log(smoothing + prob) for prob in table[ngram])
        for index, column in enumerate(columns):
            totals[index] += row[column]
    return dict(zip(labels, totals, strict=True))


def _by_ngrams(
    text: str, script: str, labels: tuple[str, ...], share: float, knowledge: _Knowledge
) -> tuple[str, float]:
    """The best language by n-grams and its share of the likelihood, withholding doubtful routes.

    A target wins only when its n-grams are ``TARGET_MARGIN`` nats (a likelihood ratio of about
    400) likelier than the best language werger does not translate, and when the dominant script
    holds at least ``MIXED_SCRIPT`` of the letters (otherwise the dominant part may be a quoted
    name). Sending a doubtful text to ``und`` costs a translation; sending a confuser to a target
    model costs a wrong one.
    """
    scores = _ngram_scores(_source_words(text), script, labels, knowledge)
    if not any(scores.values()):
        return UNDETERMINED, 0.0
    lang, confidence = _best_share(scores)
    if lang in knowledge.targets:
        others = [score for label, score in scores.items() if label not in knowledge.targets]
        if share < MIXED_SCRIPT or (others and scores[lang] - max(others) < TARGET_MARGIN):
            return UNDETERMINED, confidence
    return lang, confidence


def detect(text: str) -> LanguageGuess:
    """Language of one paragraph."""
    knowledge = _knowledge()
    text = normalize(text, knowledge.folding)
    letters = _letters_by_script(text, knowledge)
    if sum(sum(counts.values()) for counts in letters.values()) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0, "too-short")
    script = max(letters, key=lambda name: sum(letters[name].values()))
    languages = knowledge.candidates(script)
    if not languages:
        return LanguageGuess(UNDETERMINED, 0.0, "unknown-script")
    labels = _compatible(_words(text, letters[script]), languages)
    if len(labels) == 1:
        return LanguageGuess(labels[0], 1.0, "letters")
    scores = _letter_scores(letters[script], labels, knowledge)
    labels = _likely(scores)
    if len(labels) == 1:
        return LanguageGuess(labels[0], 1.0, "letters")
    if knowledge.targets.isdisjoint(labels):
        lang, confidence = _best_share({label: scores[label] for label in labels})
        method = "letters"
    else:
        share = sum(letters[script].values()) / sum(sum(counts.values()) for counts in letters.values())
        lang, confidence = _by_ngrams(text, script, labels, share, knowledge)
        method = "ngrams"
    return LanguageGuess(lang if confidence >= THRESHOLD else UNDETERMINED, round(confidence, 4), method)


def document_language(guesses: list[tuple[LanguageGuess, int]]) -> LanguageGuess:
    """The language holding most characters of the document, weighted by paragraph length."""
    weights: Counter[str] = Counter()
    for guess, length in guesses:
        weights[guess.lang] += length
    if not weights:
        return LanguageGuess(UNDETERMINED, 0.0, "empty")
    lang, weight = weights.most_common(1)[0]
    return LanguageGuess(lang, round(weight / sum(weights.values()), 4), "majority-by-characters")
