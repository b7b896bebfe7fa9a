"""Flags on machine output that a person should look at before anyone relies on it.

Random-looking output from a broken or wrong model has recognisable shapes: the decoder loops,
the length is far from the source's, the text is in the wrong script, the input comes back
unchanged, or nothing comes back. Thresholds live in ``quality.toml``.

Every check runs on the whole paragraph and on each sentence the engine was given
(``segment_flags``): one copied or untranslated sentence in a long paragraph changes the
paragraph's length and script too little to show, but is as wrong as a copied paragraph.

URLs, e-mail addresses and ``@handles`` are not words of the source language: a correct
translation keeps them as they are (``translate.glossary`` protects URLs and addresses), so the
copy, kept-words and script checks and the letter count of a sentence leave them out.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

from translate.glossary import without_literals
from translate.languages import language

QUALITY_PATH = Path(__file__).with_name("quality.toml")

EMPTY = "empty"
REPETITION = "repetition"
LENGTH_RATIO = "length_ratio"
WRONG_SCRIPT = "wrong_script"
COPIED_INPUT = "copied_input"
UNTRANSLATED_WORDS = "untranslated_words"
# a word as the kept-words check counts it: letters (and the marks and digits inside a word)
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
# a social-media handle ("@ExampleAgencyNews", "@example_news"), not after a letter (an address)
_HANDLE = re.compile(r"(?<![\w.])@\w+")


@cache
def thresholds() -> dict:
    return tomllib.loads(QUALITY_PATH.read_text(encoding="utf-8"))


def quality_flags(source: str, output: str, target_lang: str) -> list[str]:
    """Flags for one translated paragraph; an empty list means nothing looked wrong."""
    if not output.strip():
        return [EMPTY]
    flags = []
    if has_repetition_loop(output):
        flags.append(REPETITION)
    if length_ratio_out_of_range(source, output):
        flags.append(LENGTH_RATIO)
    words_in, words_out = language_text(source), language_text(output)
    if in_wrong_script(words_out, target_lang):
        flags.append(WRONG_SCRIPT)
    if _is_copied(source, output, words_in, words_out):
        flags.append(COPIED_INPUT)
    elif kept_source_words(words_in, words_out):
        flags.append(UNTRANSLATED_WORDS)
    return flags


def language_text(text: str) -> str:
    """``text`` without its URLs, e-mail addresses and ``@handles`` (see the module docstring)."""
    text = without_literals(text)
    return _HANDLE.sub(" ", text) if "@" in text else text


def _is_copied(source: str, output: str, words_in: str, words_out: str) -> bool:
    """``is_copy`` of the language text; a text of URLs and handles alone that comes back as it
    was is not a copy (there was nothing to translate), one without any is judged as it is."""
    if words_in == source:
        return is_copy(source, output)
    return any(c.isalpha() for c in words_in) and is_copy(words_in, words_out)


def kept_source_words(source: str, output: str) -> bool:
    """True when much of ``source``'s own vocabulary comes back verbatim in ``output``.

    The engine translated the start of a sentence and copied the rest ("In all the streets of the
    city bi hezaran mirov ... dinêrin"): in the same script as the target (Kurmanji, English)
    neither the copy nor the script check sees it. Counted are the source's lower-case words of
    two or more letters (a capitalised word may be a name, which rightly stays); from
    ``[untranslated] min_words`` of them, a share of ``max_kept_share`` or more found among the
    output's words flags the output. On the 6,370 FLORES-200 reference pairs (SIB-200 train and
    dev, kmr/ckb/ar/ru to and from English) the largest share is 0.40: none is flagged.
    """
    settings = thresholds()["untranslated"]
    words = [w for w in _WORD.findall(source) if len(w) > 1 and not w[0].isupper()]
    if len(words) < settings["min_words"]:
        return False
    found = {w.casefold() for w in _WORD.findall(output)}
    kept = sum(w.casefold() in found for w in words)
    return kept / len(words) >= settings["max_kept_share"]


def is_copy(source: str, output: str) -> bool:
    """True when ``output`` is ``source`` again, up to case, spacing and a few changed characters.

    An engine that gives up often returns its input with a word or a mark changed; similarity
    (rapidfuzz's normalised Indel ratio) of at least ``[copied] min_similarity`` counts as a copy.
    """
    from rapidfuzz.fuzz import ratio

    a, b = _normalise(source), _normalise(output)
    return a == b or ratio(a, b) / 100 >= thresholds()["copied"]["min_similarity"]


def sentence_flags(source: str, output: str, target_lang: str) -> list[str]:
    """Flags for one sentence as the engine received and returned it.

    The same checks as a paragraph's; a copied or wrong-script sentence counts only from
    ``[sentence] min_letters`` letters, since a name or a number ("BBC.", "2024.") is rightly
    left as it is.
    """
    flags = quality_flags(source, output, target_lang)
    if sum(c.isalpha() for c in language_text(source)) < thresholds()["sentence"]["min_letters"]:
        flags = [f for f in flags if f not in (COPIED_INPUT, WRONG_SCRIPT, UNTRANSLATED_WORDS)]
    return flags


def segment_flags(
    source: str, target: str, target_lang: str, sentences: list[tuple[str, str]] | None = None
) -> list[str]:
    """Flags of a paragraph's stored ``target``, plus those of its (input, output) ``sentences``.

    Each flag appears once, paragraph flags first; an empty list means nothing looked wrong.
    """
    flags = quality_flags(source, target, target_lang)
    for sentence, output in sentences or []:
        flags += sentence_flags(sentence, output, target_lang)
    return list(dict.fromkeys(flags))


def has_repetition_loop(text: str) -> bool:
    """True when some run of 1..max_ngram words repeats back to back ``repeats`` times."""
    settings = thresholds()["repetition"]
    words = text.lower().split()
    repeats = settings["repeats"]
    for n in range(1, settings["max_ngram"] + 1):
        for start in range(len(words) - n * repeats + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, repeats)):
                return True
    return False


def length_ratio_out_of_range(source: str, output: str) -> bool:
    settings = thresholds()["length_ratio"]
    if len(source) < settings["min_source_chars"]:
        return False
    ratio = len(output) / len(source)
    return not settings["min"] <= ratio <= settings["max"]


def in_wrong_script(text: str, target_lang: str) -> bool:
    """True when too few letters are in the target language's script (unknown targets pass)."""
    target = language(target_lang)
    letters = [c for c in text if c.isalpha()]
    if target is None or not letters:
        return False
    in_script = sum(1 for c in letters if unicodedata.name(c, "").startswith(target.script))
    return in_script / len(letters) < thresholds()["script"]["min_share"]


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())
