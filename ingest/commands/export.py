"""``werger export``: the latest revision of each record, filtered, as JSONL, XLIFF or post-edit
effort (``store.export``, ``store.xliff``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ingest.commands.common import (
    EXIT_UNREADABLE_LOG,
    USER_ERRORS,
    DataDir,
    fail,
    warn_unreadable,
)


def export(
    data: DataDir,
    status: Annotated[str | None, typer.Option("--status", help="Only records with this status.")] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only records revised on or after this date (YYYY-MM-DD, UTC)."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only records in this source language.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only records of this site.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl, xliff (2.0) or effort (edit distances).")
    ] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Export the latest revision of each record, filtered, as JSONL, XLIFF 2.0 or post-edit effort.

    Examples: werger export --data data/ --status approved --since 2026-01-01 --lang ckb --format xliff
    """
    from datetime import datetime

    from store.export import FORMATS, Filters, select, select_lines, since_datetime, write_effort, write_lines
    from store.index import CrawlIndex
    from store.log import ReadReport
    from store.record import Status
    from store.xliff import to_xliff

    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        filters = Filters(
            status=Status(status) if status else None,
            since=since_datetime(datetime.fromisoformat(since)) if since else None,
            lang=lang,
            site=site,
        )
    except ValueError as exc:
        raise fail(
            f"{exc}; --status is one of {', '.join(s.value for s in Status)}, --since YYYY-MM-DD"
        ) from None
    report = ReadReport()
    try:
        index = CrawlIndex(data)
        index.fill_report(report)
        if fmt == "jsonl":
            with out.open("wb") if out else _stdout(binary=True) as fh:
                write_lines(select_lines(index, filters), fh)
        else:
            records = select(index, filters)
            if fmt == "xliff":
                body = to_xliff(records)
                _ = out.write_bytes(body) if out else sys.stdout.buffer.write(body)
            else:
                with out.open("w", encoding="utf-8") if out else _stdout() as fh:
                    write_effort(records, fh)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    if warn_unreadable(report, data / "records.jsonl"):
        raise typer.Exit(code=EXIT_UNREADABLE_LOG)


def _stdout(binary: bool = False):
    import contextlib

    return contextlib.nullcontext(sys.stdout.buffer if binary else sys.stdout)


def register(app: typer.Typer) -> None:
    app.command()(export)
