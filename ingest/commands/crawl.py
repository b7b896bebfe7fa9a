"""``werger crawl`` and ``werger demo``: crawl sites into a data folder (or, with --dry-run, only
show what would be fetched)."""

from __future__ import annotations

import typer

from ingest.commands.common import fail, out
from ingest.config import Config
from ingest.logs import printable


def show_plan(config: Config) -> None:
    """Print what a crawl of ``config`` would start fetching; write nothing.

    Output: one line per URL discovery found (``fetch``, or why not, and where it came from) on
    standard output, then a count line per site. Exits 1 when a site has nothing to fetch.
    """
    from ingest.preflight import discover

    plans = discover(config.sites, config.crawler)
    empty = []
    for plan in plans:
        for planned in plan.urls:
            fields = (plan.site, planned.verdict, planned.url, planned.via)
            typer.echo("\t".join(printable(field) for field in fields))
    for plan in plans:
        verdicts: dict[str, int] = {}
        for planned in plan.urls:
            verdicts[planned.verdict] = verdicts.get(planned.verdict, 0) + 1
        counts = ", ".join(
            f"{n} {'to fetch' if verdict == 'fetch' else verdict}" for verdict, n in verdicts.items()
        )
        out.print(f"{plan.site}: {counts or 'nothing found'}; links inside pages are found only by a crawl")
        for problem in plan.problems:
            out.print(f"{plan.site}: problem: {printable(problem)}")
        if not plan.to_fetch:
            empty.append(plan.site)
    if empty:
        raise fail(f"nothing to fetch for {', '.join(empty)}")
