"""Sentence splitting, because translation models are trained on sentences, not paragraphs."""

from __future__ import annotations


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one paragraph, stripped, none empty; a paragraph without a boundary stays whole."""
    from sentencex import segment

    sentences = [s.strip() for s in segment(lang, text)]
    return [s for s in sentences if s]
