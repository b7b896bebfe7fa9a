"""Extraction on the evaluation set (fixtures/extraction/): article text kept, chrome gone."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.boilerplate import Cleaner, normalize
from ingest.config import site_from_dict
from ingest.extract import extract, without_title
from ingest.fetch import FetchResult
from ingest.pipeline import CrawlRun, RunOptions

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "extraction"
INDEX = json.loads((ROOT / "index.json").read_text(encoding="utf-8"))
TOKEN = re.compile(r"\w+")


def page(entry: dict) -> tuple[str, list[str]]:
    base = ROOT / "pages" / entry["page"]
    expected = base.with_suffix(".txt").read_text(encoding="utf-8").splitlines()
    return base.with_suffix(".html").read_text(encoding="utf-8"), expected


@pytest.fixture(scope="module")
def cleaned() -> list[tuple[dict, list[str], list[str]]]:
    """Every evaluation page through werger, site by site in index order, as a crawl sees them."""
    cleaners: dict[str, Cleaner] = {}
    out = []
    for entry in INDEX:
        html, expected = page(entry)
        extracted = extract(html, f"https://{entry['site']}.example/{entry['page']}")
        assert extracted is not None, entry["page"]
        cleaner = cleaners.setdefault(entry["site"], Cleaner())
        out.append((entry, expected, cleaner.clean(extracted.paragraphs, extracted.link_texts)))
    return out


def test_the_set_has_at_least_sixty_pages_in_five_languages():
    counts = Counter(entry["lang"] for entry in INDEX)
    assert len(INDEX) >= 60
    assert set(counts) == {"en", "ru", "ar", "ckb", "kmr"} and min(counts.values()) >= 12


def test_no_article_paragraph_is_ever_removed(cleaned):
    for entry, expected, paragraphs in cleaned:
        kept = {normalize(p) for p in paragraphs}
        missing = [p for p in expected if normalize(p) not in kept]
        assert not missing, (entry["page"], missing)


def test_token_f1_stays_above_its_floor_in_every_language(cleaned):
    hits: Counter[str] = Counter()
    produced: Counter[str] = Counter()
    wanted: Counter[str] = Counter()
    for entry, expected, paragraphs in cleaned:
        gold = Counter(TOKEN.findall(" ".join(expected).lower()))
        got = Counter(TOKEN.findall(" ".join(paragraphs).lower()))
        hits[entry["lang"]] += sum((gold & got).values())
        produced[entry["lang"]] += sum(got.values())
        wanted[entry["lang"]] += sum(gold.values())
    for lang in wanted:
        precision, recall = hits[lang] / produced[lang], hits[lang] / wanted[lang]
        assert 2 * precision * recall / (precision + recall) >= 0.99, lang


def test_title_and_date_are_metadata_not_paragraphs():
    entry = next(e for e in INDEX if e["page"] == "wfj/en-partner-wfj")
    html, _ = page(entry)
    extracted = extract(html, "https://wfj.example/workshop")
    assert extracted is not None
    assert extracted.title == "Workshop about prevention and protection from digital GBV"
    assert extracted.title not in extracted.paragraphs
    assert extracted.published is not None
    assert "Who We Are" in extracted.link_texts


def test_the_headline_is_dropped_even_below_a_slogan():
    paragraphs = ["Our Skill Your Growth", "IMOK joins a summit", "Body text."]
    assert without_title(paragraphs, "IMOK joins a summit") == ["Our Skill Your Growth", "Body text."]
    assert (
        without_title(["Body.", "x", "y", "IMOK joins a summit"], "IMOK joins a summit")[-1]
        == "IMOK joins a summit"
    )


def test_a_page_without_main_text_has_nothing_to_extract():
    assert extract("<html><body></body></html>", "https://x.example/") is None


def test_a_page_of_navigation_alone_leaves_no_paragraph():
    html = "<html><body><div><a href='/'>Home</a> <a href='/news/'>News</a></div></body></html>"
    extracted = extract(html, "https://x.example/")
    assert extracted is None or Cleaner().clean(extracted.paragraphs, extracted.link_texts) == []


def test_the_crawl_learns_a_sites_template_lines_from_its_pages(tmp_path):
    run = CrawlRun(RunOptions(out_dir=tmp_path), registry=None)  # type: ignore[arg-type]
    site = site_from_dict("imok", {"start_urls": ["https://imok.example/"]})
    entries = [e for e in INDEX if e["site"] == "imok"]
    records = []
    for entry in entries:
        html, _ = page(entry)
        url = f"https://imok.example/{entry['page']}"
        records.append(run.build_record(site, FetchResult(url, url, 200, "text/html", html)))
    sources = [[s.source for s in record.segments] for record in records if record]
    assert len(sources) == len(entries) >= 3
    assert "Our Skill Your Growth" in sources[0]
    assert "Our Skill Your Growth" not in sources[-1]
