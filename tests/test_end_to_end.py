"""A whole crawl of the fixture site over real loopback HTTP, with a real (tiny) Argos model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from conftest import site_corpus
from crawl_server import Reply, controlled_site
from tiny_argos import build_argos_package

from ingest.demo import demo_site_config
from ingest.pipeline import RunOptions, run_crawl
from store.log import ReadReport, RecordLog
from store.record import load_schema
from translate.argos import argos_registry

ROOT = Path(__file__).resolve().parent.parent


def crawl(site_url: str, out: Path, models_dir: Path):
    return run_crawl([demo_site_config(site_url)], RunOptions(out_dir=out), argos_registry(models_dir))


def lines_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def crawled(site_url, tmp_path, models_dir):
    summary = crawl(site_url, tmp_path, models_dir)
    return summary, lines_of(tmp_path), site_url


def test_every_article_is_stored_exactly_once(crawled, expected_site):
    _, lines, _ = crawled
    paths = [urlsplit(line["canonical_url"]).path for line in lines]
    assert sorted(paths) == sorted(expected_site["articles"])


def test_pages_disallowed_by_robots_are_never_fetched(site_url, tmp_path, models_dir, expected_site):
    from ingest.config import site_from_dict

    everything = site_from_dict(
        "open", {"start_urls": [f"{site_url}/"], "delay": 0, "allow_private": True, "concurrency": 4}
    )
    summary = run_crawl([everything], RunOptions(out_dir=tmp_path), argos_registry(models_dir))
    lines = lines_of(tmp_path)
    assert not any(urlsplit(line["url"]).path in expected_site["disallowed"] for line in lines)
    assert "PRIVATE-CANARY" not in (tmp_path / "records.jsonl").read_text(encoding="utf-8")
    assert summary.sites[0].skipped["disallowed by robots.txt"] == 1


def test_every_written_line_validates_against_the_schema(crawled):
    _, lines, _ = crawled
    validator = jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker())
    for line in lines:
        validator.validate(line)


def test_document_and_paragraph_languages_are_tagged(crawled, expected_site):
    _, lines, _ = crawled
    for line in lines:
        expected = expected_site["articles"][urlsplit(line["canonical_url"]).path]
        assert line["source_lang"] == expected["lang"], line["url"]
        assert len(line["segments"]) == expected["paragraphs"], line["url"]
        paragraph_langs = {s["lang"] for s in line["segments"]}
        assert paragraph_langs == {expected["lang"]} | ({expected["quote_lang"]} - {None}), line["url"]


def test_metadata_is_extracted(crawled, expected_site):
    _, lines, _ = crawled
    for line in lines:
        expected = expected_site["articles"][urlsplit(line["canonical_url"]).path]
        assert line["title"] == expected["title"]
        assert line["author"] == expected["author"]
        assert line["published"] == expected["published"]


def test_pairs_with_a_model_are_translated(crawled):
    _, lines, _ = crawled
    russian = [line for line in lines if line["source_lang"] == "ru"]
    assert russian
    for line in russian:
        # random weights translate into gibberish, which the quality checks rightly flag
        assert line["status"] == "needs_review"
        assert line["status_reason"].startswith("machine translation flagged for review")
        for segment in line["segments"]:
            assert segment["target"], segment
            assert segment["engine"]["id"].startswith("argos:translate-ru_en")


def test_pairs_without_a_model_are_untranslated_with_the_command_that_fixes_it(crawled):
    _, lines, _ = crawled
    for line in lines:
        if line["source_lang"] in ("ar", "ckb", "kmr"):
            assert line["status"] == "untranslated"
            assert f"no model for {line['source_lang']}->en" in line["status_reason"]
            assert "werger models install" in line["status_reason"]
            assert all(s["target"] is None for s in line["segments"] if s["lang"] != "ru")


def test_english_pages_need_no_translation(crawled):
    _, lines, _ = crawled
    english = [line for line in lines if line["source_lang"] == "en"]
    assert english and all(line["status"] == "not_needed" for line in english)


def test_the_hidden_page_is_found_through_in_page_links(crawled, expected_site):
    _, lines, _ = crawled
    hidden = [p for p, a in expected_site["articles"].items() if not a["in_sitemap"] and not a["in_feed"]]
    assert hidden
    assert set(hidden) <= {urlsplit(line["canonical_url"]).path for line in lines}


def test_a_recrawl_of_unchanged_pages_writes_no_new_revision(site_url, tmp_path, models_dir):
    crawl(site_url, tmp_path, models_dir)
    first = lines_of(tmp_path)
    summary = crawl(site_url, tmp_path, models_dir)
    assert lines_of(tmp_path) == first
    assert summary.sites[0].unchanged + summary.sites[0].not_modified == len(first)
    assert ReadReport() == ReadReport()


def test_a_changed_page_gets_a_new_revision_of_the_same_record(tmp_path, models_dir):
    import shutil

    from ingest.demo import serve_directory

    site = tmp_path / "site"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    out = tmp_path / "out"
    with serve_directory(site) as base_url:
        crawl(base_url, out, models_dir)
        page = next(site.glob("en/news/*.html"))
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace("<p>", "<p>Updated: ", 1), encoding="utf-8")
        crawl(base_url, out, models_dir)
    latest = RecordLog(out).latest()
    changed = [r for r in latest.values() if r.revision == 2]
    assert len(changed) == 1 and changed[0].canonical_url.endswith(page.name)
    assert changed[0].segments[0].source.startswith("Updated: ")


def run_demo(tmp_path: Path, index_url: str, *extra: str) -> subprocess.CompletedProcess:
    """``werger demo`` for real, reading the package index at ``index_url``."""
    command = [sys.executable, "-m", "ingest.cli", "demo", "--out", str(tmp_path / "demo-out")]
    command += ["--models-dir", str(tmp_path / "models"), *extra]
    env = {**os.environ, "WERGER_PACKAGE_INDEX": index_url}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)


@pytest.mark.parametrize("how", ["--offline", "unreachable index"])
def test_werger_demo_runs_without_models_and_explains_what_is_missing(tmp_path, how):
    out = tmp_path / "demo-out"
    with controlled_site() as index:
        index.route("/index.json", Reply(status=500))
        url = f"{index.base}/index.json" if how == "--offline" else f"http://127.0.0.1:{free_port()}/i.json"
        started = time.monotonic()
        result = run_demo(tmp_path, url, *([how] if how == "--offline" else []))
        assert index.count("/index.json") == 0
    assert time.monotonic() - started < 120
    if how != "--offline":
        assert "demo models not installed" in result.stdout and "FILE.argosmodel" in result.stdout
    assert result.returncode == 0, result.stderr
    lines = lines_of(out)
    assert len(lines) == 12
    statuses = {line["source_lang"]: line["status"] for line in lines}
    assert statuses == {
        "en": "not_needed",
        "ru": "untranslated",
        "ar": "untranslated",
        "ckb": "untranslated",
        "kmr": "untranslated",
    }
    assert "werger models install ru en" in result.stdout
    summary = json.loads((out / "run-summary.json").read_text())
    assert summary["ok"] is True
    reasons = summary["sites"][0]["untranslated_reasons"]
    pages_per_pair = {reason.split(";")[0].removeprefix("no model for "): n for reason, n in reasons.items()}
    assert pages_per_pair == {"ar->en": 3, "ru->en": 3, "ckb->en": 2, "kmr->en": 2}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_werger_demo_installs_its_models_from_the_index_once(tmp_path, ru_en_package):
    ar_en_package = build_argos_package(tmp_path / "build", site_corpus(), "ar", "en")
    with controlled_site() as index:
        entries = [
            {
                "from_code": code,
                "to_code": "en",
                "package_version": "0.0.1",
                "type": "translate",
                "links": [f"{index.base}/{path.name}"],
            }
            for code, path in (("ru", ru_en_package), ("ar", ar_en_package))
        ]
        index.route("/index.json", Reply(body=json.dumps(entries), content_type="application/json"))
        for path in (ru_en_package, ar_en_package):
            index.route(f"/{path.name}", Reply(body=path.read_bytes(), content_type="application/zip"))
        first = run_demo(tmp_path, f"{index.base}/index.json")
        assert first.returncode == 0, first.stderr
        second = run_demo(tmp_path, f"{index.base}/index.json")
        assert second.returncode == 0, second.stderr
        assert index.count("/index.json") == 1
        assert [index.count(f"/{p.name}") for p in (ru_en_package, ar_en_package)] == [1, 1]
    assert "installed ru->en 0.0.1" in first.stdout and "installed ar->en 0.0.1" in first.stdout
    statuses = {line["source_lang"]: line["status"] for line in lines_of(tmp_path / "demo-out")}
    assert statuses["ru"] in ("machine", "needs_review") and statuses["ar"] in ("machine", "needs_review")
    assert statuses["ckb"] == "untranslated"
    translated = [
        s
        for line in lines_of(tmp_path / "demo-out")
        if line["source_lang"] in ("ru", "ar")
        for s in line["segments"]
    ]
    assert translated and all(s["target"] for s in translated if s["lang"] in ("ru", "ar"))
