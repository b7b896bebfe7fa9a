"""The review app over plain HTTP on loopback: logins, CSRF, escaping, filters, history."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from review_support import PASSWORDS, crawl_review_data, serve_review

from store.log import RecordLog
from store.revise import edited

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, models_dir) -> Path:
    out = tmp_path_factory.mktemp("review-http")
    crawl_review_data(out, models_dir)
    return out


@pytest.fixture
def data(crawled, tmp_path) -> Path:
    return Path(shutil.copytree(crawled, tmp_path / "data"))


@pytest.fixture
def client(data):
    with serve_review(data) as url, httpx.Client(base_url=url) as http:
        yield http


def log_in(client: httpx.Client, name: str = "amina") -> str:
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": token})
    assert response.status_code == 303
    return CSRF.search(client.get("/").text).group(1)


def a_russian_record(data: Path):
    return next(r for r in RecordLog(data).latest().values() if r.source_lang == "ru")


def test_pages_need_a_login(client, data):
    record = a_russian_record(data)
    for path in ("/", f"/records/{record.id}", f"/records/{record.id}/history"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_wrong_password_does_not_log_in(client):
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"name": "amina", "password": "nope-nope", "csrf_token": token})
    assert response.status_code == 401 and "wrong password" in response.text
    assert client.get("/").status_code == 303


def test_a_form_without_this_sessions_csrf_token_changes_nothing(client, data):
    log_in(client)
    record = a_russian_record(data)
    before = RecordLog(data).path.read_bytes()
    form = {"base": str(record.revision), "action": "approve", "csrf_token": "forged"}
    assert client.post(f"/records/{record.id}", data=form).status_code == 403
    assert RecordLog(data).path.read_bytes() == before


def test_crawled_markup_is_escaped_and_scripts_are_limited_to_our_own(client, data):
    log_in(client)
    partner = next(r for r in RecordLog(data).latest().values() if r.site == "partner")
    response = client.get(f"/records/{partner.id}")
    assert "&lt;script&gt;window.wergerXss" in response.text
    assert "<script>window" not in response.text and "<img" not in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_the_queue_filters_by_status_language_and_qa_flag(client, data):
    log = RecordLog(data)
    flag = "glossary_term_lost"
    assert not any(flag in s.qa_flags for r in log.latest().values() for s in r.segments)
    record = a_russian_record(data)
    flagged = record.model_copy(update={"revision": record.revision + 1})
    flagged.segments[1].qa_flags = [flag]
    log.append_revision(flagged)
    log_in(client)
    by_flag = client.get("/", params={"flag": flag}).text
    assert by_flag.count('class="row"') == 1 and f"/records/{record.id}" in by_flag
    assert client.get("/", params={"lang": "ru"}).text.count('class="row"') == 3
    assert client.get("/", params={"status": "approved"}).text.count('class="row"') == 0


def test_history_shows_who_changed_what(client, data):
    record = a_russian_record(data)
    old = record.segments[0].target
    RecordLog(data).append_revision(edited(record, {0: "A clean water line for the camp."}, "bakhtiyar"))
    log_in(client)
    page = client.get(f"/records/{record.id}/history").text
    revision = page[page.index('id="rev-2"') : page.index('id="rev-1"')]
    assert "bakhtiyar" in revision
    diff = re.search(r'<span class="index"[^>]*>¶1</span>\s*(.*?)</p>', revision, re.S).group(1)
    assert re.sub(r"<del>.*?</del>|</?ins>", "", diff) == "A clean water line for the camp."
    assert re.sub(r"<ins>.*?</ins>|</?del>", "", diff) == old


def test_saving_an_unchanged_record_writes_nothing(client, data):
    token = log_in(client)
    record = a_russian_record(data)
    before = RecordLog(data).path.read_bytes()
    form = {"base": str(record.revision), "action": "save", "csrf_token": token}
    form.update({f"t{s.index}": s.target or "" for s in record.segments})
    assert client.post(f"/records/{record.id}", data=form).status_code == 303
    assert RecordLog(data).path.read_bytes() == before
    assert RecordLog(data).latest()[record.id].status == record.status
