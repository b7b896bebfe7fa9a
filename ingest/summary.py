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

from store.files import write_atomically


@dataclass
class Failure:
    url: str
    reason: str


@dataclass
class SiteSummary:
    """Counts for one site; every URL the run touched lands in exactly one outcome."""

    site: str
    pages_fetched: int = 0
    records_written: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    not_modified: int = 0
    removed: list[str] = field(default_factory=list)
    retried: int = 0
    languages: Counter[str] = field(default_factory=Counter)
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
            "written": self.records_written,
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
        for name in ("languages", "statuses", "untranslated_reasons", "skipped"):
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


def render(summary: RunSummary, console=None) -> None:
    """Print the summary as tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if not console.is_terminal:
        console.width = max(console.width, 140)
    table = Table(title="werger run")
    for column in _COLUMNS:
        table.add_column(column, justify="left" if column in ("site", "languages") else "right")
    for site in summary.sites:
        table.add_row(
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
    console.print(table)
    for site in summary.sites:
        for reason, count in site.untranslated_reasons.most_common():
            console.print(
                f"[yellow]untranslated[/] {site.site}: {count} page(s): {reason}",
                highlight=False,
                soft_wrap=True,
            )
        for url in site.removed:
            console.print(f"[yellow]removed[/] {url}", highlight=False, soft_wrap=True)
        for failure in site.failures:
            console.print(f"[red]failed[/] {failure.url}: {failure.reason}", highlight=False, soft_wrap=True)
        if site.skipped:
            skipped = ", ".join(f"{why} {n}" for why, n in sorted(site.skipped.items()))
            console.print(f"skipped {site.site}: {skipped}", highlight=False, soft_wrap=True)
    for reason in summary.reasons:
        console.print(f"[bold red]not ok[/] {reason}", highlight=False, soft_wrap=True)
