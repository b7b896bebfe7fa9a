"""``kill -9`` during crawls that revise edited records: the log must stay readable, without loss.

Editors' corrections are saved first; then, again and again, the pages change, ``werger crawl``
starts as a subprocess and is killed with SIGKILL at a random moment between 0.3 and 1.1 times
the length of a whole crawl (so some kills land after it wrote). A last crawl runs to the end.
Afterwards every command reads the log without reporting an unreadable line, no (id, revision)
pair occurs twice, and every correction is still in the latest state.

Run it alone for the figures: ``uv run python tests/kill_loop.py --kills 30``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from log_support import duplicate_pairs
from writers_race import ROOT, change_last_paragraphs, editable, sites_toml, tiny_models, werger

from ingest.demo import serve_directory
from store.log import RecordLog
from store.revise import edited


def run(kills: int, workdir: Path, models_dir: Path | None, seed: int = 7, say=print) -> dict:
    rng = random.Random(seed)
    site, data = workdir / "site", workdir / "data"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    models = ["--models-dir", str(models_dir or workdir / "no-models")]
    figures = {"kills": 0, "killed_while_running": 0, "killed_after_writing": 0, "torn_lines_moved_aside": 0}
    with serve_directory(site) as base_url:
        sites = workdir / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        crawl = werger("crawl", str(sites), "--out", str(data), *models)
        started = time.monotonic()
        subprocess.run(crawl, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        duration = time.monotonic() - started
        figures["first_crawl_seconds"] = round(duration, 1)
        log = RecordLog(data)
        corrections = {}
        for record in editable(data):
            text = f"Correction kept through every crawl ({record.id[:6]})."
            log.append_revision(edited(record, {0: text}, "amina"))
            corrections[record.id] = text
        for n in range(1, kills + 1):
            change_last_paragraphs(site, editable(data), n)
            before = log.path.stat().st_size
            process = subprocess.Popen(
                crawl, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.3, 1.1) * duration)  # from start-up to after the last write
            running = process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            figures["kills"] += 1
            figures["killed_while_running"] += running
            figures["killed_after_writing"] += running and log.path.stat().st_size > before
        change_last_paragraphs(site, editable(data), kills + 1)
        final = subprocess.run(crawl, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    torn = data / "records.jsonl.torn"
    figures["torn_lines_moved_aside"] = len(torn.read_bytes().splitlines()) if torn.exists() else 0
    figures["final_crawl_exit"] = final.returncode
    report = RecordLog(data).check()
    figures["unreadable_lines"] = len(report.invalid_lines) + int(report.torn_tail)
    figures["duplicates"] = len(duplicate_pairs(data))
    latest = RecordLog(data).latest()
    figures["corrections"] = len(corrections)
    figures["corrections_lost"] = sum(
        1 for rid, text in corrections.items() if latest[rid].segments[0].target != text
    )
    export = subprocess.run(
        werger("export", "--data", str(data)), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    figures["export_exit"] = export.returncode
    figures["exported"] = len(export.stdout.splitlines())
    figures["records"] = len(latest)
    if final.returncode != 0:
        say(final.stderr[-1000:])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="werger-kill-") as tmp:
        models = args.models_dir or tiny_models(Path(tmp))
        figures = run(args.kills, Path(tmp), models, args.seed)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    bad = figures["unreadable_lines"] or figures["duplicates"] or figures["corrections_lost"]
    sys.exit(1 if bad or figures["export_exit"] or figures["final_crawl_exit"] else 0)


if __name__ == "__main__":
    main()
