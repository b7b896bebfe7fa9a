"""Build werger's language-identification data from FLORES-200 training sentences.

langdetect's stock profiles know neither Sorani nor Kurmanji and were trained on a different kind
of text than the languages they are compared with, so werger trains all of its own, the same way
langdetect trains its stock ones (``LangProfile.update`` + ``omit_less_freq``), and records each
language's alphabet for the letter rules. Run it again whenever ``languages.toml`` or the training
text changes:

    uv run --group profiles python ingest/profiles/build.py ../shared/data/lid/train

Input: one ``<flores_code>.txt`` per language, one sentence a line. Output, next to this file:
``alphabets.json``, ``ngrams/<label>.json`` (langdetect's profile format), ``words.json`` (common
words), ``long-ngrams/<label>.json`` (character 4- and 5-grams) and, from the ``wordfreq`` package
(a build-time dependency only: ``uv run --group profiles ...``), ``lexicon.tsv`` (word frequencies
of the close relatives named in ``[lexicon]`` of ``languages.toml``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from langdetect.utils.lang_profile import LangProfile

from ingest.langid import (
    LONG_ORDERS,
    WORD,
    letter_folding,
    long_ngrams,
    lowercase,
    normalize,
    strip_non_language,
)

HERE = Path(__file__).resolve().parent


def script_table(scripts: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """The ``[scripts]`` table as (first, last, script) code-point ranges."""
    table = []
    for script, ranges in scripts.items():
        for span in ranges:
            first, last = span.split("-")
            table.append((int(first, 16), int(last, 16), script))
    return table


def letter_counts(
    lines: list[str], script: str, table: list[tuple[int, int, str]], settings: dict
) -> Counter[str]:
    """How often each lowercase letter of ``script`` occurs in ``lines``."""
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(line.lower())
    ranges = [(first, last) for first, last, name in table if name == script]
    kept = {
        char: n
        for char, n in counts.items()
        if char.isalpha()
        and char not in settings["ignored"]
        and any(first <= ord(char) <= last for first, last in ranges)
    }
    return Counter(kept)


def letter_model(counts: Counter[str], settings: dict) -> dict:
    """The alphabet (letters of at least ``min_share``) and smoothed log frequencies of every letter."""
    total = sum(counts.values())
    denominator = total + 0.5 * (len(counts) + 1)
    return {
        "letters": "".join(sorted(char for char, n in counts.items() if n >= settings["min_share"] * total)),
        "log_freq": {char: round(math.log((n + 0.5) / denominator), 3) for char, n in sorted(counts.items())},
        "log_unseen": round(math.log(0.5 / denominator), 3),
    }


def transliterate(line: str, rule: dict) -> str:
    """A Latin-script line in another script by letter correspondence (``[derived.*]`` tables)."""

    def word(match: re.Match[str]) -> str:
        text = match.group(0).lower()
        prefix = rule["word_initial"] if text[0] in rule["vowels"] else ""
        return prefix + "".join(rule["letters"].get(char, char) for char in text)

    line = unicodedata.normalize("NFC", line)
    line = re.sub(r"[^\W\d_]+", word, line)
    return "".join(rule["letters"].get(char, char) if not char.isalpha() else char for char in line)


def profile(label: str, lines: list[str]) -> dict:
    """A langdetect profile of ``lines``, in the JSON form ``LangProfile(**data)`` reads."""
    built = LangProfile(name=label)
    for line in lines:
        built.update(line)
    built.omit_less_freq()
    return {"name": label, "freq": dict(sorted(built.freq.items())), "n_words": built.n_words}


def clean(line: str, folding: dict[int, str]) -> str:
    """A training line in the form the detector scores: normalised, without URLs and numbers,
    lowercased (so that Title Case and UPPER CASE text meet the n-grams they are made of)."""
    return lowercase(strip_non_language(normalize(line.strip(), folding)))


def word_counts(lines: list[str], min_count: int = 2) -> dict:
    """How often each word occurs in ``lines`` (words met at least ``min_count`` times) and the
    number of words in all: short texts are told apart by their common words."""
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(WORD.findall(line))
    kept = {word: n for word, n in sorted(counts.items()) if n >= min_count}
    return {"total": sum(counts.values()), "words": kept}


def long_counts(lines: list[str], min_count: int = 2) -> dict:
    """How often each character 4- and 5-gram of the words of ``lines`` occurs (n-grams met at
    least ``min_count`` times) and how many of each order there are in all.

    langdetect's 1-3-grams cannot tell close relatives apart in a short line: Russian and
    Bulgarian share nearly all of them. Longer n-grams see endings and stems whole ("йте ", " чит",
    "ият "), as CLD2's quadgrams and fastText's 5-grams do.
    """
    counts: Counter[str] = Counter()
    totals = [0] * len(LONG_ORDERS)
    for line in lines:
        for word in WORD.findall(line):
            for gram in long_ngrams(word):
                counts[gram] += 1
                totals[LONG_ORDERS.index(len(gram))] += 1
    kept = {gram: n for gram, n in sorted(counts.items()) if n >= min_count}
    return {"totals": totals, "grams": kept}


def lexicon_rows(settings: dict, folding: dict[int, str], table: list[tuple[int, int, str]]) -> list[str]:
    """``lexicon.tsv``'s lines: a header of labels, then each word with its Zipf frequency (log10
    of occurrences per billion words) in tenths under each label, empty where the word is rarer
    than ``min_zipf`` there.

    701 FLORES sentences a language cannot tell Russian from Bulgarian or Ukrainian word forms
    (Китая, примет, сайте, США against САЩ); wordfreq's lists, counted in Wikipedia, subtitles,
    news and web text, can. Every list is cut at the same ``min_zipf`` (that of the shortest one,
    Bulgarian), so that a word missing from one language's list means the same thing in each.
    Only words written wholly in ``settings["script"]`` are kept.
    """
    import wordfreq  # build-time only: the `profiles` dependency group

    labels = list(settings["languages"])
    ranges = [(first, last) for first, last, name in table if name == settings["script"]]
    zipf: dict[str, dict[str, int]] = defaultdict(dict)
    for label, code in settings["languages"].items():
        for word, frequency in wordfreq.get_frequency_dict(code, wordlist="best").items():
            value = round(10 * (math.log10(frequency) + 9))
            if value < round(10 * settings["min_zipf"]):
                continue
            for form in WORD.findall(clean(word, folding)):
                if form == clean(word, folding) and all(
                    any(first <= ord(char) <= last for first, last in ranges) for char in form
                ):
                    zipf[form][label] = max(zipf[form].get(label, 0), value)
    lines = ["\t".join(["word", *labels])]
    for word in sorted(zipf):
        lines.append("\t".join([word, *(str(zipf[word].get(label, "")) for label in labels)]))
    return lines


def build(train_dir: Path, out_dir: Path) -> list[str]:
    """Write alphabets and profiles for every language ``languages.toml`` labels; return the labels."""
    config = tomllib.loads((HERE / "languages.toml").read_text(encoding="utf-8"))
    table = script_table(config["scripts"])
    folding = letter_folding(config)
    texts: dict[str, list[str]] = defaultdict(list)
    scripts: dict[str, str] = {}
    for code, label in config["labels"].items():
        path = train_dir / f"{code}.txt"
        if not path.is_file():
            raise SystemExit(f"missing training text {path}: every code in languages.toml needs one")
        lines = path.read_text(encoding="utf-8").splitlines()
        texts[label].extend(clean(line, folding) for line in lines)
        scripts[label] = code.rsplit("_", 1)[1]
    for label, rule in config.get("derived", {}).items():
        source = (train_dir / f"{rule['source']}.txt").read_text(encoding="utf-8").splitlines()
        texts[label] = [clean(transliterate(line.strip(), rule), folding) for line in source]
        scripts[label] = rule["script"]
    (out_dir / "ngrams").mkdir(parents=True, exist_ok=True)
    alphabets = {}
    for label, lines in sorted(texts.items()):
        counts = letter_counts(lines, scripts[label], table, config["letters"])
        alphabets[label] = {"script": scripts[label], **letter_model(counts, config["letters"])}
        extra = config.get("derived", {}).get(label, {}).get("extra_letters", "")
        alphabets[label]["letters"] = "".join(sorted(set(alphabets[label]["letters"]) | set(extra)))
        data = profile(label, lines)
        (out_dir / "ngrams" / f"{label}.json").write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
    (out_dir / "words.json").write_text(
        json.dumps(
            {label: word_counts(lines) for label, lines in sorted(texts.items())},
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    (out_dir / "long-ngrams").mkdir(parents=True, exist_ok=True)
    for label, lines in sorted(texts.items()):
        (out_dir / "long-ngrams" / f"{label}.json").write_text(
            json.dumps(long_counts(lines), ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
    if "lexicon" in config:
        rows = lexicon_rows(config["lexicon"], folding, table)
        (out_dir / "lexicon.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out_dir / "alphabets.json").write_text(
        json.dumps(alphabets, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return sorted(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train_dir", type=Path, help="folder of <flores_code>.txt training files")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: next to this file)")
    args = parser.parse_args(argv)
    labels = build(args.train_dir, args.out)
    print(f"wrote {len(labels)} profiles to {args.out}: {' '.join(labels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
