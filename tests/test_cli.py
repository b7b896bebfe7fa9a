"""The werger command, run for real."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def werger(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_models_install_from_a_file_then_list(tmp_path, ru_en_package):
    models = tmp_path / "models"
    installed = werger("models", "install", str(ru_en_package), "--models-dir", str(models))
    assert installed.returncode == 0, installed.stderr
    assert "installed ru->en 0.0.1" in installed.stdout
    listed = werger("models", "list", "--models-dir", str(models))
    assert "ru->en" in listed.stdout and "0.0.1" in listed.stdout


def test_models_list_tells_how_to_install_when_empty(tmp_path):
    listed = werger("models", "list", "--models-dir", str(tmp_path))
    assert listed.returncode == 0
    assert "no models installed" in listed.stdout


def test_a_bad_model_file_is_a_clear_error_without_traceback(tmp_path):
    bogus = tmp_path / "x.argosmodel"
    bogus.write_text("nope")
    result = werger("models", "install", str(bogus), "--models-dir", str(tmp_path / "m"))
    assert result.returncode == 1
    assert "not a zip archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_sites_file_is_a_clear_error_without_traceback(tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.x]\nstart_urls = ["ftp://example.org/"]\n')
    result = werger("crawl", str(sites), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "is not an http(s) URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_sites_file_is_a_clear_error(tmp_path):
    result = werger("crawl", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "cannot read sites file" in result.stderr


def test_every_command_documents_an_example():
    import typer

    from ingest.cli import app

    def commands(group, prefix: str = ""):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from commands(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command

    undocumented = [
        name for name, cmd in commands(typer.main.get_command(app)) if "Example" not in (cmd.help or "")
    ]
    assert undocumented == []
