"""A crawl of several sites (extraction in worker processes) stopped by SIGTERM, Ctrl-C or SIGKILL.

``werger crawl`` runs as a subprocess in a session of its own, as under systemd or cron; its
worker processes share its process group, so whatever is left of the group after it ends is an
orphan. A stop signal ends the run within seconds: what was fetched is stored, the run summary
says the run was interrupted and how many URLs wait for the next run, the exit code is non-zero
and no process is left behind. Even SIGKILL, which werger cannot handle, leaves no worker behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

SITES = 2
PAGES = 60
TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
]


def group_members(group: int) -> list[int]:
    """Live (not zombie) processes whose process group is ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(entry.name))
    return found


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def slow_sites(tmp_path):
    """Two sites of 60 articles, each page answered after 0.5 s."""
    with controlled_site() as first, controlled_site() as second:
        tables = []
        for number, site in enumerate((first, second)):
            links = [f"/news/{page}.html" for page in range(PAGES)]
            site.route("/", Reply(body=article("Home", [], links)))
            for page in range(PAGES):
                body = article(f"Story {number} {page}", [f"{t} Story {page}." for t in TEXT])
                site.route(f"/news/{page}.html", Reply(body=body, delay=0.5))
            tables.append(
                f'[sites.s{number}]\nstart_urls = ["{site.base}/"]\nallow = ["/news/"]\n'
                "delay = 0\nconcurrency = 2\nallow_private = true\n"
            )
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text('[crawler]\nextract_processes = 2\n' + "\n".join(tables), encoding="utf-8")
        yield sites_file


def start_crawl(sites_file: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "ingest.cli", "crawl", str(sites_file), "--out", str(out)]
    return subprocess.Popen(
        command,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # a shell without job control starts background commands with SIGINT ignored; a
        # terminal's Ctrl-C reaches a process that has it as Python sets it up
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def workers_running(process: subprocess.Popen) -> bool:
    return len(group_members(process.pid)) >= 4  # werger, fork server, two workers


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_run_cleanly(slow_sites, tmp_path, stop):
    out = tmp_path / "out"
    process = start_crawl(slow_sites, out)
    try:
        assert wait_for(lambda: workers_running(process), 30), "no worker processes started"
        time.sleep(1.0)  # some pages fetched and extracted, most still to come
        os.killpg(process.pid, stop) if stop == signal.SIGINT else process.send_signal(stop)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode != 0, output
    assert "Traceback" not in output, output
    assert wait_for(lambda: not group_members(process.pid), 10), "processes left behind"
    summary = json.loads((out / "run-summary.json").read_text(encoding="utf-8"))
    assert not summary["ok"]
    assert "interrupted" in " ".join(summary["reasons"]), summary["reasons"]
    stored = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert 0 < len(stored) < SITES * PAGES
    left = sum(site["skipped"].get("interrupted", 0) for site in summary["sites"])
    assert len(stored) + left >= SITES * PAGES - 4  # fetched pages stored, the rest left queued
    again = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "crawl", str(slow_sites), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stdout + again.stderr  # the lock was released
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == SITES * PAGES


def test_sigkill_leaves_no_worker_process_behind(slow_sites, tmp_path):
    process = start_crawl(slow_sites, tmp_path / "out")
    try:
        assert wait_for(lambda: workers_running(process), 30), "no worker processes started"
        process.kill()
        process.communicate(timeout=10)
        assert wait_for(lambda: not group_members(process.pid), 15), group_members(process.pid)
    finally:
        for pid in group_members(process.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_worker_killed_mid_run_costs_no_page(slow_sites, tmp_path):
    """The OOM killer (or a crash in a parser's C code) ends one extraction worker: the pages it
    held and every page after are extracted in threads, and the run stores every page."""
    out = tmp_path / "out"
    process = start_crawl(slow_sites, out)
    try:
        assert wait_for(lambda: workers_running(process), 30), "no worker processes started"
        time.sleep(1.0)
        workers = [pid for pid in group_members(process.pid) if process.pid not in (pid, _parent(pid))]
        os.kill(workers[0], signal.SIGKILL)
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output
    assert "extracting in threads" in output, output
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == SITES * PAGES
    assert wait_for(lambda: not group_members(process.pid), 10), "processes left behind"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
