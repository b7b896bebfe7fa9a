"""Per-paragraph language identification that knows Kurdish.

Stock langdetect calls Sorani Persian and Kurmanji Turkish, and sends Kazakh or Tatar to the
Russian model. Real pages add their own traps: Title Case and UPPER CASE headlines, URLs and
e-mail addresses inside sentences, Kurdish place names quoted in English, English terms in Russian,
zero-width joiners, tatweel and presentation forms. werger decides in steps:

1. cleaning: compatibility forms are folded (NFKC), vowel marks, tatweel and invisible format
   characters dropped, keyboard variants folded, and URLs, e-mail addresses, handles, hashtags and
   numbers removed: they are not language, so they count neither for the script nor as evidence;
2. the script: the writing system most words belong to picks the candidate languages (a script
   werger has no language for gives ``und``, method ``unsupported-script``);
3. the words that speak for the language: in sentence-case text the capitalised words inside a
   sentence are names, spelt alike in every language that quotes them, and are left out; in Title
   Case or UPPER CASE every word is kept; in the Cyrillic script, whose languages each spell a
   foreign name their own way (Дональд Трамп, Доналд Тръмп), names are kept as evidence; all of it
   is lowercased, as the profiles are;
4. scores: every character 1-3-gram of those words is scored under werger's own langdetect
   profiles of every candidate (langdetect's n-gram extraction and smoothing, without its random
   sampling, so the same text always gets the same answer), and each word a candidate's alphabet
   cannot spell costs that candidate ``FOREIGN_WORD_COST`` nats. Letters are evidence, never a
   verdict: a name or a loanword with foreign letters costs one word, and a target is never chosen
   by letters alone; between close relatives that a large word list knows (Russian, Bulgarian,
   Ukrainian, Macedonian: ``[lexicon]``), each word's frequency there shares out their likelihood
   again without changing its sum;
5. routing: a language werger translates wins only by ``TARGET_MARGIN`` over the best one it does
   not, when the dominant script holds at least ``MIXED_SCRIPT`` of the words and the winner holds
   ``THRESHOLD`` of the likelihood. Otherwise the answer is ``und``, which the pipeline never sends
   to a model.

``LanguageGuess.confidence`` is the answered language's share of the likelihood over the script's
candidates (0-1). An ``und`` answer asserts no language: its confidence is 0.0 and its method says
why (``too-short``, ``unsupported-script``, ``mixed-script``, ``low-margin``, ``low-confidence``).

The alphabets and profiles are data built from FLORES-200 by ``ingest/profiles/build.py``, the lexicon of
close relatives from the wordfreq word lists (at build time only).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ingest.errors import WergerIngestError

if TYPE_CHECKING:
    import numpy as np

UNDETERMINED = "und"
THRESHOLD = 0.70
MIN_LETTERS = 3
FOREIGN_WORD_COST = 10.0
SMOOTHING = 0.5
TARGET_MARGIN = 6.0
# How many nats a language declared by the page or site (see ``[hints]`` in languages.toml) is
# preferred over its close relatives.
HINT_PRIOR = 6.0
MIXED_SCRIPT = 0.6
TITLE_CASE = 0.7
NAMES_LINE = 5
BASE_FREQ = 10000  # langdetect's Detector.BASE_FREQ: smoothing is SMOOTHING / BASE_FREQ
WORD_CACHE = 200_000
WORD_WEIGHT = 1.0
WORD_SMOOTHING = 0.5
VOCABULARY = 100_000
# Character 4- and 5-grams of a word: their smoothing (add-k) and the number of n-grams of each
# order a language can have, for the probability of one its training text did not repeat.
LONG_ORDERS = (4, 5)
LONG_SMOOTHING = 0.1
LONG_VOCABULARY = (100_000, 300_000)
LONG_WEIGHT = 0.7
# A lead (nats) that 1-3-grams and common words give and 4- and 5-grams are not computed for.
LONG_NEEDED = 40.0
# Word frequencies of close relatives (``[lexicon]`` in languages.toml, from wordfreq): how many
# times a word's log-probability counts, and the Zipf frequency given to a word a language's list
# lacks (the lists are cut at Zipf 3.0: a missing word is rarer than that). A word's 1-5-grams
# count each of its letters about five times over, so the lexicon's one figure per word weighs
# three times. Measured on FLORES dev 4-word snippets (README, language identification): weight 2
# reaches 97.4% of Russian snippets, 3 reaches 98.0%, 4 starts sending Serbian to Russian.
LEXICON_WEIGHT = 3.0
LEXICON_UNSEEN = 1.0
WORD = re.compile(r"[^\W\d_]+")
SENTENCE_END = re.compile(r"[.!?:;…\"»“”«(\[]")
TLDS = "com|org|net|info|gov|edu|int|io|co|me|tv|news|online|ru|ua|kz|by|iq|ir|tr|sy|uk|de|fr|eu|us|krd"
NON_LANGUAGE = re.compile(
    rf"""
    (?:[a-z][a-z0-9+.-]*://|www\.)\S+                        # URLs
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                            # e-mail addresses
    | [\w.+-]+\s?[\[(]at[\])]\s?[\w-]+(?:(?:\s?[\[(]dot[\])]\s?|\.)[\w-]+)+  # ... written against spam
    | (?<![\w@#])[@#][\w_]+                                   # handles and hashtags
    | (?<![\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{TLDS})\b\S*  # bare domain names
    | (?<![\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{{2,24}}/\S*  # any other domain with a path
    """,
    re.VERBOSE | re.IGNORECASE,
)
# What any of NON_LANGUAGE needs to match, so that the costly pattern runs only where it can.
NON_LANGUAGE_HINT = re.compile(rf"://|www\.|@|#|[\[(]at[\])]|\.(?:{TLDS})\b|\.[a-z]{{2,24}}/", re.IGNORECASE)
# A number with the ending written onto it (Russian ordinal and case endings, "1990s", "5th",
# "1957-an"): the ending says nothing a number does not, and alone it looks like a word of another
# language (the Russian ordinal ending -e is the Bulgarian for "is").
NUMBER = re.compile(r"\d[\d.,:/%'+-]*(?:[^\W\d_]{1,3}\b)?")
# Characters that change how text looks, not what it says: vowel and stress marks left over after
# composition (Arabic harakat, Cyrillic stress), and invisible format characters (zero-width
# joiners, soft hyphens, bidirectional marks).
DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
# Format characters that separate words rather than decorate them: the zero-width non-joiner (which
# some Persian-script keyboards type between words, and which langdetect's own n-grams treat as a
# space) and the zero-width space.
WORD_BREAKS_CHARS = "\u200c\u200b"
LEGACY_AE = re.compile("\u0647\u200c|\u0647\\b")
PROFILES_DIR = Path(__file__).resolve().parent / "profiles"


class LanguageDataError(WergerIngestError):
    """The language profiles shipped in ``ingest/profiles`` are missing or unreadable."""


class LanguageInputError(WergerIngestError, TypeError):
    """The detector was given something other than text."""


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    method: str


def letter_folding(config: dict) -> dict[int, str]:
    """The ``[letters] fold`` table of ``languages.toml`` as a ``str.translate`` table.

    Arabic and Persian keyboards disagree on yeh and kaf, so the same Sorani or Persian word
    reaches the web with either; profiles and texts are both folded so that spelling habit is not
    taken for language. Tatweel and the other ``ignored`` marks are deleted by the same table.
    """
    table = str.maketrans(config["letters"].get("fold", {}))
    table.update(dict.fromkeys(map(ord, config["letters"].get("ignored", "")), None))
    return table


class _Visible(dict):
    """``str.translate`` table: word breaks to spaces, ``DROPPED_CATEGORIES`` deleted, filled as met."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if char in WORD_BREAKS_CHARS:
            self[code] = " "
        else:
            self[code] = None if unicodedata.category(char) in DROPPED_CATEGORIES else char
        return self[code]


_VISIBLE = _Visible()


def normalize(text: str, folding: dict[int, str]) -> str:
    """The form both training text and detected text take.

    NFKC folds presentation forms, ligatures and full-width letters to the letters they show;
    zero-width word breaks become spaces; marks and other format characters go (see
    ``DROPPED_CATEGORIES``); keyboard variants are folded.
    """
    return unicodedata.normalize("NFKC", text).translate(_VISIBLE).translate(folding)


def strip_non_language(text: str) -> str:
    """``text`` with URLs, e-mail addresses, handles, hashtags and numbers replaced by spaces."""
    if NON_LANGUAGE_HINT.search(text):
        text = NON_LANGUAGE.sub(" ", text)
    return NUMBER.sub(" ", text)


def lowercase(text: str) -> str:
    """Lowercase as the profiles are, with Turkish capital dotted I as a plain i."""
    return text.lower().replace("i\u0307", "i")


@dataclass(frozen=True)
class _Language:
    label: str
    script: str
    alphabet: frozenset[str]


class _Scripts(dict):
    """``str.translate`` table from a letter to a one-character code of its script, filled as
    letters are met; ``names`` turns a code back into the script's name."""

    def __init__(self, script_of_letter) -> None:
        super().__init__()
        self.script_of_letter = script_of_letter
        self.names: dict[str, str] = {}
        self.codes: dict[str, str] = {}

    def __missing__(self, code: int) -> str:
        name = self.script_of_letter(chr(code))
        if name not in self.codes:
            self.codes[name] = chr(0xE000 + len(self.codes))
            self.names[self.codes[name]] = name
        self[code] = self.codes[name]
        return self[code]


class _WordRows(dict):
    """Word -> its smoothed log-probability under each candidate, computed when first met (the
    table of every word would cost a crawl's first page a noticeable pause)."""

    def __init__(self, counts: list[dict[str, int]], denominators: list[float], unseen: tuple[float, ...]):
        super().__init__()
        self.counts, self.denominators, self.unseen = counts, denominators, unseen

    def __missing__(self, word: str) -> tuple[float, ...]:
        if len(self) >= WORD_CACHE:
            self.clear()
        if not any(word in words for words in self.counts):
            row = self.unseen
        else:
            row = tuple(
                math.log(words.get(word, 0) + WORD_SMOOTHING) - denominator
                for words, denominator in zip(self.counts, self.denominators, strict=True)
            )
        self[word] = row
        return row


class _Knowledge:
    """Scripts, alphabets and n-gram profiles, loaded once from ``ingest/profiles``."""

    def __init__(self, directory: Path) -> None:
        try:
            config = tomllib.loads((directory / "languages.toml").read_text(encoding="utf-8"))
            alphabets = json.loads((directory / "alphabets.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LanguageDataError(
                f"cannot read language data in {directory} ({error}); rebuild it with "
                "`uv run --group profiles python ingest/profiles/build.py <training folder>`"
            ) from error
        self.directory = directory
        self.folding = letter_folding(config)
        self.targets = frozenset(config["routing"]["targets"])
        self.names_speak = frozenset(config.get("names", {}).get("transliterated", []))
        self.name_endings: dict[str, tuple[str, ...]] = {
            label: tuple(sorted(endings, key=len, reverse=True))
            for label, endings in config.get("names", {}).get("endings", {}).items()
        }
        self.word_factors: dict[str, float] = config.get("words", {}).get("weight", {})
        self.lexicon_settings: dict = config.get("lexicon", {})
        hints = config.get("hints", {})
        self.relatives = {label: frozenset(group) for group in hints.get("relatives", []) for label in group}
        self.hint_codes = {code.lower(): label for code, label in hints.get("codes", {}).items()}
        self.ranges = [
            (int(first, 16), int(last, 16), script)
            for script, spans in config["scripts"].items()
            for first, last in (span.split("-") for span in spans)
        ]
        self.languages = [
            _Language(label, entry["script"], frozenset(entry["letters"]))
            for label, entry in sorted(alphabets.items())
        ]
        self.scripts = _Scripts(self.script_of_letter)
        # Languages that write ae (U+06D5), which Arabic keyboards type as heh + ZWNJ.
        self.heh_for_ae = frozenset(
            language.label for language in self.languages if "\u06d5" in language.alphabet
        )

    def script_of_letter(self, char: str) -> str:
        """The script of a letter: a ``[scripts]`` name, or the first word of its Unicode name."""
        code = ord(char)
        for first, last, script in self.ranges:
            if first <= code <= last:
                return script
        return unicodedata.name(char, "OTHER").split()[0]

    @cache  # noqa: B019
    def candidates(self, script: str) -> tuple[_Language, ...]:
        return tuple(language for language in self.languages if language.script == script)

    @cache  # noqa: B019
    def profile(self, label: str):
        from langdetect.utils.lang_profile import LangProfile

        path = self.directory / "ngrams" / f"{label}.json"
        try:
            return LangProfile(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise LanguageDataError(
                f"cannot read the {label!r} profile {path} ({error}); rebuild the profiles with "
                "`uv run --group profiles python ingest/profiles/build.py <training folder>`"
            ) from error

    @cache  # noqa: B019
    def factory(self, script: str):
        """A langdetect factory that knows every language of ``script``, in ``candidates`` order."""
        from langdetect.detector_factory import DetectorFactory

        labels = [language.label for language in self.candidates(script)]
        factory = DetectorFactory()
        for index, label in enumerate(labels):
            factory.add_profile(self.profile(label), index, len(labels))
        factory.set_seed(0)
        return factory

    @cache  # noqa: B019
    def log_probs(self, script: str) -> tuple[dict[str, int], np.ndarray]:
        """Smoothed log-probabilities of every n-gram of ``script``'s profiles: each n-gram's row
        number, and the rows (one column per candidate, in ``candidates`` order)."""
        import numpy as np

        probs = self.factory(script).word_lang_prob_map
        rows = {gram: number for number, gram in enumerate(probs)}
        table = np.log(np.array(list(probs.values()), dtype=np.float64) + SMOOTHING / BASE_FREQ)
        return rows, table.reshape(len(rows), len(self.candidates(script)))

    @cache  # noqa: B019
    def word_probs(self, script: str) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
        """Smoothed log-probabilities of the common words of ``script``'s languages, one per
        candidate, and those of a word a language's training text did not repeat."""
        path = self.directory / "words.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            counts = [data[language.label] for language in self.candidates(script)]
        except (OSError, ValueError, KeyError) as error:
            raise LanguageDataError(
                f"cannot read word counts {path} ({error}); rebuild them with "
                "`uv run --group profiles python ingest/profiles/build.py <training folder>`"
            ) from error
        denominators = [math.log(entry["total"] + WORD_SMOOTHING * VOCABULARY) for entry in counts]
        unseen = tuple(math.log(WORD_SMOOTHING) - denominator for denominator in denominators)
        return _WordRows([entry["words"] for entry in counts], denominators, unseen), unseen

    @cache  # noqa: B019
    def long_scores(self, script: str) -> dict[str, np.ndarray]:
        """Each word's ``_long_words`` row, filled as words are met."""
        return {}

    @cache  # noqa: B019
    def shared_alphabet(self, script: str) -> frozenset[str]:
        """The letters every candidate of ``script`` writes: a word of only these is foreign to none."""
        return frozenset.intersection(*(language.alphabet for language in self.candidates(script)))

    @cache  # noqa: B019
    def word_table(self, script: str) -> tuple[dict[str, int], np.ndarray]:
        """``word_probs`` as one array: each common word's row number and the rows (one column per
        candidate); the last row is that of a word no candidate's training text repeated."""
        import numpy as np

        common = self.word_probs(script)[0]
        numbers: dict[str, int] = {}
        cells: list[tuple[int, int, int]] = []
        for column, words in enumerate(common.counts):
            for word, count in words.items():
                cells.append((numbers.setdefault(word, len(numbers)), column, count))
        counts = np.zeros((len(numbers) + 1, len(common.counts)))
        if cells:
            found, columns, values = zip(*cells, strict=True)
            counts[list(found), list(columns)] = values
        return numbers, np.log(counts + WORD_SMOOTHING) - np.array(common.denominators)

    @cache  # noqa: B019
    def long_probs(self, script: str) -> tuple[dict[str, int], np.ndarray]:
        """Smoothed log-probabilities of the character 4- and 5-grams of ``script``'s languages:
        each n-gram's row number and the rows (one column per candidate); the last rows are those
        of an n-gram of each order that no candidate's training text repeated."""
        import numpy as np

        entries = []
        for language in self.candidates(script):
            path = self.directory / "long-ngrams" / f"{language.label}.json"
            try:
                entries.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as error:
                raise LanguageDataError(
                    f"cannot read the {language.label!r} long n-gram counts {path} ({error}); "
                    "rebuild them with "
                    "`uv run --group profiles python ingest/profiles/build.py <training folder>`"
                ) from error
        grams = sorted({gram for entry in entries for gram in entry["grams"]})
        rows = {gram: number for number, gram in enumerate(grams)}
        orders = np.array([LONG_ORDERS.index(len(gram)) for gram in grams] + list(range(len(LONG_ORDERS))))
        table = np.empty((len(orders), len(entries)), dtype=np.float64)
        for column, entry in enumerate(entries):
            denominators = np.log(np.array(entry["totals"]) + LONG_SMOOTHING * np.array(LONG_VOCABULARY))
            table[:, column] = math.log(LONG_SMOOTHING) - denominators[orders]
            seen = np.array([rows[gram] for gram in entry["grams"]], dtype=np.intp)
            counts = np.array(list(entry["grams"].values()), dtype=np.float64)
            table[seen, column] = np.log(counts + LONG_SMOOTHING) - denominators[orders[seen]]
        return rows, table

    @cache  # noqa: B019
    def lexicon(self, script: str) -> tuple[list[int], dict[str, int], np.ndarray] | None:
        """The wordfreq lexicon of ``script``'s close relatives (``[lexicon]`` in languages.toml),
        or None: the candidates' columns it speaks for, each word's row number and the rows of
        log-probabilities in nats (one column per language of the lexicon; the last row is that
        of a word none of the lists holds)."""
        import numpy as np

        if self.lexicon_settings.get("script") != script:
            return None
        path = self.directory / "lexicon.tsv"
        try:
            header, *lines = path.read_text(encoding="utf-8").splitlines()
            labels = header.split("\t")[1:]
            order = [language.label for language in self.candidates(script)]
            columns = [order.index(label) for label in labels]
            rows = [line.split("\t") for line in lines]
            numbers = {row[0]: number for number, row in enumerate(rows)}
            cells = [cell or "0" for row in rows for cell in row[1:]] + ["0"] * len(labels)
            values = np.fromiter(map(int, cells), dtype=np.float64).reshape(len(rows) + 1, len(labels)) / 10
            values[values == 0] = LEXICON_UNSEEN
        except (OSError, ValueError) as error:
            raise LanguageDataError(
                f"cannot read the word-frequency lexicon {path} ({error}); rebuild it with "
                "`uv run --group profiles python ingest/profiles/build.py <training folder>`"
            ) from error
        return columns, numbers, (values - 9.0) * math.log(10)

    @cache  # noqa: B019
    def word_scores(self, script: str, weights: tuple[float, ...]) -> dict[str, np.ndarray]:
        """Each word's score (see ``_score_words``) under ``weights``, filled as words are met."""
        return {}


@cache
def _knowledge() -> _Knowledge:
    return _Knowledge(PROFILES_DIR)


def preload() -> None:
    """Read every profile and table now rather than when the first text of each script needs it
    (about a second each: a benchmark would otherwise time the loading, not the detection)."""
    knowledge = _knowledge()
    for script in sorted({language.script for language in knowledge.languages}):
        knowledge.log_probs(script)
        knowledge.word_table(script)
        knowledge.long_probs(script)
        knowledge.lexicon(script)


class _Word(NamedTuple):
    text: str
    script: str
    starts_sentence: bool


def _words(text: str, knowledge: _Knowledge) -> list[_Word]:
    """The words of ``text``, each with the script most of its letters are in."""
    words: list[_Word] = []
    previous_end = 0
    scripts = knowledge.scripts
    for match in WORD.finditer(text):
        word = match.group()
        codes = word.translate(scripts)
        if codes.count(codes[0]) == len(codes):
            script = scripts.names[codes[0]]
        else:
            script = scripts.names[Counter(codes).most_common(1)[0][0]]
        starts = not words or (
            bool(SENTENCE_END.search(text, previous_end, match.start())) and not _abbreviation(words[-1].text)
        )
        words.append(_Word(word, script, starts))
        previous_end = match.end()
    return words


def _abbreviation(word: str) -> bool:
    """An initial or a title ("W.", "Dr.", "Gen."): the period after it ends no sentence."""
    return len(word) <= 3 and word[:1].isupper()


def _is_name(word: _Word) -> bool:
    return not word.starts_sentence and word.text[:1].isupper()


def _headline_case(words: list[_Word]) -> bool:
    """Whether ``words`` are a Title Case or UPPER CASE line: it starts with a capital, most of
    its words are cased words in the script of its first word, and at least ``TITLE_CASE`` of
    those inside its sentences are capitalised. Latin names in an Arabic or Cyrillic line (a photo
    credit "وێنە: AFP / Safin Hamed", "Фото: AFP / Safin Hamed") do not make it a headline: they
    stay names, which say no language."""
    first = words[0]
    cased = [w for w in words if w.script == first.script and w.text[:1].lower() != w.text[:1].upper()]
    inside = [word for word in cased if not word.starts_sentence]
    if not inside or not first.text[:1].isupper() or len(cased) * 2 <= len(words):
        return False
    return sum(word.text[:1].isupper() for word in inside) / len(inside) >= TITLE_CASE


def _source_words(words: list[_Word], names_speak: bool = False) -> tuple[list[str], list[str] | None]:
    """The words that speak for the language, lowercased, and a second reading when in doubt.

    With ``names_speak`` (a script whose languages transliterate names, ``[names]`` in
    languages.toml) every word is kept and there is no second reading: "Дональд Трамп" is Russian
    spelling, "Доналд Тръмп" Bulgarian.

    In sentence-case text a capitalised word inside a sentence is a name ("Livingston",
    "Бжезинский", "Serêkaniyê"), spelt the same way in all the languages that quote it, and in a
    short snippet it can outweigh every other word, so it is left out. When the text starts with a
    capital and at least ``TITLE_CASE`` of those words are capitalised (Title Case leaves short
    function words lowercase; German capitalises only nouns), it is a Title Case or UPPER CASE line,
    and every word is kept: dropping them would leave no evidence at all. A Title Case line may
    also be a run of names ("Le Dr Tony Moll"), so it comes with its sentence-case reading (names
    left out), which ``detect`` checks on lines of at most ``NAMES_LINE`` words, where names can
    outweigh everything else; in UPPER CASE nothing tells a name from a word.
    """
    if names_speak:
        return [lowercase(word.text) for word in words], None
    plain = [lowercase(word.text) for word in words if not _is_name(word)]
    if not _headline_case(words):
        return plain, None
    names = [word for word in words if _is_name(word)]
    every = [lowercase(word.text) for word in words]
    if sum(word.text.isupper() and len(word.text) > 1 for word in names) * 2 > len(names):
        return every, None
    return every, plain or None


FOREIGN_STEM = re.compile(r"[A-Za-z]{3,}")


def _name_endings(words: list[_Word], endings: tuple[str, ...]) -> list[str]:
    """The ``endings`` (longest first) written onto the plain Latin stems of the names that
    sentence-case text leaves out ("Trentonê" -> "ê", "Ferryyê" -> "yê"), lowercased."""
    if not endings or _headline_case(words):
        return []
    found = []
    for word in words:
        if _is_name(word):
            for ending in endings:
                if word.text.endswith(ending) and FOREIGN_STEM.fullmatch(word.text[: -len(ending)]):
                    found.append(lowercase(ending))
                    break
    return found


class _NGramChars(dict):
    """``str.translate`` table of langdetect's character normalisation, filled as characters are met.

    The profiles were counted by langdetect's ``NGram``, which folds some characters (Farsi yeh to
    Arabic yeh, Romanian comma-below letters); n-grams must be folded the same way to be found.
    """

    def __missing__(self, code: int) -> str:
        from langdetect.utils.ngram import NGram

        self[code] = NGram.normalize(chr(code))
        return self[code]


NGRAM_CHARS = _NGramChars()


def _word_ngrams(word: str) -> list[str]:
    """The character 1-3-grams langdetect counts for one word (``" ab"``, ``"abc"``, ``"c "``...)."""
    padded = f" {word.translate(NGRAM_CHARS)} "
    grams = list(padded[1:-1])
    grams += [padded[i : i + 2] for i in range(len(padded) - 1)]
    grams += [padded[i : i + 3] for i in range(len(padded) - 2)]
    return grams


def long_ngrams(word: str) -> list[str]:
    """The character 4- and 5-grams of one word with a space on either side (``" чит"``,
    ``"айте "``), its characters folded as langdetect folds them."""
    padded = f" {word.translate(NGRAM_CHARS)} "
    return [padded[i : i + n] for n in LONG_ORDERS for i in range(len(padded) - n + 1)]


def _sum_rows(table: np.ndarray, rows: list[list[int]]) -> np.ndarray:
    """The sum of ``table``'s rows listed for each word (zeros for a word with none), a row per word."""
    import numpy as np

    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    sums = np.zeros((len(rows), table.shape[1]))
    found = np.flatnonzero(lengths)
    if len(found):
        starts = (np.cumsum(lengths) - lengths)[found]
        sums[found] = np.add.reduceat(table[list(chain.from_iterable(rows))], starts, axis=0)
    return sums


def _score_words(words: list[str], script: str, knowledge: _Knowledge) -> np.ndarray:
    """Each of ``words``' score under each candidate of ``script`` (a row per word, a column per
    candidate in ``candidates`` order), in nats: the sum of

    - the log-probability of its character 1-3-grams under langdetect-format profiles (langdetect
      samples n-grams at random until one language passes 0.99999, so its probability is near 1
      even for a four-word snippet and says nothing about doubt; scoring every n-gram with the same
      profiles and smoothing is deterministic and gives a likelihood ratio that grows with the
      evidence);
    - ``WORD_WEIGHT`` times its probability among each candidate's common words (times the
      script's ``[words.weight]`` in languages.toml, where there is one);
    - less ``FOREIGN_WORD_COST`` for each candidate whose alphabet cannot spell it.

    All words are scored with one lookup per table, so a page of new words costs a few array
    operations, not a few per word.
    """
    import numpy as np

    numbers, table = knowledge.log_probs(script)
    scores = _sum_rows(
        table, [[numbers[gram] for gram in _word_ngrams(word) if gram in numbers] for word in words]
    )
    weight = WORD_WEIGHT * knowledge.word_factors.get(script, 1.0)
    if weight:
        numbers, table = knowledge.word_table(script)
        scores += weight * table[[numbers.get(word, len(numbers)) for word in words]]
    alphabets = [language.alphabet for language in knowledge.candidates(script)]
    shared = knowledge.shared_alphabet(script)
    for number, letters in enumerate(map(frozenset, words)):
        if not letters <= shared:
            foreign = np.array([not letters <= alphabet for alphabet in alphabets])
            scores[number] -= FOREIGN_WORD_COST * foreign
    return scores


def _long_words(words: list[str], script: str, knowledge: _Knowledge) -> np.ndarray:
    """Each of ``words``' log-probability of its character 4- and 5-grams (with the spaces around
    the word) under each candidate of ``script``: endings and stems seen whole, what tells close
    relatives apart in a short line."""
    numbers, table = knowledge.long_probs(script)
    unseen = len(numbers) - LONG_ORDERS[0]  # the rows after the last n-gram, one per order
    return _sum_rows(
        table, [[numbers.get(gram, unseen + len(gram)) for gram in long_ngrams(word)] for word in words]
    )


def _summed(words: list[str], cache: dict[str, np.ndarray], score) -> np.ndarray:
    """The sum over ``words`` of ``score``'s row for each, scoring only the words ``cache`` lacks."""
    import numpy as np

    missing = [word for word in dict.fromkeys(words) if word not in cache]
    if missing:
        if len(cache) + len(missing) > WORD_CACHE:
            cache.clear()
            missing = list(dict.fromkeys(words))
        cache.update(zip(missing, score(missing), strict=True))
    return np.sum([cache[word] for word in words], axis=0)


def _scores(words: list[str], script: str, knowledge: _Knowledge) -> dict[str, float]:
    """Each candidate's score for ``words``: the sum of the words' ``_score_words``, and, unless
    the best candidate already leads by ``LONG_NEEDED`` nats, ``LONG_WEIGHT`` times that of their
    ``_long_words`` (the 4- and 5-grams settle close calls; a sentence that 1-3-grams and common
    words already settle by a likelihood ratio of e^40 does not pay for them).

    Foreign words are counted rather than letters, so that "Erdoğan" in an English paragraph costs
    one word however many Turkish letters it has, while a Kazakh paragraph costs Russian a word for
    every Kazakh word in it: the cost grows with the evidence, as the n-gram likelihood does.
    """
    languages = knowledge.candidates(script)
    if not words:
        return dict.fromkeys((language.label for language in languages), 0.0)
    weights = (WORD_WEIGHT * knowledge.word_factors.get(script, 1.0), FOREIGN_WORD_COST)
    cache = knowledge.word_scores(script, weights)
    total = _summed(words, cache, lambda missing: _score_words(missing, script, knowledge))
    if LONG_WEIGHT and len(languages) > 1:
        best, second = sorted(total)[-2:][::-1]
        if best - second < LONG_NEEDED:
            longer = _summed(
                words, knowledge.long_scores(script), lambda missing: _long_words(missing, script, knowledge)
            )
            total = total + LONG_WEIGHT * longer
    lexicon = knowledge.lexicon(script) if LEXICON_WEIGHT else None
    if lexicon is not None:
        total = _among_relatives(total, words, lexicon)
    return {language.label: float(value) for language, value in zip(languages, total, strict=True)}


def _among_relatives(total: np.ndarray, words: list[str], lexicon) -> np.ndarray:
    """``total`` with the likelihood of the lexicon's languages shared out again among them by
    ``LEXICON_WEIGHT`` times the words' log-probabilities in the lexicon; their summed likelihood,
    and so every other candidate's standing against them, stays as it was."""
    import numpy as np

    columns, numbers, table = lexicon
    unseen = len(numbers)
    evidence = table[[numbers.get(word, unseen) for word in words]].sum(axis=0)
    group = total[columns]
    mass = np.logaddexp.reduce(group)
    moved = group + LEXICON_WEIGHT * evidence
    total = total.copy()
    total[columns] = moved - np.logaddexp.reduce(moved) + mass
    return total


def _share(scores: dict[str, float], lang: str) -> float:
    """``lang``'s share of the likelihood over all candidates."""
    return 1.0 / sum(math.exp(score - scores[lang]) for score in scores.values())


def _decide(scores: dict[str, float], share: float, knowledge: _Knowledge) -> LanguageGuess:
    """The best candidate, withholding doubtful routes to a model.

    A target wins only when it is ``TARGET_MARGIN`` nats (a likelihood ratio of about 400) likelier
    than the best language werger does not translate, and when the dominant script holds at least
    ``MIXED_SCRIPT`` of the words (otherwise the dominant part may be a quoted name). Sending a
    doubtful text to ``und`` costs a translation; sending a confuser to a target model costs a
    wrong one.
    """
    lang = max(scores, key=scores.__getitem__)
    confidence = round(_share(scores, lang), 4)
    if lang in knowledge.targets:
        if share < MIXED_SCRIPT:
            return LanguageGuess(UNDETERMINED, 0.0, "mixed-script")
        others = [score for label, score in scores.items() if label not in knowledge.targets]
        if others and scores[lang] - max(others) < TARGET_MARGIN:
            return LanguageGuess(UNDETERMINED, 0.0, "low-margin")
    if confidence < THRESHOLD:
        return LanguageGuess(UNDETERMINED, 0.0, "low-confidence")
    return LanguageGuess(lang, confidence, "ngrams")


def hint_labels(declared: Iterable[str | None]) -> frozenset[str]:
    """werger labels for what a page or site declares about its language.

    ``declared`` holds BCP 47 tags or lists of them as pages write them (``<html lang="ru-RU">``,
    ``Content-Language: ru, en``) and sites.toml ``languages`` codes; ``None`` and unknown codes
    are skipped. A tag is looked up as primary-script (``ku-Arab``), then as its primary subtag
    (``ru``), in ``[hints.codes]`` of languages.toml; werger's own labels are accepted as they are.
    """
    knowledge = _knowledge()
    labels = {language.label for language in knowledge.languages}
    found: set[str] = set()
    for value in declared:
        for tag in re.split(r"[,\s]+", value or ""):
            parts = tag.strip().replace("_", "-").split("-")
            primary = parts[0].lower()
            script = next((part.lower() for part in parts[1:] if len(part) == 4), None)
            for code in (f"{primary}-{script}" if script else None, primary):
                label = knowledge.hint_codes.get(code) if code else None
                if label is None and code and code in {label.lower() for label in labels}:
                    label = next(known for known in labels if known.lower() == code)
                if label is not None:
                    found.add(label)
                    break
    return frozenset(found)


def _with_hints(scores: dict[str, float], hints: Collection[str], knowledge: _Knowledge) -> dict[str, float]:
    """``scores`` with the close relatives of each hinted language (and not hinted themselves)
    ``HINT_PRIOR`` nats less likely; languages outside a hinted language's group are unchanged."""
    weaker: set[str] = set()
    for hint in hints:
        if hint in scores:
            weaker |= knowledge.relatives.get(hint, frozenset())
    weaker -= set(hints)
    return {label: score - HINT_PRIOR if label in weaker else score for label, score in scores.items()}


def detect(text: str, hints: Collection[str] = ()) -> LanguageGuess:
    """Language of one paragraph (any length; a page's paragraphs are detected one by one).

    ``hints`` are labels the page or site declares (``hint_labels``): a prior that decides between
    close relatives (Russian and Bulgarian, Arabic and Persian, Sorani and Badini) when the text
    itself is nearly balanced, and never outweighs ``HINT_PRIOR`` nats of evidence. Raises
    ``LanguageInputError`` when ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise LanguageInputError(f"language detection needs text, not {type(text).__name__}")
    knowledge = _knowledge()
    composed = unicodedata.normalize("NFKC", text)
    words = _words(strip_non_language(normalize(composed, knowledge.folding)), knowledge)
    if sum(len(word.text) for word in words) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0, "too-short")
    weights, counts = _script_weights(words)
    script = max(weights, key=weights.__getitem__)
    if not knowledge.candidates(script):
        return LanguageGuess(UNDETERMINED, 0.0, "unsupported-script")
    source, sentence_case = _source_words(
        [word for word in words if word.script == script], script in knowledge.names_speak
    )
    scores = _scores(source, script, knowledge)
    leader = max(scores, key=scores.__getitem__)
    if leader in knowledge.name_endings and script not in knowledge.names_speak:
        in_script = [word for word in words if word.script == script]
        endings = _name_endings(in_script, knowledge.name_endings[leader])
        if endings:
            scores = _scores(source + endings, script, knowledge)
    if "\u0647\u200c" in composed and knowledge.heh_for_ae.intersection(scores):
        scores = _with_ae_restored(composed, script, scores, knowledge)
    if hints:
        scores = _with_hints(scores, hints, knowledge)
    share = weights[script] / sum(weights.values())
    if share >= MIXED_SCRIPT and counts[script] * 2 < sum(counts.values()):
        share = 0.0
    guess = _decide(scores, share, knowledge)
    if guess.lang in knowledge.targets and sentence_case is not None and len(source) <= NAMES_LINE:
        guess = _names_check(guess, _scores(sentence_case, script, knowledge))
    return guess


def _names_check(guess: LanguageGuess, scores: dict[str, float]) -> LanguageGuess:
    """``guess`` unless the Title Case line, read with its capitalised words as names, clearly
    says another language: then the capitalised words were names and the line is ``und``."""
    best = max(scores, key=scores.__getitem__)
    if best != guess.lang and _share(scores, best) >= THRESHOLD:
        return LanguageGuess(UNDETERMINED, 0.0, "names-only")
    return guess


def _with_ae_restored(
    composed: str, script: str, scores: dict[str, float], knowledge: _Knowledge
) -> dict[str, float]:
    """``scores`` where each language that writes ae (U+06D5) keeps the better of the text as typed
    and the text with ae restored: Kurdish typed on Arabic keyboards, as older and many current
    Kurdish sites still write it, has heh + zero-width non-joiner for ae, or a plain heh at the end
    of a word."""
    restored = normalize(LEGACY_AE.sub("\u06d5", composed), knowledge.folding)
    words = [word for word in _words(strip_non_language(restored), knowledge) if word.script == script]
    other = _scores(_source_words(words)[0], script, knowledge)
    return {
        label: max(score, other[label]) if label in knowledge.heh_for_ae else score
        for label, score in scores.items()
    }


def _script_weights(words: list[_Word]) -> tuple[Counter[str], Counter[str]]:
    """Letters and words per script in the words that carry language.

    A capitalised word inside a sentence or an acronym ("Human Rights Watch", "UNICEF" in an
    Arabic sentence) is a name, not a sign of what language the text is in; it counts only when
    the text has nothing else (a Title Case or UPPER CASE line). Letters decide which script
    dominates, so that a text written without spaces still weighs what it holds; words tell
    whether the dominant script is one long word among others ("staycation" in an Urdu line).
    """
    carrying = words if _headline_case(words) else [word for word in words if not _is_name(word)] or words
    weights: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for word in carrying:
        weights[word.script] += len(word.text)
        counts[word.script] += 1
    return weights, counts


def document_language(guesses: list[tuple[LanguageGuess, int]]) -> LanguageGuess:
    """The language holding most characters of the document's determined paragraphs.

    ``guesses`` pairs each paragraph's guess with its length in characters. ``und`` paragraphs
    (numbers, names, another script) say nothing about the page's language, so they are not a
    candidate: a page with one clear English paragraph among undetermined ones is English. The
    confidence is the winner's share of the determined characters; a page with no determined
    paragraph is ``und`` with confidence 0.0.
    """
    weights: Counter[str] = Counter()
    for guess, length in guesses:
        if guess.lang != UNDETERMINED:
            weights[guess.lang] += length
    if not weights:
        method = "empty" if not guesses else "no-determined-paragraph"
        return LanguageGuess(UNDETERMINED, 0.0, method)
    lang, weight = weights.most_common(1)[0]
    return LanguageGuess(lang, round(weight / sum(weights.values()), 4), "majority-by-characters")
