"""Figures for the person who runs the desk: work per status, QA flag rates, post-editing effort,
crawl runs over time.

Everything is counted in one pass over the latest records (counters only, so memory does not grow
with the records) and over the crawl run history (``store.runs``, one line per ``werger crawl``).
Post-editing effort is the normalised character edit distance between the machine output and the
edited target (Levenshtein, 0 = untouched, 1 = rewritten), the usual measure of post-editing effort
(e.g. TAUS DQF's edit distance), averaged per language, engine and ISO week of the edit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from store.record import Record
from store.revise import post_edit_effort


@dataclass
class DeskFigures:
    """What the dashboard shows; built by ``desk_figures``."""

    by_site: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    segments_by_lang: Counter[str] = field(default_factory=Counter)
    flags_by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    effort: dict[str, dict[str, list[float]]] = field(default_factory=lambda: defaultdict(dict))
    removed: int = 0
    records: int = 0

    def flag_rates(self) -> dict[str, dict[str, float]]:
        """Per source language: share of its segments (0..1) carrying each flag."""
        return {
            lang: {flag: count / self.segments_by_lang[lang] for flag, count in flags.items()}
            for lang, flags in self.flags_by_lang.items()
            if self.segments_by_lang[lang]
        }

    def effort_series(self) -> tuple[list[str], dict[str, list[float | None]]]:
        """ISO weeks in order, and per 'language · engine' the mean effort in each (None: no edits)."""
        weeks = sorted({week for by_week in self.effort.values() for week in by_week})
        series = {
            key: [(sum(v) / len(v)) if (v := by_week.get(week)) else None for week in weeks]
            for key, by_week in sorted(self.effort.items())
        }
        return weeks, series


def desk_figures(records: Iterable[Record]) -> DeskFigures:
    """Count the latest records (one per id) into the dashboard's figures."""
    figures = DeskFigures()
    for record in records:
        figures.records += 1
        status = "removed" if record.removed_at else str(record.status)
        figures.removed += record.removed_at is not None
        figures.by_site[record.site][status] += 1
        figures.by_lang[record.source_lang][status] += 1
        figures.segments_by_lang[record.source_lang] += len(record.segments)
        for segment in record.segments:
            figures.flags_by_lang[record.source_lang].update(segment.qa_flags)
        engines = {s.index: s.engine for s in record.segments}
        at = record.review.at if record.review else record.revised_at
        year, week, _ = at.isocalendar()
        for effort in post_edit_effort(record):
            engine = engines.get(effort.index)
            key = f"{effort.lang} · {engine.id if engine else 'unknown engine'}"
            figures.effort[key].setdefault(f"{year}-W{week:02d}", []).append(effort.normalized)
    return figures
