"""Extraction quality and speed on real pages: trafilatura alone versus werger, in one run.

Two page sets, each its own table:

- ``extract-dev``: real English and Russian news pages with human-marked main text (the DAniEL
  corpus, Lejeune & Zhu 2018, v2.1 from the rundimeco/waddle repository), read from
  ``../shared/data/extract-dev/`` (or ``--dev DIR``) and never copied into the project;
- ``fixtures/extraction/``: the project's own pages, the only ones in Arabic, Sorani and Kurmanji.

Three extractors, each over every page of a set:

- ``trafilatura default``: ``bare_extraction`` with its default settings;
- ``trafilatura werger settings``: the same call with :data:`ingest.extract.SETTINGS`;
- ``werger``: :func:`ingest.extract.extract` then the boilerplate pass, one cleaner per site with
  pages in set order (template lines learned as a crawl would learn them).

All three decode the page bytes the same way (:func:`ingest.charset.decode_body`), run with
metadata extraction on (werger needs the title and date), and are scored on title + body: the
references contain the headline and werger stores it as the title, so every output is the title
followed by the body paragraphs minus a repeated headline.

Scoring (the set's README): tokens are Unicode ``\\w+`` runs; per page P = overlap / output
tokens, R = overlap / reference tokens (multiset overlap), F1 their harmonic mean, an empty output
scores 0; the table shows the mean over pages per language and overall.

Speed: pages per CPU-second of each extractor over the dev set (this process's CPU time, so
other work on a shared machine does not count; the extractors are single-threaded), best of
``--rounds`` rounds in alternating order. The ratio printed is werger against trafilatura
default *with metadata extraction* (the same work on both sides), and against trafilatura with
werger's settings (the cost of werger's own passes).

    uv run python bench/extract.py [--rounds 2] [--dev DIR] [--split]

``--split`` also scores the dev set's two site halves (hosts divided by a hash) separately, to
see whether a change helps on sites it was not looked at on.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
from shared_data import shared_path

from ingest.boilerplate import Cleaner
from ingest.charset import decode_body
from ingest.extract import SETTINGS, extract, without_title

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "extraction"
DEV = shared_path("data", "extract-dev")
TOKEN = re.compile(r"\w+")
FIXTURE_LANGS = ["en", "ru", "ar", "ckb", "kmr"]


@dataclass
class Page:
    id: str
    lang: str
    site: str
    url: str
    html: str
    expected: str
    title_in_reference: bool = True


Runner = Callable[[list[Page]], list[str]]


def load_dev(root: Path) -> list[Page]:
    """The dev set's pages, decoded as werger decodes a fetched body (no header charset known)."""
    pages = []
    for line in (root / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        html = decode_body(gzip.decompress((root / entry["html"]).read_bytes()), None)
        expected = gzip.decompress((root / entry["expected"]).read_bytes()).decode("utf-8")
        url = f"https://{entry['host']}/{entry['id']}"
        pages.append(Page(entry["id"], entry["lang"], entry["host"], url, html, expected))
    return pages


def load_fixtures(root: Path = FIXTURES) -> list[Page]:
    pages = []
    for entry in json.loads((root / "index.json").read_text(encoding="utf-8")):
        base = root / "pages" / entry["page"]
        pages.append(
            Page(
                entry["page"],
                entry["lang"],
                entry["site"],
                f"https://{entry['site']}.example/{entry['page']}",
                base.with_suffix(".html").read_text(encoding="utf-8"),
                base.with_suffix(".txt").read_text(encoding="utf-8"),
                title_in_reference=False,
            )
        )
    return pages


def as_text(page: Page, title: str | None, paragraphs: list[str]) -> str:
    """The output scored: title + body where the page's reference has the headline, else body."""
    return "\n".join([title or "", *paragraphs] if page.title_in_reference else paragraphs).strip()


def trafilatura_runner(options: dict[str, Any]) -> Runner:
    def run(pages: list[Page]) -> list[str]:
        out = []
        for page in pages:
            doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True, **options)
            if doc is None or not doc.text:
                out.append("")
                continue
            lines = [line.strip() for line in doc.text.split("\n") if line.strip()]
            out.append(as_text(page, doc.title, without_title(lines, doc.title)))
        return out

    return run


def werger(pages: list[Page]) -> list[str]:
    cleaners: dict[str, Cleaner] = {}
    out = []
    for page in pages:
        extracted = extract(page.html, page.url)
        if extracted is None:
            out.append("")
            continue
        cleaner = cleaners.setdefault(page.site, Cleaner())
        paragraphs = cleaner.clean(extracted.paragraphs, extracted.link_texts, page_key=page.id)
        out.append(as_text(page, extracted.title, paragraphs) if paragraphs else "")
    return out


RUNNERS: dict[str, Runner] = {
    "trafilatura default": trafilatura_runner({}),
    "trafilatura werger settings": trafilatura_runner(SETTINGS),
    "werger": werger,
}


