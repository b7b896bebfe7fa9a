"""Damaged and foreign logs: every reader names the lines, writers refuse, repair moves them aside."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
import pytest
from log_support import duplicate_pairs
from review_support import PASSWORDS, serve_review
from typer.testing import CliRunner
from writers_race import sites_toml

from ingest.cli import app
from ingest.commands.common import EXIT_UNREADABLE_LOG
from ingest.demo import serve_directory
from store.errors import LogDamagedError, NewerLogError
from store.log import RecordLog
from store.users import Users

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def werger(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """The fixture site crawled once, untranslated (no models needed to test the log)."""
    work = tmp_path_factory.mktemp("damaged")
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        sites = work / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        assert werger("crawl", sites, "--out", work / "data", "--models-dir", work / "none").exit_code == 0
    return work / "data"


@pytest.fixture
def data(crawled, tmp_path) -> Path:
    return Path(shutil.copytree(crawled, tmp_path / "data"))


def replace_line(data: Path, number: int, raw: bytes) -> bytes:
    path = data / "records.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    old, lines[number - 1] = lines[number - 1], raw
    path.write_bytes(b"".join(lines))
    return old


def test_export_names_unreadable_lines_and_exits_3(data):
    replace_line(data, 3, b"\x00\x00garbage{{{\n")
    replace_line(data, 5, b'{"schema":"werger.record/1","id":"' + b"a" * 32 + b'","revision":\n')
    result = werger("export", "--data", data)
    assert result.exit_code == EXIT_UNREADABLE_LOG == 3
    assert "2 unreadable lines (lines 3, 5)" in result.stderr
    assert f"werger repair --data {data}" in result.stderr
    assert len(result.stdout.splitlines()) == len(RecordLog(data).latest())


def test_warnings_about_unreadable_lines_are_plain_text(crawled, tmp_path):
    data = Path(shutil.copytree(crawled, tmp_path / "[red]data[/]"))
    replace_line(data, 3, b"garbage{{{\n")
    result = werger("export", "--data", data)
    assert result.exit_code == 3
    assert f"warning: {data / 'records.jsonl'}: 1 unreadable line (line 3)" in result.stderr
    assert "[bold yellow]" not in result.stderr and "\\[" not in result.stderr


def test_a_crawl_refuses_a_damaged_log_instead_of_starting_records_again(data, tmp_path):
    before = replace_line(data, 2, "ünreadable \ufffd line\n".encode("cp1252", "replace"))
    damaged = (data / "records.jsonl").read_bytes()
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        sites = tmp_path / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        result = werger("crawl", sites, "--out", data, "--models-dir", tmp_path / "none")
    assert result.exit_code == 3
    assert "1 unreadable line (line 2)" in result.stderr and "werger repair" in result.stderr
    assert (data / "records.jsonl").read_bytes() == damaged
    assert json.loads(before)["id"] not in RecordLog(data).latest()


def test_repair_moves_unreadable_lines_to_quarantine_and_writers_work_again(data):
    garbage = b"<<<<<<< merge conflict left in the log\n"
    replace_line(data, 4, garbage)
    lines_before = (data / "records.jsonl").read_bytes().count(b"\n")
    with pytest.raises(LogDamagedError):
        RecordLog(data).revise({"0" * 32: lambda latest: None})
    result = werger("repair", "--data", data)
    assert result.exit_code == 0, result.stderr
    assert "moved 1 unreadable line (4)" in result.stdout and "records.jsonl.quarantine" in result.stdout
    assert (data / "records.jsonl.quarantine").read_bytes() == garbage
    assert (data / "records.jsonl").read_bytes().count(b"\n") == lines_before - 1
    assert werger("export", "--data", data).exit_code == 0
    record = next(iter(RecordLog(data).latest().values()))
    from store.record import Status
    from store.revise import decided

    RecordLog(data).append_revision(decided(record, Status.APPROVED, "amina"))
    assert duplicate_pairs(data) == []
    assert "nothing to repair" in werger("repair", "--data", data).stdout


def test_a_log_resaved_as_utf16_is_named_and_converted_back(data):
    path = data / "records.jsonl"
    original = path.read_bytes()
    path.write_bytes(original.decode("utf-8").encode("utf-16"))
    result = werger("export", "--data", data)
    assert result.exit_code == 3 and "UTF-16" in result.stderr and "Traceback" not in result.stderr
    repaired = werger("repair", "--data", data)
    assert repaired.exit_code == 0 and "converted" in repaired.stdout
    assert path.read_bytes() == original
    assert not (data / "records.jsonl.quarantine").exists()


def test_lines_of_a_newer_schema_are_named_and_never_appended_to(data):
    newer = json.dumps({"schema": "werger.record/2", "id": "b" * 32, "revision": 7, "shape": "new"})
    path = data / "records.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(newer + "\n")
    result = werger("export", "--data", data)
    assert result.exit_code == 3
    assert "written by a newer werger (werger.record/2)" in result.stderr
    with pytest.raises(NewerLogError, match="will not append"):
        RecordLog(data).revise({"b" * 32: lambda latest: None})
    before = path.read_bytes()
    refused = werger("repair", "--data", data)
    assert refused.exit_code == 3 and "newer werger" in refused.stderr
    assert path.read_bytes() == before


def test_the_review_app_shows_the_damage_and_refuses_to_save(data):
    replace_line(data, 2, b"not json at all\n")
    for name, password in PASSWORDS.items():
        Users(data).add(name, password)
    record = next(iter(RecordLog(data).latest().values()))
    with serve_review(data) as url, httpx.Client(base_url=url) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post("/login", data={"name": "amina", "password": PASSWORDS["amina"], "csrf_token": token})
        queue = client.get("/")
        assert "1 unreadable line (line 2)" in queue.text
        page = client.get(f"/records/{record.id}")
        token = CSRF.search(page.text).group(1)
        form = {"csrf_token": token, "base": str(record.revision), "action": "save", "t0": "Mine."}
        response = client.post(f"/records/{record.id}", data=form)
    assert response.status_code == 503
    assert "Not saved" in response.text and "Mine." in response.text


def test_translate_names_a_line_that_is_not_utf8(data, tmp_path):
    source = tmp_path / "in.jsonl"
    lines = (data / "records.jsonl").read_bytes().splitlines(keepends=True)
    lines[1] = "Zürich im Überblick\n".encode("cp1252")
    lines[3] = b"\xff\xfe{\x00}\x00\n"
    source.write_bytes(b"".join(lines))
    result = werger("translate", source, "--models-dir", tmp_path / "none", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert f"{source}:2: not UTF-8 text at byte 1" in result.stderr
    assert "2 unreadable lines in all (lines 2, 4)" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out.jsonl").exists()


def test_a_crawl_refuses_a_log_with_lines_from_a_newer_werger(data, tmp_path):
    path = data / "records.jsonl"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"schema": "werger.record/2", "id": "c" * 32, "revision": 1}) + "\n")
    before = path.read_bytes()
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        sites = tmp_path / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        result = werger("crawl", sites, "--out", data, "--models-dir", tmp_path / "none")
    assert result.exit_code == 3 and "written by a newer werger" in result.stderr
    assert path.read_bytes() == before


def test_repair_drops_a_byte_order_mark_and_keeps_the_line(data):
    path = data / "records.jsonl"
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original)
    assert werger("export", "--data", data).exit_code == 3
    result = werger("repair", "--data", data)
    assert "converted 1 line(s)" in result.stdout and path.read_bytes() == original
