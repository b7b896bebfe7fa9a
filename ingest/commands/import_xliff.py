"""``werger import-xliff``: edits made in a CAT tool back as revisions (``store.xliff``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    DataDir,
    err,
    fail,
)


def import_xliff(
    xliff_file: Annotated[Path, typer.Argument(help="An XLIFF 2 file made by werger export.")],
    data: DataDir,
    by: Annotated[str, typer.Option("--by", help="Reviewer the new revisions are credited to.")],
) -> None:
    """Bring edits made in a CAT tool back as new revisions (records changed meanwhile are skipped).

    Example: werger import-xliff ckb.xlf --data data/ --by amina
    """
    from store.index import CrawlIndex
    from store.xliff import import_xliff as run_import

    try:
        index = CrawlIndex(data)
        try:
            report = run_import(xliff_file, index.log, by)
        finally:
            index.close()
    except USER_ERRORS as exc:
        raise fail(exc) from None
    Console(markup=False).print(
        f"updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"conflicts {len(report.conflicts)}",
        highlight=False,
        soft_wrap=True,
    )
    for record_id in report.conflicts:
        err.print(f"conflict: {record_id} changed since the export; export it again", highlight=False)
    if report.conflicts:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("import-xliff")(import_xliff)
