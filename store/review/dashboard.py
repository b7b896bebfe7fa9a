"""Figures for the person who runs the desk: work per status, QA flag rates, post-editing effort,
crawl runs over time.

Counts come from the index in SQL (one row per record), so the dashboard never reads the log as a
whole. QA flag rates are the share of a language's records that carry each flag. Post-editing
effort is the normalised character edit distance between the machine output and the edited target
(Levenshtein, 0 = untouched, 1 = rewritten), the usual measure of post-editing effort (e.g. TAUS
DQF's edit distance), averaged per language, engine and ISO week of the edit; it reads only the
records edited in the last ``EFFORT_WEEKS`` weeks, at most ``EFFORT_RECORDS`` of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from store.index import CrawlIndex
from store.record import Record, utc_now
from store.revise import post_edit_effort

EFFORT_WEEKS = 12
EFFORT_RECORDS = 2000
_STATUS = "CASE WHEN removed = 1 THEN 'removed' ELSE status END"


@dataclass
class DeskFigures:
    """What the dashboard shows; built by ``desk_figures``."""

    by_site: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    flag_rates: dict[str, dict[str, float]] = field(default_factory=dict)
    effort: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    records: int = 0
    removed: int = 0

    def effort_series(self) -> tuple[list[str], dict[str, list[float | None]]]:
        """ISO weeks in order, and per 'language · engine' the mean effort in each (None: no edits)."""
        weeks = sorted({week for by_week in self.effort.values() for week in by_week})
        series = {
            key: [(sum(v) / len(v)) if (v := by_week.get(week)) else None for week in weeks]
            for key, by_week in sorted(self.effort.items())
        }
        return weeks, series


def desk_figures(index: CrawlIndex) -> DeskFigures:
    """The dashboard's figures for the data folder of ``index``."""
    index.catch_up()
    figures = DeskFigures()
    for site, lang, status, count in index.query(
        f"SELECT site, source_lang, {_STATUS}, count(*) FROM records GROUP BY 1, 2, 3"
    ):
        figures.by_site[site][status] += count
        figures.by_lang[lang][status] += count
        figures.records += count
        figures.removed += count if status == "removed" else 0
    per_lang = {lang: sum(c.values()) for lang, c in figures.by_lang.items()}
    for lang, flag, count in index.query(
        "SELECT r.source_lang, f.flag, count(*) FROM record_flags f JOIN records r ON r.id = f.id "
        "GROUP BY 1, 2"
    ):
        if per_lang.get(lang):
            figures.flag_rates.setdefault(lang, {})[flag] = count / per_lang[lang]
    since = (utc_now() - timedelta(weeks=EFFORT_WEEKS)).isoformat()
    ids = [
        rid
        for (rid,) in index.query(
            "SELECT id FROM records WHERE edited = 1 AND revised_at >= ? ORDER BY revised_at DESC LIMIT ?",
            [since, EFFORT_RECORDS],
        )
    ]
    add_effort(figures, index.latest_of(ids).values())
    return figures


def add_effort(figures: DeskFigures, records: Iterable[Record]) -> None:
    """Count the edited segments of ``records`` into the effort per language, engine and week."""
    for record in records:
        engines = {s.index: s.engine for s in record.segments}
        at = record.review.at if record.review else record.revised_at
        year, week, _ = at.isocalendar()
        for effort in post_edit_effort(record):
            engine = engines.get(effort.index)
            key = f"{effort.lang} · {engine.id if engine else 'unknown engine'}"
            figures.effort[key].setdefault(f"{year}-W{week:02d}", []).append(effort.normalized)
