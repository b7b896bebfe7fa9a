"""A --data folder that is not a werger data folder is a usage error, never an empty answer."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ingest.cli import app

COMMANDS = [
    ["export", "--data", "{dir}"],
    ["review", "--data", "{dir}", "--port", "1"],
    ["import-xliff", "x.xlf", "--data", "{dir}", "--by", "amina"],
    ["users", "add", "carol", "--data", "{dir}", "--password-stdin"],
    ["retranslate", "{dir}", "--model", "argos:x"],
    ["status", "--data", "{dir}"],
]


def run(args: list[str], folder) -> object:
    return CliRunner().invoke(app, [a.replace("{dir}", str(folder)) for a in args], input="secret\n")


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_missing_data_folder_is_a_usage_error(tmp_path, args):
    result = run(args, tmp_path / "typo")
    assert result.exit_code == 2, result.output
    assert "does not exist; expected a werger data folder" in result.output
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_folder_without_werger_files_is_a_usage_error(tmp_path, args):
    (tmp_path / "notes.txt").write_text("not werger's")
    result = run(args, tmp_path)
    assert result.exit_code == 2, result.output
    assert "is not a werger data folder" in result.output and "records.jsonl" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_crawled_folder_is_accepted(tmp_path):
    (tmp_path / "records.jsonl").write_text("")
    result = CliRunner().invoke(app, ["export", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    added = CliRunner().invoke(
        app,
        ["users", "add", "carol", "--data", str(tmp_path), "--password-stdin"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    assert (tmp_path / "users.json").exists()
