"""The run summary: what happened to every URL, per site, for operators and their monitoring.

Every URL a run touches lands in exactly one outcome: written (new or revised), unchanged (same
clean text), not modified (HTTP 304), removed (404/410 for a page stored before), skipped (with
the reason) or failed (with the URL and the reason). A site that could not run as a whole (robots
.txt unreadable, every seed failing, the run's time limit) carries an ``error``; the run is ``ok``
only when every site ran.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.text import Text

from ingest.logs import printable
from store.files import write_atomically


def terminal_text(text: object) -> str:
    """Text from outside (URLs, reasons, titles) made safe for a terminal: no control characters.

    Escape sequences and bidirectional overrides could rewrite what an operator sees.
    """
    return printable(text, keep_lines=True)


def markup_text(text: object) -> str:
    """``terminal_text`` escaped for rich markup, so ``[/]`` in a URL is shown, never parsed."""
    from rich.markup import escape

    return escape(terminal_text(text))


@dataclass
class Failure:
    url: str
    reason: str


@dataclass
class SiteSummary:
    """Counts for one site; every URL the run touched lands in exactly one outcome.

    ``records_written`` counts lines appended to the log: new and revised records plus the removal
    revisions written for stored pages that now answer 404/410. ``new_urls``, ``revised_urls`` and
    ``removed`` list the URLs behind those lines, so monitoring can act on each one.
    """

    site: str
    pages_fetched: int = 0
    records_written: int = 0
    new: int = 0
    revised: int = 0
    new_urls: list[str] = field(default_factory=list)
    revised_urls: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_modified: int = 0
    removed: list[str] = field(default_factory=list)
    retried: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    outside_languages: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    untranslated_reasons: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    def fail(self, url: str, reason: str) -> None:
        self.failures.append(Failure(url, reason))

    @property
    def outcomes(self) -> dict[str, int]:
        """How many URLs ended in each outcome."""
        return {
            "written": self.new + self.revised,
            "unchanged": self.unchanged,
            "not_modified": self.not_modified,
            "removed": len(self.removed),
            "skipped": sum(self.skipped.values()),
            "failed": len(self.failures),
        }

    def to_dict(self) -> dict:
        """Plain JSON types (dataclasses.asdict mangles Counters)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["failures"] = [asdict(f) for f in self.failures]
        data["outcomes"] = self.outcomes
        for name in ("languages", "outside_languages", "statuses", "untranslated_reasons", "skipped"):
            data[name] = dict(sorted(data[name].items()))
        return data


@dataclass
class RunSummary:
    started_at: str
    finished_at: str | None = None
    sites: list[SiteSummary] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(site.error is None for site in self.sites)

    @property
    def reasons(self) -> list[str]:
        """Why the run is not ok, one line per cause."""
        found = [self.error] if self.error else []
        return found + [f"{site.site}: {site.error}" for site in self.sites if site.error]

    def to_dict(self) -> dict:
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            "error": self.error,
            "reasons": self.reasons,
            "sites": [site.to_dict() for site in self.sites],
        }

    def write(self, path: Path) -> None:
        """Write atomically, so monitoring never reads half a summary."""
        write_atomically(path, json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")

    def history_entry(self) -> dict:
        """This run's totals for the run history (``store.runs``): one line per run."""
        totals = {
            "new": sum(s.new for s in self.sites),
            "revised": sum(s.revised for s in self.sites),
            "unchanged": sum(s.unchanged for s in self.sites),
            "not_modified": sum(s.not_modified for s in self.sites),
            "removed": sum(len(s.removed) for s in self.sites),
            "failed": sum(len(s.failures) for s in self.sites),
        }
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            **totals,
            "sites": [s.site for s in self.sites],
        }


_COLUMNS = (
    "site",
    "pages",
    "new",
    "revised",
    "unchanged",
    "304",
    "removed",
    "skipped",
    "failed",
    "languages",
    "translated",
    "untranslated",
)


