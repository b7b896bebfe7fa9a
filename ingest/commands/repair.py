"""``werger repair``: move unreadable lines of a data folder's log aside (``store.repair``)."""

from __future__ import annotations

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    DataDir,
    fail,
)


def repair(data: DataDir) -> None:
    """Move unreadable lines of DATA/records.jsonl aside to DATA/records.jsonl.quarantine.

    Nothing is deleted: each unreadable line is appended, byte for byte, to the quarantine file and
    the log is rewritten without it (under the log's lock, through a rename). A log re-saved as
    UTF-16, or lines with a UTF-8 byte-order mark, are converted back instead. Lines written by a
    newer werger are left alone: upgrade werger for those. Run it when another command reports
    unreadable lines (exit code 3).

    Example: werger repair --data data/
    """
    from store.log import RecordLog
    from store.repair import describe
    from store.repair import repair as run_repair

    log = RecordLog(data)
    try:
        report = run_repair(log)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    Console().print(describe(report, log.path), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(repair)
