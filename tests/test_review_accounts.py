"""Review accounts over real HTTP: throttled sign-ins, sessions that really end, strict forms."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from review_support import PASSWORDS, serve_review

from store.log import RecordLog
from store.sessions import PER_ACCOUNT, PER_ADDRESS
from store.users import Users

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def data(review_data) -> Path:
    return review_data


@pytest.fixture
def url(data):
    with serve_review(data) as base:
        yield base


def sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def signed_in(url: str, name: str = "amina") -> httpx.Client:
    client = httpx.Client(base_url=url)
    assert sign_in(client, name, PASSWORDS[name]).status_code == 303
    return client


def werger(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_repeated_wrong_passwords_lock_the_account_for_a_while(url):
    with httpx.Client(base_url=url) as client:
        for _ in range(PER_ACCOUNT.failures):
            assert sign_in(client, "amina", "wrong-password").status_code == 401
        locked = sign_in(client, "amina", PASSWORDS["amina"])
        assert locked.status_code == 429
        assert "Too many failed sign-ins; try again in 15 minutes" in locked.text
        assert int(locked.headers["retry-after"]) > 0
        assert client.get("/").status_code == 303
        assert sign_in(client, "bakhtiyar", PASSWORDS["bakhtiyar"]).status_code == 303


def test_wrong_passwords_from_one_address_lock_that_address(url):
    with httpx.Client(base_url=url) as client:
        for attempt in range(PER_ADDRESS.failures):
            assert sign_in(client, f"nobody{attempt}", "wrong-password").status_code == 401
        assert sign_in(client, "bakhtiyar", PASSWORDS["bakhtiyar"]).status_code == 429


def test_logout_ends_the_session_on_the_server(url):
    client = signed_in(url)
    old_cookies = dict(client.cookies)
    token = CSRF.search(client.get("/").text).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=url, cookies=old_cookies) as replay:
        assert replay.get("/").status_code == 303


@pytest.mark.parametrize("command", ["remove", "passwd"])
def test_removing_a_reviewer_or_changing_the_password_ends_their_sessions(url, data, command):
    client = signed_in(url)
    other = signed_in(url, "bakhtiyar")
    args = ["users", command, "amina", "--data", str(data)]
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args, *(["--password-stdin"] if command == "passwd" else [])],
        input="a-brand-new-secret\n", capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "sessions are ended" in result.stdout
    assert client.get("/").status_code == 303
    assert other.get("/").status_code == 200


def test_users_list_shows_names_and_never_hashes(data):
    result = werger("users", "list", "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert sorted(line.split("\t")[0] for line in result.stdout.splitlines()) == sorted(PASSWORDS)
    assert "argon2" not in result.stdout


def test_removing_an_unknown_reviewer_is_a_clear_error(data):
    result = werger("users", "remove", "nobody", "--data", str(data))
    assert result.returncode == 1 and "no reviewer 'nobody'" in result.stderr
    assert sorted(Users(data).names()) == sorted(PASSWORDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [("base", "abc"), ("base", "-1"), ("note", ("note.txt", b"x", "text/plain")), ("t0", ("a.txt", b"x"))],
)
def test_a_malformed_form_field_is_a_400_and_nothing_is_stored(url, data, field, value):
    client = signed_in(url)
    record = next(iter(RecordLog(data).latest().values()))
    token = CSRF.search(client.get(f"/records/{record.id}").text).group(1)
    form = {"base": str(record.revision), "action": "save", "csrf_token": token, "t0": "Edited text."}
    files = None
    if isinstance(value, tuple):
        form.pop(field, None)
        files = {field: value}
    else:
        form[field] = value
    before = RecordLog(data).path.read_bytes()
    response = client.post(f"/records/{record.id}", data=form, files=files)
    assert response.status_code == 400
    assert RecordLog(data).path.read_bytes() == before


def test_https_only_marks_the_session_cookie_secure(data):
    with serve_review(data, https_only=True) as base, httpx.Client(base_url=base) as client:
        response = client.get("/login")
        assert "secure" in response.headers["set-cookie"].lower()
    with serve_review(data) as base, httpx.Client(base_url=base) as client:
        assert "secure" not in client.get("/login").headers["set-cookie"].lower()
