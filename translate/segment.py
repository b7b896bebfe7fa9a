"""Sentence splitting, because translation models are trained on sentences, not paragraphs.

sentencex does the splitting. It reads any single letter before a full stop as an initial, which
is wrong for languages where a one-letter word ends sentences (the Kurmanji copula "e"); those
words come from ``languages.toml`` and split again where such a word and a full stop are followed
by a capital letter.
"""

from __future__ import annotations

import re
from functools import cache

from translate.languages import language


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one paragraph, stripped, none empty; a paragraph without a boundary stays whole."""
    from sentencex import segment

    final_word = _final_word_boundary(lang)
    sentences = []
    for sentence in segment(lang, text):
        parts = final_word.split(sentence) if final_word else [sentence]
        sentences.extend(part.strip() for part in parts)
    return [s for s in sentences if s]


@cache
def _final_word_boundary(lang: str) -> re.Pattern[str] | None:
    known = language(lang)
    words = known.sentence_final_words if known else ()
    if not words:
        return None
    after_word = "|".join(rf"(?<=(?<!\w){re.escape(w)}\.)" for w in words)
    return re.compile(rf"(?:{after_word})\s+(?=[A-ZÇŞÊÎÛ])")
