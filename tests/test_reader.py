"""store.reader, the public reader: its rules, and the README's example run as written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ingest.cli import app
from store.errors import RecordInvalidError
from store.log import RecordLog
from store.reader import LogNotFoundError, RecordReader, target_text
from store.record import Review, Status, utc_now

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reader") / "data"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--models-dir", str(out.parent / "m")])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def data(demo_data, tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(demo_data, copy)
    return copy


def approve(log: RecordLog, record, status=Status.APPROVED):
    revised = record.model_copy(
        update={
            "revision": record.revision + 1,
            "revised_at": utc_now(),
            "status": status,
            "review": Review(by="amina", at=utc_now()),
        }
    )
    return log.append_revision(revised)


def test_the_readme_example_runs_as_written(data):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reading the records", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(example.splitlines()) <= 14
    result = subprocess.run(
        [sys.executable, "-c", example],
        cwd=data.parent,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    paragraphs = sum(len(r.segments) for r in RecordLog(data).latest().values())
    assert len(printed) == paragraphs + 1
    assert printed[-1] == "0 approved; 1 revision(s) of the last one"


def test_latest_is_the_highest_revision_and_latest_approved_survives_a_newer_one(data):
    log = RecordLog(data)
    first = next(iter(log.latest().values()))
    approved = approve(log, first)
    newer = approve(log, approved, Status.NEEDS_REVIEW)
    reader = RecordReader(data)
    latest = {r.id: r for r in reader.latest()}
    assert len(latest) == 12 and latest[first.id].revision == newer.revision == 3
    assert [(r.id, r.revision) for r in reader.latest_approved()] == [(first.id, 2)]
    assert [r.revision for r in reader.history(first.id)] == [1, 2, 3]
    assert sum(1 for _ in reader.revisions()) == 14


def test_a_partly_written_last_line_is_skipped_and_reported(data):
    with (data / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"schema":"werger.record/1","id":"0123')
    reader = RecordReader(data)
    assert len(list(reader.latest())) == 12 and reader.report.torn_tail


def test_invalid_lines_are_skipped_and_listed_or_raise_when_strict(data):
    lines = (data / "records.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "records.jsonl").write_text("".join([lines[0], "not json\n", *lines[1:]]), encoding="utf-8")
    reader = RecordReader(data)
    assert len(list(reader.revisions())) == 12 and reader.report.invalid_lines == [2]
    with pytest.raises(RecordInvalidError, match="line 2"):
        list(RecordReader(data, strict=True).revisions())


def test_a_folder_without_a_log_is_an_error(tmp_path):
    with pytest.raises(LogNotFoundError, match=r"records\.jsonl does not exist"):
        RecordReader(tmp_path)


def test_target_text_falls_back_to_the_source_only_in_the_target_language(data):
    records = list(RecordReader(data).latest())
    english = next(r for r in records if r.source_lang == "en")
    russian = next(r for r in records if r.source_lang == "ru")
    assert target_text(english, english.segments[0]) == english.segments[0].source
    assert russian.segments[0].target is None and target_text(russian, russian.segments[0]) is None