def page_scores(expected: str, output: str) -> tuple[float, float, float]:
    """(P, R, F1) of one page by the multiset overlap of ``\\w+`` tokens."""
    gold: dict[str, int] = defaultdict(int)
    for token in TOKEN.findall(expected):
        gold[token] += 1
    got = TOKEN.findall(output)
    if not got or not gold:
        return 0.0, 0.0, 0.0
    hit = 0
    for token in got:
        if gold.get(token, 0) > 0:
            gold[token] -= 1
            hit += 1
    p, r = hit / len(got), hit / sum(1 for _ in TOKEN.finditer(expected))
    return p, r, (2 * p * r / (p + r) if hit else 0.0)


def mean_scores(
    pages: list[Page], outputs: list[str], group: Callable[[Page], Iterable[str]]
) -> dict[str, tuple[float, float, float, int]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for page, output in zip(pages, outputs, strict=True):
        p, r, f = page_scores(page.expected, output)
        for key in group(page):
            cell = sums[key]
            cell[0] += p
            cell[1] += r
            cell[2] += f
            cell[3] += 1
    return {k: (p / n, r / n, f / n, int(n)) for k, (p, r, f, n) in sums.items()}


def by_lang(page: Page) -> list[str]:
    return [page.lang, "all"]


def site_half(site: str) -> str:
    return "A" if hashlib.sha256(site.encode()).digest()[0] % 2 == 0 else "B"


def by_half(page: Page) -> list[str]:
    half = site_half(page.site)
    return [f"{page.lang} {half}", f"all {half}"]


def timed(runner: Runner, pages: list[Page]) -> tuple[list[str], float]:
    start = time.process_time()
    outputs = runner(pages)
    return outputs, time.process_time() - start


def print_table(title: str, columns: list[str], table: dict[str, dict[str, tuple]]) -> None:
    print(f"\n{title}: mean per-page token precision / recall / F1")
    print(f"{'':30}" + "".join(f"{c:>21}" for c in columns))
    counts = next(iter(table.values()))
    print(f"{'pages':30}" + "".join(f"{counts.get(c, (0, 0, 0, 0))[3]:>21}" for c in columns))
    for name, cells in table.items():
        row = "".join(
            "{:>7.3f}{:>7.3f}{:>7.3f}".format(*cells[c][:3]) if c in cells else f"{'-':>21}" for c in columns
        )
        print(f"{name:30}{row}")


def run_dev(pages: list[Page], rounds: int, split: bool) -> None:
    best = dict.fromkeys(RUNNERS, float("inf"))
    outputs: dict[str, list[str]] = {}
    for runner in RUNNERS.values():  # warm-up: imports, caches and lazy compilation out of the timing
        runner(pages[:20])
    for i in range(max(rounds, 1)):
        order = list(RUNNERS) if i % 2 == 0 else list(reversed(RUNNERS))
        for name in order:
            outputs[name], seconds = timed(RUNNERS[name], pages)
            best[name] = min(best[name], seconds)
    table = {name: mean_scores(pages, outputs[name], by_lang) for name in RUNNERS}
    print_table(f"extract-dev ({len(pages)} real pages, DAniEL corpus)", ["en", "ru", "all"], table)
    if split:
        halves = {name: mean_scores(pages, outputs[name], by_half) for name in RUNNERS}
        print_table("extract-dev by site half", ["en A", "en B", "ru A", "ru B", "all A", "all B"], halves)
    ours = table["werger"]
    for name in ("trafilatura default", "trafilatura werger settings"):
        base = table[name]
        deltas = ", ".join(
            f"{lang} F1 {ours[lang][2] - base[lang][2]:+.3f} R {ours[lang][1] - base[lang][1]:+.3f}"
            for lang in ("en", "ru", "all")
        )
        print(f"werger vs {name}: {deltas}")
    rates = {name: len(pages) / seconds for name, seconds in best.items()}
    print(f"\nspeed on extract-dev (CPU time, best of {rounds} alternating rounds, metadata on in all):")
    for name, rate in rates.items():
        print(f"  {name:30} {rate:7.1f} pages per CPU-second")
    print(
        f"  werger / trafilatura default (same work: metadata on both) "
        f"{rates['werger'] / rates['trafilatura default']:5.2f}x  (target >= 0.80x)"
    )
    print(
        f"  werger / trafilatura werger settings (cost of werger's own passes) "
        f"{rates['werger'] / rates['trafilatura werger settings']:5.2f}x"
    )


def run_fixtures(pages: list[Page]) -> None:
    table = {name: mean_scores(pages, run(pages), by_lang) for name, run in RUNNERS.items()}
    print_table(
        f"fixtures/extraction ({len(pages)} pages written for the project)", [*FIXTURE_LANGS, "all"], table
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="timing rounds per extractor on extract-dev")
    parser.add_argument("--dev", type=Path, default=DEV, help="the extract-dev folder (manifest.jsonl)")
    parser.add_argument("--split", action="store_true", help="also score the two site halves")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # dateutil's notes on unknown time zones in page dates
    if (args.dev / "manifest.jsonl").is_file():
        run_dev(load_dev(args.dev), args.rounds, args.split)
    else:
        print(f"extract-dev not found at {args.dev}: only the fixture table is printed")
    run_fixtures(load_fixtures())


if __name__ == "__main__":
    main()
