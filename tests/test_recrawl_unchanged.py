"""A recrawl of unchanged pages decides from the index alone: it reads no record from the log.

The log is made unreadable before its last bytes (same file, same size, same tail, so the index
still takes it for the log it indexed): any read of a record would meet garbage, and the crawl
would write a new revision, fail, or refuse the log. Pages carry a credit line repeated on every
page, a sentence of prose: the site template learns it, and the page's stored text and its
recrawled text must be cleaned alike for the recrawl to see the page as unchanged.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import article, controlled_site

from ingest.config import site_from_dict
from ingest.pipeline import RunOptions, run_crawl
from store.log import LOG_NAME, RecordLog
from translate.argos import argos_registry

PAGES = 6
CREDIT = "This story was produced with the support of the regional fund for independent journalism."
STORIES = [
    "The water network reached the villages north of the city after two years of repairs.",
    "Teachers returned to the rebuilt primary school as the first pupils enrolled this week.",
    "Journalists from four provinces finished a course on digital safety and verification.",
    "Flood relief reached four hundred families in the valley before the roads closed again.",
    "The new bridge over the river opened to traffic after a delay of several months.",
    "Farmers in the plain reported a better harvest of wheat than in the last three years.",
]
# Tables whose size follows the log (records, revisions, pages ever fetched) or a site (its
# frontier): a crawl's query may look rows up in them, never scan them.
GROWING = ("records", "lines", "pages", "links", "record_flags", "facets", "search", "frontier")
KEEP_TAIL = 64  # the bytes the index checks at the end of what it indexed (store.index._CHECK_BYTES)


def _unreadable_but_the_tail(log: Path) -> bytes:
    """Overwrite the log in place, all but its last bytes; returns what it held."""
    data = log.read_bytes()
    with log.open("r+b") as fh:
        fh.write(b"#" * (len(data) - KEEP_TAIL))
    return data


def _serve(site) -> dict:
    links = [f"/news/{n}" for n in range(PAGES)]
    site.page("/", article("Home", ["Latest news from our partners."], links))
    for n, story in enumerate(STORIES):
        site.page(f"/news/{n}", article(f"Story {n}", [story, f"Item {n}: {story}", CREDIT]))
    return {"start_urls": [f"{site.base}/"], "allow": ["/news/"], "delay": 0, "allow_private": True}


def test_a_recrawl_of_unchanged_pages_reads_no_record_from_the_log(tmp_path):
    out = tmp_path / "out"
    with controlled_site() as site:
        partner = site_from_dict("partner", _serve(site))
        options = RunOptions(out_dir=out, batch_documents=2)
        registry = argos_registry(out / "no-models")
        first = run_crawl([partner], options, registry)
        assert first.sites[0].records_written == PAGES
        stored = RecordLog(out).latest()
        assert all(CREDIT in [s.source for s in r.segments] for r in stored.values()), "prose is kept"
        log = out / LOG_NAME
        original = _unreadable_but_the_tail(log)
        try:
            again = run_crawl([partner], options, registry)
            after = log.read_bytes()
        finally:
            log.write_bytes(original + log.read_bytes()[len(original):])
    summary = again.sites[0]
    assert again.ok, again.sites[0].failures
    assert (summary.unchanged, summary.records_written) == (PAGES, 0), summary
    assert len(after) == len(original), "the recrawl appended to the log"


def _plans(statements: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(statement, plan line) for every lookup or change among ``(database, SQL)`` statements."""
    found = []
    for database, sql in statements:
        if sql.split(None, 1)[0].upper() not in ("SELECT", "UPDATE", "DELETE", "WITH"):
            continue
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            found.extend((sql, row[-1]) for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
    return found


def test_every_query_of_a_recrawl_uses_an_index(tmp_path, monkeypatch):
    """EXPLAIN QUERY PLAN of each statement a recrawl runs: none scans a table that grows."""
    out = tmp_path / "out"
    statements: list[tuple[str, str]] = []
    connect = sqlite3.connect

    def traced(database, *args, **kwargs):
        db = connect(database, *args, **kwargs)
        db.set_trace_callback(lambda sql: statements.append((str(database), sql)))
        return db

    with controlled_site() as site:
        partner = site_from_dict("partner", _serve(site))
        options = RunOptions(out_dir=out, batch_documents=2)
        registry = argos_registry(out / "no-models")
        run_crawl([partner], options, registry)
        monkeypatch.setattr(sqlite3, "connect", traced)
        again = run_crawl([partner], options, registry)
        monkeypatch.undo()
    assert again.sites[0].unchanged == PAGES
    plans = _plans(statements)
    assert any("USING" in plan for _, plan in plans), "no lookup traced"
    scans = [(sql, plan) for sql, plan in plans if any(plan.startswith(f"SCAN {t}") for t in GROWING)]
    assert not scans, scans
