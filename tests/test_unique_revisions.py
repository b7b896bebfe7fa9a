"""The log never holds two lines with the same (id, revision), whichever command wrote them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx
from log_support import duplicate_pairs
from review_support import PASSWORDS, serve_review
from typer.testing import CliRunner
from writers_race import editable, sites_toml

from ingest.cli import app
from ingest.demo import serve_directory
from store.log import RecordLog
from store.record import Status
from store.users import Users
from store.xliff import to_xliff

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def werger(*args) -> int:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code


def post(client: httpx.Client, record, **form) -> httpx.Response:
    token = CSRF.search(client.get(f"/records/{record.id}").text).group(1)
    return client.post(
        f"/records/{record.id}", data={"csrf_token": token, "base": str(record.revision), **form}
    )


def test_no_command_writes_an_id_revision_pair_twice(tmp_path, models_dir):
    site, data = tmp_path / "site", tmp_path / "data"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    with serve_directory(site) as base_url:
        sites = tmp_path / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        crawl = ("crawl", sites, "--out", data, "--models-dir", models_dir)
        assert werger(*crawl) == 0
        assert duplicate_pairs(data) == []
        for name, password in PASSWORDS.items():
            Users(data).add(name, password)
        first, second = [r for r in editable(data) if r.source_lang == "ru"][:2]

        with serve_review(data) as url, httpx.Client(base_url=url) as client:
            token = CSRF.search(client.get("/login").text).group(1)
            client.post("/login", data={"name": "amina", "password": PASSWORDS["amina"], "csrf_token": token})
            assert post(client, first, action="save", t0="A first correction.").status_code == 303
            first = RecordLog(data).latest()[first.id]
            # the tiny models' output is flagged, so approving takes the confirmation
            assert post(client, first, action="approve_anyway").status_code == 303
            assert post(client, second, action="reject", note="Wrong terms.").status_code == 303
            stale = post(client, second, action="save", t0="Based on an old revision.")
            assert stale.status_code == 409
        assert duplicate_pairs(data) == []

        latest = RecordLog(data).latest()
        xliff = tmp_path / "one.xlf"
        record = latest[first.id]
        changed = [
            s.model_copy(update={"target": "From a CAT tool."}) if s.index == 1 else s
            for s in record.segments
        ]
        xliff.write_bytes(to_xliff([record.model_copy(update={"segments": changed})]))
        assert werger("import-xliff", xliff, "--data", data, "--by", "bakhtiyar") == 0
        assert werger("import-xliff", xliff, "--data", data, "--by", "bakhtiyar") == 1  # now a conflict
        assert duplicate_pairs(data) == []

        page = site / first.canonical_url.split("/", 3)[3]
        html = page.read_text(encoding="utf-8")
        last = first.segments[-1].source
        page.write_text(html.replace(last, last + " Updated."), encoding="utf-8")
        (site / second.canonical_url.split("/", 3)[3]).unlink()
        assert werger(*crawl) == 0
        assert werger(*crawl) == 0
        assert duplicate_pairs(data) == []

    latest = RecordLog(data).latest()
    revised = latest[first.id]
    assert revised.segments[0].target == "A first correction."
    assert revised.segments[1].target == "From a CAT tool."
    assert revised.status is Status.NEEDS_REVIEW and "after bakhtiyar" in revised.status_reason
    gone = RecordLog(data).history(second.id)
    assert [r.removed_at is not None for r in gone] == [False, False, True]

    approved = CliRunner().invoke(app, ["export", "--data", str(data), "--status", "approved"])
    exported = [json.loads(line) for line in approved.stdout.splitlines()]
    # revision 3 approved in the app; 4 the XLIFF import, whose segments of an approved record are
    # all "final", so it approves too; 5 the crawl that changed the page
    assert [(line["id"], line["revision"], line["newer_revision"]) for line in exported] == [(first.id, 4, 5)]
    everything = CliRunner().invoke(app, ["export", "--data", str(data)])
    removed = [json.loads(line) for line in everything.stdout.splitlines() if second.id in line]
    assert removed[0]["removed_at"] is not None and removed[0]["provenance"]["fetch_status"] == 404
