"""Translation as a stage on its own: records in from JSONL, translated records out.

So a crawl made elsewhere, an export, or records whose model was missing at crawl time can be
translated later or on another machine. The output is written to a temporary file and renamed at
the end, so a bad line or a crash never leaves half a file, and the input is never touched.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from store.errors import RecordInvalidError
from store.record import SCHEMA_ID, Record
from translate.cache import TranslationMemory
from translate.engine import EngineRegistry
from translate.records import translate_records

BATCH_RECORDS = 64


def read_records(path: Path) -> Iterator[Record]:
    """Every record of a JSONL file; a line that is not a record stops the run.

    The error names the first bad line and why (not UTF-8, not JSON, not a werger record, written
    by a newer werger), and counts the bad lines of the whole file, so one message tells the
    operator how much is wrong. Lines are read as bytes, so a file in another encoding is a
    message, not a crash.
    """
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            record, problem = _parse(raw)
            if record is not None:
                yield record
                continue
            bad = [number, *_bad_lines(fh, number)]
            more = f"; {len(bad)} unreadable lines in all ({_numbers(bad)})" if len(bad) > 1 else ""
            raise RecordInvalidError(f"{path}:{number}: {problem}{more}")


def _parse(raw: bytes) -> tuple[Record | None, str | None]:
    """The record on a line, or None and why it is not a record this werger reads."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (the file looks like UTF-16)" if b"\x00" in raw else ""
        return None, f"not UTF-8 text at byte {exc.start}{hint}; save the file as UTF-8"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    schema = data.get("schema") if isinstance(data, dict) else None
    if isinstance(schema, str) and schema != SCHEMA_ID and schema.startswith("werger.record/"):
        return None, f"written by a newer werger ({schema}); upgrade werger to read it"
    try:
        return Record.model_validate(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "line"
        return None, f"not a werger record ({where}: {first['msg']})"


def _bad_lines(fh, after: int) -> list[int]:
    return [n for n, raw in enumerate(fh, start=after + 1) if raw.strip() and _parse(raw)[0] is None]


def _numbers(numbers: list[int], shown: int = 10) -> str:
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return "lines " + ", ".join(map(str, numbers[:shown])) + more


def translate_file(
    source: Path,
    destination: Path | None,
    registry: EngineRegistry,
    target: str,
    memory: TranslationMemory | None = None,
) -> int:
    """Translate every record of ``source`` into ``destination`` (stdout when None); returns the count."""
    if destination is None:
        return _translate_into(source, sys.stdout, registry, target, memory)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            count = _translate_into(source, out, registry, target, memory)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, destination)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return count


def _translate_into(
    source: Path, out: TextIO, registry: EngineRegistry, target: str, memory: TranslationMemory | None
) -> int:
    count = 0
    batch: list[Record] = []
    for record in read_records(source):
        batch.append(record)
        if len(batch) >= BATCH_RECORDS:
            count += _write(translate_records(batch, registry, target, memory), out)
            batch = []
    if batch:
        count += _write(translate_records(batch, registry, target, memory), out)
    return count


def _write(records: list[Record], out: TextIO) -> int:
    out.writelines(record.to_json_line() + "\n" for record in records)
    return len(records)
