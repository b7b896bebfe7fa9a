"""The run summary an operator and monitoring read: every written line accounted for, nothing cut."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site
from typer.testing import CliRunner

from ingest.cli import app
from ingest.summary import RunSummary, SiteSummary, render

TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
]


def crawl(base: str, out: Path) -> dict:
    """A crawl through the command, as cron runs it; returns run-summary.json's site entry."""
    sites = out.parent / "sites.toml"
    sites.write_text(
        f'[crawler]\ncontact = "ops@example.org"\nretries = 0\n[sites.partner]\nstart_urls = ["{base}/"]\n'
        'allow = ["/news/"]\ndelay = 0\nallow_private = true\n',
        encoding="utf-8",
    )
    args = ["crawl", str(sites), "--out", str(out), "--models-dir", str(out.parent / "m")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "run-summary.json").read_text(encoding="utf-8"))["sites"][0]


def test_summary_lists_new_revised_and_removed_urls_and_counts_every_line(tmp_path):
    with controlled_site() as site:
        site.page("/", article("Home", ["Latest news from partners."], ["/news/1", "/news/2"]))
        for n in (1, 2):
            site.page(f"/news/{n}", article(f"Story {n}", [f"{p} Story {n}." for p in TEXT]))
        out = tmp_path / "out"
        first = crawl(site.base, out)
        assert sorted(first["new_urls"]) == [f"{site.base}/news/1", f"{site.base}/news/2"]
        site.page("/news/1", article("Story 1", [f"{p} Story 1, corrected." for p in TEXT]))
        site.route("/news/2", Reply(404))
        written = crawl(site.base, out)
    assert written["revised_urls"] == [f"{site.base}/news/1"]
    assert written["removed"] == [f"{site.base}/news/2"]
    assert written["new_urls"] == []
    lines_added = len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) - 2
    assert lines_added == 2
    assert written["records_written"] == lines_added
    assert written["outcomes"]["written"] == 1 and written["outcomes"]["removed"] == 1


def summary_of_long_names() -> RunSummary:
    site = SiteSummary("partner-site-with-a-long-name", pages_fetched=1200, new=312, revised=45)
    site.unchanged, site.not_modified = 1020, 77
    site.languages.update({"ar": 120, "ckb": 80, "en": 90, "kmr": 40, "ru": 27})
    site.statuses.update({"machine": 250, "untranslated": 107})
    site.fail("https://partner.example/[red]news[/red]/1", "HTTP 500 from [sites.partner]")
    return RunSummary(started_at="2026-01-01T00:00:00+00:00", sites=[site])


def test_the_summary_is_never_cut_at_80_columns():
    buffer = io.StringIO()
    render(summary_of_long_names(), Console(file=buffer, width=80, force_terminal=True, color_system=None))
    shown = buffer.getvalue()
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    for word in (
        "partner-site-with-a-long-name",
        "pages",
        "1200",
        "unchanged",
        "1020",
        "untranslated",
        "ar 120, ckb 80, en 90, kmr 40, ru 27",
    ):
        assert word in shown


def test_crawled_text_in_the_summary_is_never_read_as_markup():
    buffer = io.StringIO()
    render(summary_of_long_names(), Console(file=buffer, width=200, force_terminal=True, color_system=None))
    assert "https://partner.example/[red]news[/red]/1: HTTP 500 from [sites.partner]" in buffer.getvalue()


def test_escape_sequences_in_crawled_urls_never_reach_the_terminal():
    summary = summary_of_long_names()
    summary.sites[0].fail("https://partner.example/\x1b]0;owned\x07/x", "HTTP 404")
    buffer = io.StringIO()
    render(summary, Console(file=buffer, width=200, force_terminal=True, color_system=None))
    assert "\x1b" not in buffer.getvalue() and "\ufffd]0;owned\ufffd" in buffer.getvalue()
