"""The review app over plain HTTP on loopback: logins, CSRF, escaping, filters, history."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from review_support import PASSWORDS, serve_review

from store.log import RecordLog
from store.revise import edited

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def data(review_data) -> Path:
    return review_data


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


def test_a_removed_page_and_an_edit_the_site_overtook_are_shown(client, data):
    from store.record import EditConflict

    log_in(client)
    record = a_russian_record(data)
    conflict = EditConflict(
        revision=record.revision,
        index=0,
        lang="ru",
        source="Старый текст.",
        target="Old text.",
        edited_by="amina",
    )
    RecordLog(data).revise(
        {
            record.id: lambda latest: latest.model_copy(
                update={"removed_at": latest.revised_at, "conflicts": [conflict]}
            )
        }
    )
    assert "page removed" in client.get("/").text
    page = client.get(f"/records/{record.id}").text
    assert "stopped serving this page" in page
    assert "Старый текст." in page and "Old text." in page and "edited by amina" in page
    token = CSRF.search(page).group(1)
    form = {"csrf_token": token, "base": str(record.revision + 1), "action": "save", "t0": "Old text, kept."}
    assert client.post(f"/records/{record.id}", data=form).status_code == 303
    assert RecordLog(data).latest()[record.id].conflicts == []


def first_row(page: str) -> str:
    return page[page.index('id="seg-0"') : page.index('id="seg-1"')]


def test_an_editors_target_replaces_the_machine_flags(client, data):
    """Flags describe the stored text: a fixed target loses them, a bad edit gets its own."""
    log = RecordLog(data)
    record = a_russian_record(data)
    bad = record.model_copy(update={"revision": record.revision + 1}, deep=True)
    bad.segments[0].target = "Да."
    bad.segments[0].qa_flags = ["length_ratio", "wrong_script"]
    log.append_revision(bad)
    token = log_in(client)
    assert "wrong_script" in first_row(client.get(f"/records/{record.id}").text)
    fixed = (
        "In a camp for displaced people near Duhok a new water main almost four kilometres long has "
        "been finished. More than six thousand people now get clean drinking water by their tents."
    )
    form = {"base": str(bad.revision), "action": "save", "csrf_token": token, "t0": fixed}
    assert client.post(f"/records/{record.id}", data=form).status_code == 303
    stored = RecordLog(data).latest()[record.id]
    assert stored.segments[0].target == fixed and stored.segments[0].qa_flags == []
    assert "flag" not in first_row(client.get(f"/records/{record.id}").text)
    form = {"base": str(stored.revision), "action": "save", "csrf_token": token, "t0": "Вода."}
    assert client.post(f"/records/{record.id}", data=form).status_code == 303
    flags = RecordLog(data).latest()[record.id].segments[0].qa_flags
    assert "wrong_script" in flags and "length_ratio" in flags


def test_the_title_is_shown_and_edited_like_a_paragraph(client, data):
    record = a_russian_record(data)
    assert record.title_segment is not None and record.title_segment.source == record.title
    token = log_in(client)
    page = client.get(f"/records/{record.id}").text
    row = page[page.index('id="seg-title"') : page.index('id="seg-0"')]
    assert 'name="title"' in row and record.title in row
    form = {"base": str(record.revision), "action": "save", "csrf_token": token}
    form["title"] = "New water main for the camp near Duhok"
    assert client.post(f"/records/{record.id}", data=form).status_code == 303
    stored = RecordLog(data).latest()[record.id]
    title = stored.title_segment
    assert (title.target, title.edited_by) == ("New water main for the camp near Duhok", "amina")
    assert title.machine_target == record.title_segment.target
    assert [s.target for s in stored.segments] == [s.target for s in record.segments]
    assert "New water main for the camp near Duhok" in client.get(f"/records/{record.id}").text
    history = client.get(f"/records/{record.id}/history").text
    start, end = history.index(f'id="rev-{stored.revision}"'), history.index(f'id="rev-{record.revision}"')
    latest = history[start:end]
    assert re.search(r'<span class="index"[^>]*>Title</span>', latest) and "<ins>" in latest
