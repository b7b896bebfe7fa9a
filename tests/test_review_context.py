"""What the review app tells an editor beside the text: glossary terms, flag meanings, pages."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from review_support import PASSWORDS, serve_review

from store.log import RecordLog
from store.queue import PAGE_SIZE

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def data(review_data) -> Path:
    return review_data


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url)
    token = CSRF.search(client.get("/login").text).group(1)
    client.post("/login", data={"name": "amina", "password": PASSWORDS["amina"], "csrf_token": token})
    return client


def a_russian_record(data: Path):
    return next(r for r in RecordLog(data).latest().values() if r.source_lang == "ru")


def test_protected_terms_of_the_glossary_are_shown_beside_their_paragraph(data, tmp_path):
    record = a_russian_record(data)
    words = record.segments[1].source.split()
    kept, fixed = words[0].strip(".,«»"), words[-1].strip(".,«»")
    glossaries = tmp_path / "glossaries"
    glossaries.mkdir()
    (glossaries / "ru-en.toml").write_text(
        f'keep = ["{kept}"]\n[fixed]\n"{fixed}" = "Fixed Rendering"\n', encoding="utf-8"
    )
    with serve_review(data, glossary_dir=glossaries) as url:
        client = signed_in(url)
        page = client.get(f"/records/{record.id}").text
    row = page[page.index('id="seg-1"') : page.index('id="seg-2"')]
    assert f"{kept} (keep)" in row and f"{fixed} → Fixed Rendering" in row


def test_flags_are_explained_in_words(data):
    record = a_russian_record(data)
    flagged = record.model_copy(update={"revision": record.revision + 1})
    flagged.segments[0].qa_flags = ["copied_input"]
    RecordLog(data).append_revision(flagged)
    with serve_review(data) as url:
        client = signed_in(url)
        page = client.get(f"/records/{record.id}").text
    assert "Source copied" in page and "the engine did not translate it" in page


def test_the_queue_pages_and_counts_per_status(data):
    record = a_russian_record(data)
    log = RecordLog(data)
    for n in range(PAGE_SIZE + 5):
        copy = record.model_copy(update={"id": f"{n:032x}", "revision": 1})
        log.append_revision(copy)
    total = len(log.latest())
    with serve_review(data) as url:
        client = signed_in(url)
        first = client.get("/").text
        older = re.search(r'href="([^"]+)" rel="next" id="older"', first).group(1).replace("&amp;", "&")
        second = client.get(older).text
        bad = client.get("/", params={"after": "x"})
    assert first.count('class="row') == PAGE_SIZE
    assert second.count('class="row') == total - PAGE_SIZE
    assert bad.status_code == 200 and bad.text.count('class="row') == PAGE_SIZE
    counts = {m[0]: int(m[1]) for m in re.findall(r'status-(\w+)[^"]*" href="[^"]*">\w+ <b>(\d+)</b>', first)}
    assert sum(counts.values()) == total
