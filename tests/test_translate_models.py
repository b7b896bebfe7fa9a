"""Installing, verifying and upgrading models through the real ``werger`` command."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, make_record, site_corpus
from log_support import duplicate_pairs, write_lines
from tiny_argos import build_argos_package

from store.log import RecordLog
from translate.registry import build_registry


def werger(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_install_records_the_archive_checksum_and_verify_passes(ru_en_package, tmp_path):
    result = werger("models", "install", ru_en_package, "--models-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest[ru_en_package.stem]
    assert entry["archive_sha256"] == hashlib.sha256(ru_en_package.read_bytes()).hexdigest()
    assert "model/model.bin" in entry["files"]
    verified = werger("models", "verify", "--models-dir", tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert f"{ru_en_package.stem}: ok" in verified.stdout


def test_verify_fails_on_a_changed_model_file_without_a_traceback(ru_en_package, tmp_path):
    werger("models", "install", ru_en_package, "--models-dir", tmp_path)
    with open(tmp_path / ru_en_package.stem / "model" / "model.bin", "ab") as handle:
        handle.write(b"\0")
    result = werger("models", "verify", "--models-dir", tmp_path)
    assert result.returncode == 1
    assert "changed model/model.bin" in result.stdout
    assert "Traceback" not in result.stderr and "reinstall" in result.stderr


def test_an_nllb_folder_installs_and_is_listed(nllb_dir, tmp_path):
    result = werger("models", "install", nllb_dir, "--models-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert build_registry(tmp_path).find("kmr", "en").ref.id == f"nllb:{nllb_dir.name}"
    listed = werger("models", "list", "--models-dir", tmp_path)
    assert nllb_dir.name in listed.stdout
    assert werger("models", "verify", "--models-dir", tmp_path).returncode == 0


def test_a_folder_that_is_no_model_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    result = werger("models", "install", tmp_path / "empty", "--models-dir", tmp_path / "models")
    assert result.returncode == 1
    assert "neither an .argosmodel file nor a CTranslate2 conversion folder of NLLB-200" in result.stderr
    assert "MADLAD-400" in result.stderr


def test_retranslate_redoes_only_what_the_upgraded_model_produced(ru_en_package, tmp_path):
    from translate.cache import MEMORY_NAME, TranslationMemory
    from translate.records import translate_records

    models, out = tmp_path / "models", tmp_path / "out"
    werger("models", "install", ru_en_package, "--models-dir", models)
    old = build_registry(models)
    old_id = old.find("ru", "en").ref.id
    records = [
        make_record([("ru", "Комитет соберётся на следующей неделе.")], url="https://example.org/ru"),
        make_record([("en", "The committee will meet next week.")], url="https://example.org/en"),
    ]
    with TranslationMemory(out / MEMORY_NAME) as memory:
        write_lines(out, translate_records(records, old, "en", memory))

    upgrade = build_argos_package(tmp_path / "v2", site_corpus(), "ru", "en", version="0.0.1", seed=5)
    metadata_version_bump(upgrade, "0.0.2")
    assert werger("models", "install", upgrade, "--models-dir", models).returncode == 0

    result = werger("retranslate", out, "--model", old_id, "--models-dir", models)
    assert result.returncode == 0, result.stderr
    assert "re-translated 1 records: 1 sentences translated, 0 from memory" in result.stdout
    latest = RecordLog(out).latest()
    russian = latest[records[0].id]
    assert russian.revision == 2
    assert russian.segments[0].engine.version == "0.0.2"
    assert latest[records[1].id].revision == 1

    again = werger("retranslate", out, "--model", old_id, "--models-dir", models)
    assert "re-translated 0 records" in again.stdout
    assert duplicate_pairs(out) == []


def test_retranslate_of_an_unknown_model_says_so(tmp_path):
    write_lines(tmp_path, [make_record([("ru", "Привет.")])])
    result = werger("retranslate", tmp_path, "--model", "argos:nothing", "--models-dir", tmp_path / "m")
    assert result.returncode == 1
    assert "no stored segment was translated by 'argos:nothing'" in result.stderr


def metadata_version_bump(archive: Path, version: str) -> None:
    """Rewrite the package_version inside an .argosmodel, as a new release of the same package."""
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        entries = {info.filename: zf.read(info) for info in zf.infolist()}
    for name in entries:
        if name.endswith("/metadata.json") and name.count("/") == 1:
            metadata = json.loads(entries[name])
            metadata["package_version"] = version
            entries[name] = json.dumps(metadata).encode()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
