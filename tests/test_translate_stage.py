"""Translation alone over JSONL: records in, translated records out, input untouched."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.demo import demo_site_config, serve_directory
from ingest.pipeline import RunOptions, run_crawl
from store.errors import RecordInvalidError
from translate.argos import argos_registry
from translate.stage import translate_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def untranslated(tmp_path_factory) -> Path:
    """Records of the fixture site crawled with no model installed."""
    out = tmp_path_factory.mktemp("untranslated")
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        run_crawl([demo_site_config(base_url)], RunOptions(out_dir=out), argos_registry(out / "none"))
    return out / "records.jsonl"


def test_records_gain_translations_for_the_pairs_with_a_model(untranslated, models_dir, tmp_path):
    before = untranslated.read_bytes()
    out = tmp_path / "translated.jsonl"
    count = translate_file(untranslated, out, argos_registry(models_dir), "en")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert count == len(records) == len(before.splitlines())
    russian = [r for r in records if r["source_lang"] == "ru"]
    assert russian and all(s["target"] for r in russian for s in r["segments"])
    assert all(r["status"] == "untranslated" for r in records if r["source_lang"] in ("ar", "kmr"))
    assert untranslated.read_bytes() == before


def test_a_bad_line_is_named_and_leaves_no_output(untranslated, models_dir, tmp_path):
    broken = tmp_path / "broken.jsonl"
    lines = untranslated.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], '{"id": "nope"}', *lines[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(RecordInvalidError, match=r"broken\.jsonl:2: not a werger record"):
        translate_file(broken, out, argos_registry(models_dir), "en")
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))


def test_the_command_writes_to_standard_output(untranslated, models_dir):
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "translate", str(untranslated), "--models-dir", str(models_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["source_lang"] for r in records} == {"en", "ru", "ar", "ckb", "kmr"}
    assert any(s["target"] for r in records if r["source_lang"] == "ru" for s in r["segments"])


def test_decoding_options_are_accepted_and_bad_values_refused(untranslated, models_dir):
    def run(*extra):
        return subprocess.run(
            [sys.executable, "-m", "ingest.cli", "translate", str(untranslated),
             "--models-dir", str(models_dir), *extra],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip

    greedy = run("--beam-size", "1", "--repetition-penalty", "1.2")
    assert greedy.returncode == 0, greedy.stderr
    refused = run("--beam-size", "0")
    assert refused.returncode == 1 and "--beam-size must be at least 1" in refused.stderr
