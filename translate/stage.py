"""Translation as a stage on its own: records in from JSONL, translated records out.

So a crawl made elsewhere, an export, or records whose model was missing at crawl time can be
translated later or on another machine. The output is written to a temporary file and renamed at
the end, so a bad line or a crash never leaves half a file, and the input is never touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from store.errors import RecordInvalidError
from store.record import Record
from translate.cache import TranslationMemory
from translate.engine import EngineRegistry
from translate.records import translate_records

BATCH_RECORDS = 64


def read_records(path: Path) -> Iterator[Record]:
    """Every record of a JSONL file; a line that is not a record stops with its number."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield Record.from_json_line(line)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                raise RecordInvalidError(
                    f"{path}:{number}: not a werger record ({where}: {first['msg']})"
                ) from None


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
