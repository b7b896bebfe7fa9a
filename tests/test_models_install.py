"""Installing Argos packages from files: validated before anything lands in the models folder."""

import zipfile

import pytest

from translate.errors import PackageInvalidError
from translate.models import install_file, list_installed


def test_an_installed_package_is_listed_with_its_pair_and_version(tmp_path, ru_en_package):
    model = install_file(ru_en_package, tmp_path)
    assert (model.source, model.target, model.version) == ("ru", "en", "0.0.1")
    assert [m.pair for m in list_installed(tmp_path)] == ["ru->en"]


def test_installing_again_replaces_the_old_copy(tmp_path, ru_en_package):
    install_file(ru_en_package, tmp_path)
    install_file(ru_en_package, tmp_path)
    assert len(list_installed(tmp_path)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".installing-")]


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    bogus = tmp_path / "model.argosmodel"
    bogus.write_text("not a zip")
    with pytest.raises(PackageInvalidError, match="not a zip archive"):
        install_file(bogus, tmp_path / "models")


def test_a_zip_without_metadata_is_refused_and_leaves_nothing_behind(tmp_path):
    archive = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/model/model.bin", b"x")
    models = tmp_path / "models"
    with pytest.raises(PackageInvalidError, match=r"metadata\.json"):
        install_file(archive, models)
    assert list_installed(models) == []


def test_a_zip_with_several_top_folders_is_refused(tmp_path):
    archive = tmp_path / "two.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/metadata.json", "{}")
        zf.writestr("b/metadata.json", "{}")
    with pytest.raises(PackageInvalidError, match="one top-level"):
        install_file(archive, tmp_path / "models")


def test_a_package_without_a_ctranslate2_model_is_refused(tmp_path):
    archive = tmp_path / "nomodel.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/metadata.json", '{"from_code": "ru", "to_code": "en", "type": "translate"}')
    models = tmp_path / "models"
    with pytest.raises(PackageInvalidError, match=r"model\.bin"):
        install_file(archive, models)
    assert list_installed(models) == []


# The package index, played by a loopback server: the real download and install path runs.

import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from crawl_server import Reply, controlled_site  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_ROUTE = "werger models install FILE.argosmodel"


def install_ru_en(index_url: str, models: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "WERGER_PACKAGE_INDEX": index_url}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "models", "install", "ru", "en", "--models-dir", str(models)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    return result, time.monotonic() - started


def index_entry(base: str, source: str = "ru", target: str = "en", version: str = "0.0.1") -> dict:
    return {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": source,
        "to_code": target,
        "type": "translate",
        "links": [f"{base}/packages/translate-{source}_{target}.argosmodel"],
    }


def assert_one_clear_line(result: subprocess.CompletedProcess, elapsed: float, reason: str) -> None:
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert OFFLINE_ROUTE in lines[0] and reason in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert elapsed < 45  # generous for a loaded machine; the never-answering index waits 90 s


def test_without_network_install_fails_in_one_line_naming_the_offline_route(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result, elapsed = install_ru_en(f"http://127.0.0.1:{port}/index.json", tmp_path / "models")
    assert_one_clear_line(result, elapsed, "cannot read the Argos package index")
    assert list_installed(tmp_path / "models") == []


def test_an_index_answering_500_is_one_clear_line(tmp_path):
    with controlled_site() as site:
        site.route("/index.json", Reply(status=500, body="oops"))
        result, elapsed = install_ru_en(f"{site.base}/index.json", tmp_path / "models")
    assert_one_clear_line(result, elapsed, "HTTP 500")


def test_an_index_that_never_answers_gives_up_within_seconds(tmp_path):
    with controlled_site() as site:
        site.route("/index.json", Reply(body="[]", delay=90))
        result, elapsed = install_ru_en(f"{site.base}/index.json", tmp_path / "models")
    assert_one_clear_line(result, elapsed, "no answer within 5 s")


def test_a_valid_index_downloads_and_installs_the_package(tmp_path, ru_en_package):
    models = tmp_path / "models"
    with controlled_site() as site:
        entries = [index_entry(site.base, "ar", "en"), index_entry(site.base)]
        site.route("/index.json", Reply(body=json.dumps(entries), content_type="application/json"))
        site.route(
            "/packages/translate-ru_en.argosmodel",
            Reply(body=ru_en_package.read_bytes(), content_type="application/zip"),
        )
        result, _ = install_ru_en(f"{site.base}/index.json", models)
        assert result.returncode == 0, result.stderr
        assert site.count("/packages/translate-ru_en.argosmodel") == 1
    assert "installed ru->en 0.0.1" in result.stdout
    assert [m.pair for m in list_installed(models)] == ["ru->en"]
    assert not list((models / ".downloads").iterdir())


def test_a_pair_the_index_lacks_and_a_broken_link_are_clear_errors(tmp_path):
    with controlled_site() as site:
        site.route("/index.json", Reply(body=json.dumps([index_entry(site.base, "ar", "en")])))
        result, _ = install_ru_en(f"{site.base}/index.json", tmp_path / "models")
        assert result.returncode != 0
        assert "has no ru->en model" in result.stderr and "Traceback" not in result.stderr
        site.route("/index.json", Reply(body=json.dumps([index_entry(site.base)])))
        site.route("/packages/translate-ru_en.argosmodel", Reply(status=404))
        result, elapsed = install_ru_en(f"{site.base}/index.json", tmp_path / "models")
    assert_one_clear_line(result, elapsed, "HTTP 404")
    assert list_installed(tmp_path / "models") == []
