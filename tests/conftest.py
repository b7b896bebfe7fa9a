"""Shared fixtures: a real tiny Argos package, installed, and the fixture site on loopback."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from store.record import Record

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "fixtures" / "site"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tiny_argos import build_argos_package, build_madlad_model, build_nllb_model  # noqa: E402

TAG = re.compile(r"<[^>]+>")


def site_corpus() -> list[str]:
    """Text lines of the fixture site, to train the tiny model's sentencepiece vocabulary on."""
    lines: list[str] = []
    for page in sorted(SITE_DIR.rglob("*.html")):
        text = TAG.sub("\n", page.read_text(encoding="utf-8"))
        lines.extend(line.strip() for line in text.splitlines() if len(line.strip()) > 20)
    return lines


@pytest.fixture(scope="session")
def expected_site() -> dict:
    return json.loads((SITE_DIR / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ru_en_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine .argosmodel file (ru->en, random weights)."""
    return build_argos_package(tmp_path_factory.mktemp("argos-build"), site_corpus(), "ru", "en")


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory, ru_en_package: Path) -> Path:
    """A models folder with the ru->en package installed through werger's own install path."""
    from translate.models import install_file

    folder = tmp_path_factory.mktemp("models")
    install_file(ru_en_package, folder)
    return folder


@pytest.fixture
def site_url():
    """The fixture site served over real HTTP on 127.0.0.1."""
    from ingest.demo import serve_directory

    with serve_directory(SITE_DIR) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NLLB-shaped CTranslate2 conversion folder (random weights, FLORES language tags)."""
    return build_nllb_model(tmp_path_factory.mktemp("nllb-build"), site_corpus(), seed=2)


@pytest.fixture(scope="session")
def madlad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MADLAD-400-shaped CTranslate2 conversion folder (a tiny T5, random weights, <2xx> tokens)."""
    return build_madlad_model(tmp_path_factory.mktemp("madlad-build"), site_corpus(), seed=3)


def make_record(paragraphs: list[tuple[str, str]], url: str = "https://example.org/a") -> Record:
    """An untranslated record with one segment per (language, text), as the crawler makes them."""
    from store.record import Provenance, Record, Segment, Status, content_hash, record_id, utc_now

    now = utc_now()
    return Record(
        id=record_id(url),
        revision=1,
        revised_at=now,
        url=url,
        canonical_url=url,
        site="test",
        fetched_at=now,
        content_hash=content_hash([text for _, text in paragraphs]),
        source_lang=paragraphs[0][0],
        source_lang_confidence=1.0,
        target_lang="en",
        segments=[
            Segment(index=i, lang=lang, lang_confidence=1.0, source=text)
            for i, (lang, text) in enumerate(paragraphs)
        ],
        status=Status.UNTRANSLATED,
        status_reason="not translated yet",
        provenance=Provenance(
            fetch_status=200,
            extractor="test",
            extractor_version="0",
            langid_method="test",
            pipeline_version="0",
        ),
    )


@pytest.fixture(scope="session")
def review_crawl(tmp_path_factory, models_dir) -> Path:
    """One crawl of the demo and partner sites with two reviewers, shared read-only by review tests."""
    from review_support import crawl_review_data

    out = tmp_path_factory.mktemp("review-crawl")
    crawl_review_data(out, models_dir)
    return out


@pytest.fixture
def review_data(review_crawl, tmp_path) -> Path:
    """A fresh copy of ``review_crawl`` per test, so one test's revisions never reach another."""
    import shutil

    return Path(shutil.copytree(review_crawl, tmp_path / "data"))
