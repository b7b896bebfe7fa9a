"""A recrawl of a changed page keeps the editors' work on the paragraphs that did not change."""

import shutil
from pathlib import Path

import pytest

from ingest.demo import demo_site_config, serve_directory
from ingest.pipeline import RunOptions, run_crawl
from store.log import RecordLog
from store.revise import carry_edits, edited
from translate.argos import argos_registry

ROOT = Path(__file__).resolve().parent.parent


def crawl(base_url, out, models_dir):
    run_crawl([demo_site_config(base_url)], RunOptions(out_dir=out), argos_registry(models_dir))


def russian_record(out):
    return next(r for r in RecordLog(out).latest().values() if r.source_lang == "ru")


@pytest.fixture
def crawled_copy(tmp_path, models_dir):
    """A copy of the fixture site, served and crawled once; yields (site folder, out, base URL)."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    out = tmp_path / "out"
    with serve_directory(site) as base_url:
        crawl(base_url, out, models_dir)
        yield site, out, base_url


def test_edits_survive_a_change_elsewhere_on_the_page(crawled_copy, models_dir):
    site, out, base_url = crawled_copy
    record = russian_record(out)
    log = RecordLog(out)
    log.append_revision(edited(record, {0: "Edited first paragraph.", 1: "Edited second."}, by="amina"))
    page = site / record.canonical_url.split("/", 3)[3]
    html = page.read_text(encoding="utf-8")
    second = record.segments[1].source
    assert second in html
    page.write_text(html.replace(second, second + " Обновлено."), encoding="utf-8")
    crawl(base_url, out, models_dir)
    latest = RecordLog(out).latest()[record.id]
    assert latest.revision == record.revision + 2
    first, changed = latest.segments[0], latest.segments[1]
    assert (first.target, first.edited_by) == ("Edited first paragraph.", "amina")
    assert first.machine_target == record.segments[0].target
    assert changed.source.endswith("Обновлено.") and changed.edited_by is None
    assert changed.target and changed.target != "Edited second."
    [conflict] = latest.conflicts
    assert (conflict.index, conflict.source, conflict.target) == (1, second, "Edited second.")
    assert (conflict.edited_by, conflict.revision) == ("amina", record.revision + 1)
    assert latest.status == "needs_review" and "after amina" in latest.status_reason


def test_nothing_is_carried_from_a_revision_without_edits(crawled_copy):
    _, out, _ = crawled_copy
    record = russian_record(out)
    assert carry_edits(record, record) == record
