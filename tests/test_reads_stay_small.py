"""Everyday operations read what they return, not the log: counted in bytes the process read.

``/proc/self/io`` ``rchar`` counts every byte this process got from ``read()``, whatever the file,
so these tests measure the real thing without knowing how werger reads. The log here is ~20 MB;
the operations must read a small fraction of it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_record import make_record

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import article, controlled_site

from ingest.config import site_from_dict
from ingest.pipeline import RunOptions, run_crawl
from store.export import Filters, select_lines
from store.index import CrawlIndex
from store.log import LOG_NAME
from store.queue import QueueFilters, queue_page
from store.record import Segment, Status, record_id
from store.revise import edited
from translate.argos import argos_registry

RECORDS = 4000
PARAGRAPH = "Families who returned this spring say the water supply is steady for the first time. " * 6


def rchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    """A data folder whose log is written in bulk (as a years-old log would be), then indexed."""
    folder = tmp_path_factory.mktemp("large")
    with (folder / LOG_NAME).open("w", encoding="utf-8") as fh:
        for n in range(RECORDS):
            url = f"https://archive.example/{n}"
            segments = [
                Segment(index=i, lang="ru", lang_confidence=1.0, source=f"{n}.{i} {PARAGRAPH}", target="x")
                for i in range(8)
            ]
            record = make_record(
                id=record_id(url), url=url, canonical_url=url, title=f"Archive {n}", segments=segments,
                status=Status.MACHINE, status_reason=None, site="archive",
            )
            fh.write(record.to_json_line() + "\n")
    CrawlIndex(folder).close()
    assert (folder / LOG_NAME).stat().st_size > 15_000_000
    return folder


def test_a_record_page_its_history_a_save_and_a_queue_page_read_kilobytes(large):
    index = CrawlIndex(large)
    before = rchar()
    page = queue_page(index, QueueFilters(site="archive"))
    record = index.latest(page.rows[0].id)
    index.history(record.id)
    index.log.append_revision(edited(record, {0: "Edited."}, "amina"))
    read = rchar() - before
    assert len(page.rows) == 50 and index.known(record.id).revision == 2
    assert read < 1_000_000, f"read {read} bytes for one record of a {RECORDS}-record log"


def test_an_export_of_a_few_records_reads_only_their_lines(large):
    index = CrawlIndex(large)
    before = rchar()
    lines = list(select_lines(index, Filters(status=Status.REVIEWED)))
    read = rchar() - before
    assert len(lines) <= 2 and read < 1_000_000


def test_a_recrawl_reads_a_small_part_of_the_log(large):
    with controlled_site() as site:
        site.page("/", article("Home", ["Latest news from partners."], ["/news/1", "/news/2"]))
        for n in (1, 2):
            site.page(f"/news/{n}", article(f"Story {n}", [f"{PARAGRAPH} Story {n}."] * 3))
        partner = site_from_dict(
            "partner",
            {"start_urls": [f"{site.base}/"], "allow": ["/news/"], "delay": 0, "allow_private": True},
        )
        options = RunOptions(out_dir=large)
        registry = argos_registry(large / "no-models")
        first = run_crawl([partner], options, registry)
        before = rchar()
        again = run_crawl([partner], options, registry)
        read = rchar() - before
    assert first.sites[0].records_written == 2 and again.sites[0].unchanged == 2
    log_size = (large / LOG_NAME).stat().st_size
    assert read < log_size / 5, f"a recrawl of 2 pages read {read} bytes of a {log_size}-byte log"
