"""What a crawl shows while it runs: a live display on a terminal, log records under cron.

The pipeline calls a ``Progress`` for every URL outcome; it never prints by itself, so a run is
equally at home in a terminal, a systemd journal or a test.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Protocol, TextIO

from ingest.summary import SiteSummary, markup_text


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
    """Log records through the ``werger.crawl`` logger: journal- and log-shipper-friendly.

    debug: every URL's outcome; info: a site's start and end, removals, and a count line every
    ``every`` seconds; warning: every failure; error: a site that could not run. Each record
    carries ``site`` and, where there is one, ``url``, ``outcome`` and ``counts`` as fields, which
    ``--log-format json`` writes out.
    """

    def __init__(self, logger: logging.Logger | None = None, every: float = 10.0) -> None:
        self.logger = logger or logging.getLogger("werger.crawl")
        self.every = every
        self._last = 0.0

    def _log(self, level: int, text: str, **fields: object) -> None:
        # The formatter makes the text safe: text lines show control characters as \xNN, JSON
        # escapes them; replacing them here would hide what the URL held.
        self.logger.log(level, text, extra=fields)

    def site_started(self, site: str) -> None:
        self._log(logging.INFO, f"site {site}: started", site=site, event="site_started")
        self._last = time.monotonic()

    def advanced(self, summary: SiteSummary, queued: int, url: str, outcome: str) -> None:
        level = logging.DEBUG
        if outcome.startswith("failed"):
            level = logging.WARNING
        elif outcome.startswith("removed"):
            level = logging.INFO
        text = f"site {summary.site}: {outcome}: {url}"
        self._log(level, text, site=summary.site, url=url, outcome=outcome)
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            self._log(
                logging.INFO,
                f"site {summary.site}: {_counts(summary)}, {queued} queued",
                site=summary.site,
                counts=summary.outcomes,
                queued=queued,
            )

    def site_finished(self, summary: SiteSummary) -> None:
        state = f"not ok: {summary.error}" if summary.error else "done"
        self._log(
            logging.ERROR if summary.error else logging.INFO,
            f"site {summary.site}: {state}: {_counts(summary)}",
            site=summary.site,
            event="site_finished",
            ok=summary.error is None,
            counts=summary.outcomes,
        )

    def close(self) -> None:
        return


class LiveDisplay:
    """A rich progress bar per site, with the counts that matter."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}", style="bold", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}", markup=False),
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
    """A live display on a terminal with text logs; log records otherwise (cron, systemd, pipes,
    ``--log-format json``)."""
    from ingest.logs import current_format

    stream = stream or sys.stderr
    return LiveDisplay() if stream.isatty() and current_format() == "text" else LogLines()


def _counts(summary: SiteSummary) -> str:
    return ", ".join(f"{name} {count}" for name, count in summary.outcomes.items() if count)
