"""`werger status`: what a data folder holds and how its last crawl went, read from a real crawl."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from typer.testing import CliRunner

from ingest.cli import app


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "data"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--models-dir", str(out.parent / "none")])
    assert result.exit_code == 0, result.output
    return out


def test_status_counts_records_per_site_language_and_status(demo_data, models_dir):
    result = CliRunner().invoke(
        app, ["status", "--data", str(demo_data), "--models-dir", str(models_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    lines = [json.loads(x) for x in (demo_data / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = Counter((x["site"], x["source_lang"], x["status"]) for x in lines)
    shown = {(r["site"], r["lang"], r["status"]): r["records"] for r in report["by_site"]}
    assert shown == dict(expected) and report["records"] == len(lines) == 12
    assert report["last_revised_at"] == max(x["revised_at"] for x in lines).replace("Z", "+00:00")
    assert report["last_run"]["ok"] is True and report["last_run"]["outcomes"]["written"] == 12
    assert [m["pair"] for m in report["models"]["installed"]] == ["ru->en"]
    assert report["disk"]["records.jsonl"] == (demo_data / "records.jsonl").stat().st_size
    assert report["disk_total"] >= sum(report["disk"].values())


def test_status_shows_a_failed_last_run_and_a_torn_line(demo_data, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    summary = json.loads((data / "run-summary.json").read_text(encoding="utf-8"))
    summary.update(ok=False, reasons=["partner: run time limit reached; 4 URL(s) left for the next run"])
    (data / "run-summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with (data / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"schema":"werger.record/1","id":"')
    result = CliRunner().invoke(app, ["status", "--data", str(data), "--models-dir", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "12 records" in result.output
    assert "NOT OK: partner: run time limit reached; 4 URL(s) left for the next run" in result.output
    assert "last line of records.jsonl is incomplete" in result.output
    assert "models in" in result.output and ": none" in result.output


def test_status_says_when_a_crawl_is_running(tmp_path):
    """A crawl holding the folder is shown (its pid and start), not only the last finished run."""
    from ingest.runlock import RunLock

    with RunLock(tmp_path):
        shown = CliRunner().invoke(app, ["status", "--data", str(tmp_path)]).output
        report = json.loads(CliRunner().invoke(app, ["status", "--data", str(tmp_path), "--json"]).output)
    assert report["running"].startswith(f"pid {os.getpid()} since ")
    assert f"crawl running: pid {os.getpid()} since" in shown
    report = json.loads(CliRunner().invoke(app, ["status", "--data", str(tmp_path), "--json"]).output)
    assert report["running"] is None
    (tmp_path / "crawl.lock.holder").write_text("pid 999999999 since 2026-01-01T00:00:00+00:00\n")
    report = json.loads(CliRunner().invoke(app, ["status", "--data", str(tmp_path), "--json"]).output)
    assert report["running"] is None  # left by a crawl that was killed: its process is gone
