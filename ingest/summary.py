"""The run summary: what happened to every URL, per site, for operators and their monitoring."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path


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
    unchanged: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    untranslated_reasons: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def fail(self, url: str, reason: str) -> None:
        self.failures.append(Failure(url, reason))

    def to_dict(self) -> dict:
        """Plain JSON types (dataclasses.asdict mangles Counters)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["failures"] = [asdict(f) for f in self.failures]
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
        return self.error is None

    def to_dict(self) -> dict:
        return {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            "error": self.error,
            "sites": [site.to_dict() for site in self.sites],
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def render(summary: RunSummary) -> None:
    """Print the summary as tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="werger run")
    for column in (
        "site",
        "pages",
        "written",
        "unchanged",
        "languages",
        "translated",
        "untranslated",
        "failed",
    ):
        table.add_column(column, justify="left" if column in ("site", "languages") else "right")
    for site in summary.sites:
        table.add_row(
            site.site,
            str(site.pages_fetched),
            str(site.records_written),
            str(site.unchanged),
            ", ".join(f"{lang} {n}" for lang, n in sorted(site.languages.items())),
            str(site.statuses.get("machine", 0) + site.statuses.get("needs_review", 0)),
            str(site.statuses.get("untranslated", 0)),
            str(len(site.failures)),
        )
    console.print(table)
    for site in summary.sites:
        for reason, count in site.untranslated_reasons.most_common():
            console.print(
                f"[yellow]untranslated[/] {site.site}: {count} page(s): {reason}",
                highlight=False,
                soft_wrap=True,
            )
        for failure in site.failures:
            console.print(f"[red]failed[/] {failure.url}: {failure.reason}", highlight=False, soft_wrap=True)
        if site.skipped:
            skipped = ", ".join(f"{why} {n}" for why, n in sorted(site.skipped.items()))
            console.print(f"skipped {site.site}: {skipped}", highlight=False, soft_wrap=True)