def _row(site: SiteSummary) -> tuple[str, ...]:
    return (
        site.site,
        str(site.pages_fetched),
        str(site.new),
        str(site.revised),
        str(site.unchanged),
        str(site.not_modified),
        str(len(site.removed)),
        str(sum(site.skipped.values())),
        str(len(site.failures)),
        ", ".join(f"{lang} {n}" for lang, n in sorted(site.languages.items())),
        str(site.statuses.get("machine", 0) + site.statuses.get("needs_review", 0)),
        str(site.statuses.get("untranslated", 0)),
    )


def _table(rows: list[tuple[str, ...]], width: int):
    """One row per site when that fits in ``width`` columns; else one block per site.

    Rich shrinks a table that is too wide by cutting its cells ("par…"), which loses the very
    figures an operator reads the table for; a site per block never has to cut anything.
    """
    from rich.table import Table

    needed = sum(max(len(c), *(len(r[i]) for r in rows)) + 3 for i, c in enumerate(_COLUMNS)) + 1
    if needed <= width:
        table = Table(title="werger run")
        for column in _COLUMNS:
            table.add_column(column, justify="left" if column in ("site", "languages") else "right")
        for row in rows:
            table.add_row(*row)
        return table
    table = Table(title="werger run", show_header=False)
    table.add_column("what", no_wrap=True)
    table.add_column("count", overflow="fold")
    for number, row in enumerate(rows):
        table.add_row(*(Text(part, style="bold") for part in ("site", row[0])), end_section=False)
        for column, value in zip(_COLUMNS[1:], row[1:], strict=True):
            table.add_row(column, value, end_section=column == _COLUMNS[-1] and number < len(rows) - 1)
    return table


def _line(label: str, style: str, text: str) -> Text:
    """A label in colour and text from the crawl taken literally (a URL may hold "[red]" or an
    escape sequence)."""
    from ingest.logs import printable

    return Text.assemble((label, style), " ", printable(text))


def render(summary: RunSummary, console=None) -> None:
    """Print the summary on the terminal; nothing from a crawled page is read as markup."""
    from rich.console import Console

    console = console or Console()
    if not console.is_terminal:
        console.width = max(console.width, 140)
    rows = [_row(site) for site in summary.sites]
    if rows:
        console.print(_table(rows, console.width), markup=False, highlight=False)
    for site in summary.sites:
        for reason, count in site.untranslated_reasons.most_common():
            console.print(
                _line("untranslated", "yellow", f"{site.site}: {count} page(s): {reason}"), soft_wrap=True
            )
        if site.outside_languages:
            found = ", ".join(f"{lang} {n}" for lang, n in sorted(site.outside_languages.items()))
            console.print(
                _line(
                    "not translated",
                    "yellow",
                    f"{site.site}: paragraphs outside the site's languages: {found} "
                    "(--all-languages translates them)",
                ),
                soft_wrap=True,
            )
        for url in site.removed:
            console.print(_line("removed", "yellow", url), soft_wrap=True)
        for failure in site.failures:
            console.print(_line("failed", "red", f"{failure.url}: {failure.reason}"), soft_wrap=True)
        if site.skipped:
            skipped = ", ".join(f"{why} {n}" for why, n in sorted(site.skipped.items()))
            console.print(_line("skipped", "", f"{site.site}: {skipped}"), soft_wrap=True)
    for reason in summary.reasons:
        console.print(_line("not ok", "bold red", reason), soft_wrap=True)


def log_run(summary: RunSummary, out_dir: Path) -> None:
    """One log record for the whole run: info when ok, error with the reasons otherwise."""
    import logging

    outcomes: Counter[str] = Counter()
    for site in summary.sites:
        outcomes.update(site.outcomes)
    text = "run ok" if summary.ok else "run not ok: " + "; ".join(summary.reasons)
    logging.getLogger("werger.crawl").log(
        logging.INFO if summary.ok else logging.ERROR,
        f"{text}: {', '.join(f'{k} {v}' for k, v in outcomes.items() if v) or 'nothing to do'}",
        extra={
            "event": "run_finished",
            "ok": summary.ok,
            "reasons": summary.reasons,
            "counts": dict(outcomes),
            "records_written": sum(site.records_written for site in summary.sites),
            "summary_file": str(out_dir / "run-summary.json"),
        },
    )
