"""Several engines for one pair: MADLAD-400 beside NLLB-200 and Argos, chosen by preference."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_record

from translate.ct2 import DecodingOptions
from translate.errors import WergerTranslateError
from translate.madlad import MadladEngine
from translate.models import install_file, install_nllb_dir, verify_installed
from translate.records import translate_records
from translate.registry import build_registry

ROOT = Path(__file__).resolve().parent.parent
SORANI = "ئەمڕۆ لە شاری هەولێر کۆبوونەوەیەک بۆ ئاو ساز کرا."
KURMANJI = "Îro li bajarê Hewlêrê civîneke li ser avê hat lidarxistin."


@pytest.fixture
def all_engines(tmp_path, madlad_dir, nllb_dir, ru_en_package) -> Path:
    models = tmp_path / "models"
    install_file(ru_en_package, models)
    install_nllb_dir(madlad_dir, models)
    install_nllb_dir(nllb_dir, models)
    return models


def test_madlad_translates_kurdish_with_its_target_token(tmp_path, madlad_dir):
    models = tmp_path / "models"
    install_nllb_dir(madlad_dir, models)
    registry = build_registry(models)
    engine = registry.find("ckb", "en")
    assert isinstance(engine, MadladEngine)
    assert engine.source_tokens(["▁a", "b"]) == ["<2en>", "▁a", "b", "</s>"]
    records = [make_record([("ckb", SORANI), ("kmr", KURMANJI)])]
    translated = translate_records(records, registry, "en")[0]
    assert all(s.target and s.engine.id == f"madlad:{madlad_dir.name}" for s in translated.segments)
    assert translated.status.value in ("machine", "needs_review")
    assert [v.ok for v in verify_installed(models)] == [True]


def test_madlad_float16_request_becomes_int8_float32(madlad_dir):
    engine = MadladEngine(madlad_dir, ("ckb", "en"), DecodingOptions(compute_type="int8_float16"))
    assert engine.options.compute_type == "int8_float32"


def test_by_default_argos_then_madlad_then_nllb(all_engines):
    registry = build_registry(all_engines)
    assert registry.find("ru", "en").ref.id.startswith("argos:")
    assert registry.find("ckb", "en").ref.id.startswith("madlad:")
    assert registry.find("kmr", "en").ref.id.startswith("madlad:")


def test_engines_toml_picks_per_pair_and_can_exclude_a_licence(all_engines):
    (all_engines / "engines.toml").write_text(
        'order = ["argos", "madlad", "nllb"]\n[pairs]\n"kmr->en" = ["nllb"]\n"ru->en" = ["madlad"]\n',
        encoding="utf-8",
    )
    registry = build_registry(all_engines)
    assert registry.find("kmr", "en").ref.id.startswith("nllb:")
    assert registry.find("ru", "en").ref.id.startswith("madlad:")
    assert registry.find("ckb", "en").ref.id.startswith("madlad:")
    (all_engines / "engines.toml").write_text('exclude = ["nllb", "madlad"]\n', encoding="utf-8")
    registry = build_registry(all_engines)
    assert registry.find("ckb", "en") is None and registry.find("ru", "en") is not None
    (all_engines / "engines.toml").write_text('order = ["marian"]\n', encoding="utf-8")
    with pytest.raises(WergerTranslateError, match="unknown engine kind marian"):
        build_registry(all_engines)


def werger(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_a_madlad_folder_installs_and_is_listed(tmp_path, madlad_dir):
    models = tmp_path / "models"
    copy = Path(shutil.copytree(madlad_dir, tmp_path / "madlad400-3b-ct2"))
    installed = werger("models", "install", str(copy), "--models-dir", str(models))
    assert installed.returncode == 0, installed.stderr
    listed = werger("models", "list", "--models-dir", str(models))
    assert "MADLAD-400" in listed.stdout and "madlad400-3b-ct2" in listed.stdout


def test_translate_runs_on_the_device_asked_for(tmp_path, madlad_dir):
    models = tmp_path / "models"
    install_nllb_dir(madlad_dir, models)
    source = tmp_path / "in.jsonl"
    source.write_text(make_record([("ckb", SORANI)]).to_json_line() + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    ok = werger("translate", str(source), "--out", str(out), "--models-dir", str(models), "--device", "auto")
    assert ok.returncode == 0, ok.stderr
    assert '"engine":{"id":"madlad:' in out.read_text(encoding="utf-8")
    bad = werger("translate", str(source), "--models-dir", str(models), "--device", "tpu")
    assert bad.returncode != 0 and "--device is one of cpu, cuda, auto" in bad.stderr
    assert "Traceback" not in bad.stderr
