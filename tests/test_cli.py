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


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.x]\nstart_urls = ["http://127.0.0.1:9/"]\nallow_private = true\n')
    (tmp_path / "a-file").write_text("")
    for out in (tmp_path / "a-file", tmp_path / "a-file" / "below"):
        result = werger("crawl", str(sites), "--out", str(out))
        assert result.returncode == 1, result.stderr
        assert f"cannot use {out} as the output folder" in result.stderr
        assert "Traceback" not in result.stderr


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


def all_commands():
    import typer

    from ingest.cli import app

    def walk(group, prefix: tuple[str, ...] = ()):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from walk(command, (*prefix, name))
            else:
                yield (*prefix, name), command

    return list(walk(typer.main.get_command(app)))


def test_every_bracketed_word_in_help_texts_is_shown():
    import re

    from typer.testing import CliRunner

    from ingest.cli import app

    checked = 0
    for path, command in all_commands():
        texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        shown = " ".join(CliRunner().invoke(app, [*path, "--help"], terminal_width=100).output.split())
        for text in texts:
            for word in re.findall(r"\[[^\]]*\]", text):
                assert " ".join(word.split()) in shown, f"werger {' '.join(path)} --help lost {word}"
                checked += 1
    assert checked >= 4


def test_config_errors_keep_their_bracketed_words(tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text('[crawler]\ncontact = "x@example.org"\n', encoding="utf-8")
    result = werger("crawl", str(sites), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "no [sites.<name>] tables found" in result.stderr
    sites.write_text('[crawler]\nretries = "many"\n[sites.a]\nstart_urls = ["https://a.example/"]\n')
    result = werger("crawl", str(sites), "--out", str(tmp_path / "out"))
    assert "[crawler] retries" in result.stderr


def test_the_overlapping_run_message_keeps_the_crawler_table_name(tmp_path):
    from ingest.runlock import RunLock

    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.a]\nstart_urls = ["https://a.example/"]\n', encoding="utf-8")
    with RunLock(tmp_path / "out"):
        result = werger("crawl", str(sites), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "lower max_run_time in the [crawler] table" in " ".join(result.stderr.split())
