"""What a crawl shows while it runs: a live display on a terminal, plain log lines under cron.

The pipeline calls a ``Progress`` for every URL outcome; it never prints by itself, so a run is
equally at home in a terminal, a systemd journal or a test.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from ingest.summary import SiteSummary, markup_text, terminal_text


class Progress(Protocol):
    def site_started(self, site: str) -> None: ...
    def advanced(self, summary: SiteSummary, queued: int, url: str, outcome: str) -> None: ...
    def site_finished(self, summary: SiteSummary) -> None: ...
    def close(self) -> None: ...


class Silent:
    """For library use and tests."""

    def site_started(self, site: str) -> None:
        return

    def advanced(self, summary: SiteSummary, queued: int, url: str, outcome: str) -> None:
        return

    def site_finished(self, summary: SiteSummary) -> None:
        return

    def close(self) -> None:
        return


class LogLines:
    """One line per failure and removal, and a count line every ``every`` seconds: journal-friendly."""

    def __init__(self, stream: TextIO | None = None, every: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0

    def _line(self, text: str) -> None:
        print(f"werger: {terminal_text(text)}", file=self.stream, flush=True)

    def site_started(self, site: str) -> None:
        self._line(f"site {site}: started")
        self._last = time.monotonic()

    def advanced(self, summary: SiteSummary, queued: int, url: str, outcome: str) -> None:
        if outcome.startswith(("failed", "removed")):
            self._line(f"site {summary.site}: {outcome}: {url}")
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self._line(f"site {summary.site}: {_counts(summary)}, {queued} queued")

    def site_finished(self, summary: SiteSummary) -> None:
        state = f"not ok: {summary.error}" if summary.error else "done"
        self._line(f"site {summary.site}: {state}: {_counts(summary)}")

    def close(self) -> None:
        return


class LiveDisplay:
    """A rich progress bar per site, with the counts that matter."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
        )
        self._progress.start()
        self._tasks: dict[str, int] = {}

    def site_started(self, site: str) -> None:
        self._tasks[site] = self._progress.add_task(markup_text(site), total=None, counts="")

    def advanced(self, summary: SiteSummary, queued: int, url: str, outcome: str) -> None:
        task = self._tasks[summary.site]
        done = sum(summary.outcomes.values())
        self._progress.update(task, completed=done, total=done + queued, counts=_counts(summary))

    def site_finished(self, summary: SiteSummary) -> None:
        task = self._tasks[summary.site]
        done = sum(summary.outcomes.values())
        self._progress.update(task, completed=done, total=done, counts=_counts(summary))

    def close(self) -> None:
        self._progress.stop()


def for_stream(stream: TextIO | None = None) -> Progress:
    """A live display on a terminal, log lines otherwise (cron, systemd, pipes)."""
    stream = stream or sys.stderr
    return LiveDisplay() if stream.isatty() else LogLines(stream)


def _counts(summary: SiteSummary) -> str:
    return ", ".join(f"{name} {count}" for name, count in summary.outcomes.items() if count)
