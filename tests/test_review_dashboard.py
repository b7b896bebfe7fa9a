"""The desk dashboard over real HTTP: work per status, QA flag rates, effort and crawl runs as SVG."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import httpx
import pytest
from review_support import PASSWORDS, serve_review

from store.log import RecordLog
from store.revise import edited
from store.runs import read_runs

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def data(review_data) -> Path:
    return review_data


def dashboard(data: Path) -> str:
    with serve_review(data) as url, httpx.Client(base_url=url) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post("/login", data={"name": "amina", "password": PASSWORDS["amina"], "csrf_token": token})
        response = client.get("/dashboard")
        assert response.status_code == 200
        return response.text


def test_every_crawl_run_is_kept_in_the_run_history(review_crawl):
    runs = read_runs(review_crawl)
    assert len(runs) == 2
    assert all(run["ok"] for run in runs)
    assert sum(run["new"] for run in runs) == len(RecordLog(review_crawl).latest())


def test_counts_per_language_and_status_match_the_records(data):
    page = dashboard(data)
    assert page.count("<svg") >= 3
    counts = Counter((r.source_lang, str(r.status)) for r in RecordLog(data).latest().values())
    assert len(counts) >= 3
    for (lang, status), count in counts.items():
        assert f'href="/?lang={lang}&amp;status={status}">{count}</a>' in page


def test_post_editing_effort_appears_once_someone_edits(data):
    assert "No edited segments yet." in dashboard(data)
    record = next(r for r in RecordLog(data).latest().values() if r.source_lang == "ru")
    RecordLog(data).append_revision(edited(record, {0: "Rewritten by a person."}, "amina"))
    page = dashboard(data)
    assert "No edited segments yet." not in page
    assert "<polyline" in page or "<circle" in page
    assert "ru · " in page


def test_crawled_site_names_are_escaped_in_the_charts(data):
    record = next(iter(RecordLog(data).latest().values()))
    hostile = record.model_copy(update={"revision": record.revision + 1, "site": "<script>alert(1)</script>"})
    RecordLog(data).append_revision(hostile)
    page = dashboard(data)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
