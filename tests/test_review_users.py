"""Reviewers' accounts: `werger users add` and the hashed users file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from ingest.cli import app
from store.users import Users

ROOT = Path(__file__).resolve().parent.parent


def data_folder(path: Path) -> Path:
    """A folder a crawl wrote to (commands refuse --data folders werger did not make)."""
    (path / "records.jsonl").touch()
    return path


def werger(*args: str, stdin: str | None = None):
    """The real CLI, in process (typer's runner), so the suite stays fast."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_users_add_stores_only_a_hash_readable_by_the_owner(tmp_path):
    data = str(data_folder(tmp_path))
    result = werger("users", "add", "amina", "--data", data, "--password-stdin", stdin="s3cret-pass\n")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "users.json").read_text(encoding="utf-8")
    assert "s3cret-pass" not in text
    assert json.loads(text)["amina"]["hash"].startswith("$argon2")
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600
    users = Users(tmp_path)
    assert users.check("amina", "s3cret-pass")
    assert not users.check("amina", "wrong-pass")
    assert not users.check("nobody", "s3cret-pass")


def test_a_short_password_is_refused_with_the_rule(tmp_path):
    data = str(data_folder(tmp_path))
    result = werger("users", "add", "amina", "--data", data, "--password-stdin", stdin="short\n")
    assert result.exit_code == 1
    assert "at least 8 characters" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "users.json").exists()


def test_review_without_reviewers_says_how_to_add_one(tmp_path):
    result = werger("review", "--data", str(data_folder(tmp_path)))
    assert result.exit_code == 1
    assert "werger users add NAME" in result.stderr
