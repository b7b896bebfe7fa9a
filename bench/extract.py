"""Extraction quality and speed on ``fixtures/extraction/``: trafilatura alone versus werger.

Prints token-level precision, recall and F1 per language for trafilatura's four setting choices
(default, favor_precision, favor_recall, include_comments) and for werger (its settings plus the
boilerplate pass), then pages per second for trafilatura default and werger, timed in alternating
rounds in this one run so a shared CPU slows both alike.

    uv run python bench/extract.py [--rounds 5]

"trafilatura as returned" is trafilatura's text as it comes; every other variant drops the
headline line (werger stores it as the record's title), so those compare boilerplate alone.
Tokens are lower-cased ``\\w+`` runs, counted as a multiset against each page's expected text.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from ingest.boilerplate import Cleaner
from ingest.extract import SETTINGS, extract, without_title

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "extraction"
TOKEN = re.compile(r"\w+")
BASE = {"include_tables": True, "deduplicate": False}
MODES: dict[str, dict[str, Any]] = {
    "trafilatura default": {},
    "trafilatura favor_precision": {"favor_precision": True},
    "trafilatura favor_recall": {"favor_recall": True},
    "trafilatura include_comments": {"include_comments": True},
}
LANGS = ["en", "ru", "ar", "ckb", "kmr"]

Page = dict[str, str]
Runner = Callable[[list[Page]], list[list[str]]]


def load_pages() -> list[Page]:
    pages = []
    for entry in json.loads((ROOT / "index.json").read_text(encoding="utf-8")):
        base = ROOT / "pages" / entry["page"]
        entry["html"] = base.with_suffix(".html").read_text(encoding="utf-8")
        entry["expected"] = base.with_suffix(".txt").read_text(encoding="utf-8")
        pages.append(entry)
    return pages


def trafilatura_runner(options: dict[str, Any], strip_title: bool = True) -> Runner:
    def run(pages: list[Page]) -> list[list[str]]:
        out = []
        for page in pages:
            doc = trafilatura.bare_extraction(
                page["html"], url=page["page"], with_metadata=True, **BASE, **options
            )
            lines = [line.strip() for line in (doc.text or "").split("\n") if line.strip()] if doc else []
            out.append(without_title(lines, doc.title if doc and strip_title else None))
        return out

    return run


def werger(pages: list[Page]) -> list[list[str]]:
    cleaners: dict[str, Cleaner] = {}
    out = []
    for page in pages:
        extracted = extract(page["html"], page["page"], SETTINGS)
        cleaner = cleaners.setdefault(page["site"], Cleaner())
        out.append(cleaner.clean(extracted.paragraphs, extracted.link_texts) if extracted else [])
    return out


def scores(pages: list[Page], outputs: list[list[str]]) -> dict[str, tuple[float, float, float]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for page, paragraphs in zip(pages, outputs, strict=True):
        gold = Counter(TOKEN.findall(page["expected"].lower()))
        got = Counter(TOKEN.findall("\n".join(paragraphs).lower()))
        for key in (page["lang"], "all"):
            counts[key][0] += sum((gold & got).values())
            counts[key][1] += sum(got.values())
            counts[key][2] += sum(gold.values())
    result = {}
    for key, (hit, produced, wanted) in counts.items():
        p = hit / produced if produced else 0.0
        r = hit / wanted if wanted else 0.0
        result[key] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return result


def print_quality(pages: list[Page], runners: dict[str, Runner]) -> dict[str, dict[str, tuple]]:
    table = {name: scores(pages, run(pages)) for name, run in runners.items()}
    print(f"{len(pages)} pages; token precision / recall / F1")
    print(f"{'':30}" + "".join(f"{lang:>21}" for lang in [*LANGS, "all"]))
    for name, by_lang in table.items():
        cells = "".join("{:>7.3f}{:>7.3f}{:>7.3f}".format(*by_lang[lang]) for lang in [*LANGS, "all"])
        print(f"{name:30}{cells}")
    return table


def print_speed(pages: list[Page], rounds: int) -> float:
    runners = {"trafilatura default": trafilatura_runner({}), "werger": werger}
    best = dict.fromkeys(runners, float("inf"))
    for i in range(rounds):
        order = list(runners) if i % 2 == 0 else list(reversed(runners))
        for name in order:
            start = time.perf_counter()
            runners[name](pages)
            best[name] = min(best[name], time.perf_counter() - start)
    rates = {name: len(pages) / seconds for name, seconds in best.items()}
    ratio = rates["werger"] / rates["trafilatura default"]
    print(f"\nspeed (best of {rounds} alternating rounds, metadata extraction included in both):")
    for name, rate in rates.items():
        print(f"  {name:22} {rate:7.1f} pages/s")
    print(f"  werger / trafilatura  {ratio:7.2f}x  (target >= 0.80x)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds per extractor")
    args = parser.parse_args()
    pages = load_pages()
    runners: dict[str, Runner] = {"trafilatura as returned": trafilatura_runner({}, strip_title=False)}
    runners.update({name: trafilatura_runner(opts) for name, opts in MODES.items()})
    runners["werger"] = werger
    table = print_quality(pages, runners)
    ours = table["werger"]["all"]
    for name in ("trafilatura as returned", "trafilatura default"):
        base = table[name]["all"]
        print(
            f"\nwerger vs {name}: F1 {ours[2] - base[2]:+.3f} (target >= +0.050), "
            f"recall {ours[1] - base[1]:+.3f} (target >= -0.010)"
        )
    print_speed(pages, args.rounds)


if __name__ == "__main__":
    main()
