"""Repair a log with unreadable lines: move them aside, never delete them.

Lines that are not records (garbage, a damaged line) are appended byte for byte to
``records.jsonl.quarantine`` beside the log, and the log is rewritten without them, under the log's
write lock, through a temporary file and a rename, so a crash leaves the old log or the new one.
Lines that only lost their encoding are converted instead: a file re-saved as UTF-16 (with its
byte-order mark) or a UTF-8 byte-order mark in front of a line. Lines written by a newer record
schema are data for a newer werger: repair refuses to touch such a log.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from store.errors import NewerLogError
from store.log import QUARANTINE_SUFFIX, ReadReport, RecordLog, parse_foreign_line, parse_line

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class RepairReport:
    """What a repair did; line numbers are those of the log before the repair."""

    quarantined: list[int] = field(default_factory=list)
    converted: list[int] = field(default_factory=list)
    kept: int = 0
    quarantine: Path | None = None


def repair(log: RecordLog) -> RepairReport:
    """Move the unreadable lines of ``log`` to its quarantine file; convert re-encoded ones.

    Raises NewerLogError when a newer werger wrote part of the log (upgrade instead).
    """
    report = RepairReport(quarantine=Path(str(log.path) + QUARANTINE_SUFFIX))
    if not log.path.exists():
        return report
    with log.write_lock():
        with log.path.open("rb") as fh:
            utf16 = fh.read(2) in _UTF16_BOMS
        if not utf16:  # a UTF-16 file's last line ends in b"\n\x00": not a torn line
            log.move_torn_tail_aside()
        lines = _lines(log.path)
        good: list[bytes] = []
        bad: list[bytes] = []
        newer = ReadReport()
        for number, raw in enumerate(lines, start=1):
            fixed, schema = _readable(raw)
            if schema is not None:
                newer.newer_lines.append(number)
                newer.newer_schemas.add(schema)
            if fixed is None:
                report.quarantined.append(number)
                bad.append(raw if raw.endswith(b"\n") else raw + b"\n")
                continue
            if fixed != raw or utf16:
                report.converted.append(number)
            good.append(fixed)
        if newer.newer_lines:
            raise NewerLogError("; ".join(newer.problems(log.path)), newer)
        report.kept = len(good)
        if not bad and not report.converted:
            return report
        if bad:
            with report.quarantine.open("ab") as fh:
                fh.writelines(bad)
                fh.flush()
                os.fsync(fh.fileno())
        _replace(log.path, good)
    return report


def _lines(path: Path) -> list[bytes]:
    """The log's lines; a UTF-16 file (byte-order mark first) is decoded whole and re-encoded."""
    data = path.read_bytes()
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return data.splitlines(keepends=True)
        return [line.encode("utf-8") + b"\n" for line in text.splitlines() if line.strip()]
    return [line for line in data.splitlines(keepends=True) if line.strip()]


def _readable(raw: bytes) -> tuple[bytes | None, str | None]:
    """(the line as werger can read it, maybe without a byte-order mark, or None; a newer schema)."""
    line = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    if not line.endswith(b"\n"):
        line += b"\n"
    if parse_line(line) is not None:
        return line, None
    record, newer = parse_foreign_line(line)
    return (line if record is not None else None), newer


def _replace(path: Path, lines: list[bytes]) -> None:
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(partial, path.stat().st_mode & 0o777)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def describe(report: RepairReport, path: Path) -> str:
    """One line for the operator."""
    if not report.quarantined and not report.converted:
        return f"{path}: every line is readable; nothing to repair"
    parts = []
    if report.quarantined:
        count = len(report.quarantined)
        parts.append(
            f"moved {count} unreadable line{'s' if count != 1 else ''} "
            f"({', '.join(map(str, report.quarantined[:20]))}{' ...' if count > 20 else ''}) "
            f"to {report.quarantine}"
        )
    if report.converted:
        parts.append(f"converted {len(report.converted)} line(s) to plain UTF-8")
    return f"{path}: " + "; ".join(parts) + f"; {report.kept} lines kept"
