"""The crawl run history: one JSON line per ``werger crawl`` run in ``runs.jsonl`` beside the log.

``run-summary.json`` holds only the last run; the history keeps each run's totals so the dashboard
and monitoring can show runs over time. A line is appended in one write after the run ends; a line
that cannot be read (a crash mid-write) is skipped by readers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RUNS_NAME = "runs.jsonl"
TOTALS = ("new", "revised", "unchanged", "not_modified", "removed", "failed")


def append_run(directory: Path, entry: dict) -> None:
    """Append one run's entry ({"started_at", "finished_at", "ok", totals..., "sites"})."""
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(Path(directory) / RUNS_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_runs(directory: Path, last: int = 60) -> list[dict]:
    """The last ``last`` runs, oldest first; unreadable lines are skipped."""
    path = Path(directory) / RUNS_NAME
    if not path.exists():
        return []
    runs = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                runs.append(entry)
    return runs[-last:]
