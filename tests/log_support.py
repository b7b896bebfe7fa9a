"""Logs as they may lie on disk (written by hand, by another tool, or by older code), for tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from store.log import LOG_NAME
from store.record import Record


def write_lines(directory: Path, records: Iterable[Record | str | bytes]) -> Path:
    """Append records (or raw lines) to ``directory``/records.jsonl without the revision protocol."""
    path = Path(directory) / LOG_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        for item in records:
            if isinstance(item, Record):
                item = item.to_json_line()
            fh.write((item.encode("utf-8") if isinstance(item, str) else item) + b"\n")
    return path


def duplicate_pairs(directory: Path) -> list[tuple[str, int]]:
    """(id, revision) pairs that occur on more than one line of the log: there must be none."""
    import json

    pairs: Counter[tuple[str, int]] = Counter()
    path = Path(directory) / LOG_NAME
    if not path.exists():
        return []
    with path.open("rb") as fh:
        for raw in fh:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and "id" in line and "revision" in line:
                pairs[(line["id"], line["revision"])] += 1
    return sorted(pair for pair, count in pairs.items() if count > 1)
