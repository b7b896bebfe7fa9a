"""Whole crawls against a controllable loopback site: incremental, polite, and honest about failures."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

from ingest.cli import app
from ingest.config import site_from_dict
from ingest.errors import RunLockedError
from ingest.pipeline import RunOptions, run_crawl
from ingest.runlock import RunLock
from store.index import CrawlIndex
from store.log import RecordLog
from translate.argos import argos_registry

TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
    "Engineers from the municipality trained local volunteers to look after the pumps.",
]


def news(n: int, links: list[str] = (), extra: str = "") -> str:
    return article(f"Story {n}", [f"{p} {extra} Story {n}." for p in TEXT], links)


def site_of(base: str, **settings):
    table = {"start_urls": [f"{base}/"], "allow": ["/news/"], "delay": 0, "allow_private": True}
    return site_from_dict("partner", {**table, **settings})


def crawl(sites, out: Path, **options):
    fast = {"backoff": 0.01, "timeout": 2.0, **options.pop("fetcher", {})}
    run_options = RunOptions(out_dir=out, fetcher_options=fast, **options)
    return run_crawl(sites if isinstance(sites, list) else [sites], run_options, argos_registry(out / "m"))


def lines(out: Path) -> list[dict]:
    path = out / "records.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def server():
    with controlled_site() as site:
        site.page("/", article("Home", ["Latest news from partners."], ["/news/1", "/news/2", "/news/3"]))
        for n in (1, 2, 3):
            site.route(f"/news/{n}", Reply(body=news(n, ["/news/1", "/news/2"]), etag=f'"{n}-v1"'))
        yield site


def test_a_first_crawl_fetches_every_page_once_and_writes_each(server, tmp_path):
    summary = crawl(site_of(server.base), tmp_path)
    assert summary.ok and summary.sites[0].new == 3
    assert all(server.count(f"/news/{n}") == 1 for n in (1, 2, 3))
    assert server.count("/robots.txt") == 1


def test_a_recrawl_uses_conditional_get_and_writes_nothing(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    before = lines(tmp_path)
    summary = crawl(site_of(server.base), tmp_path)
    assert lines(tmp_path) == before
    assert summary.sites[0].not_modified == 3
    assert server.requested("/news/1")[-1].headers["If-None-Match"] == '"1-v1"'


def test_links_of_a_304_page_are_still_followed(server, tmp_path):
    server.route("/news/1", Reply(body=news(1, ["/news/9"]), etag='"1-v1"'))
    server.route("/news/9", Reply(body=news(9), etag='"9-v1"'))
    crawl(site_of(server.base), tmp_path)
    server.route("/news/9", Reply(body=news(9, extra="Corrected."), etag='"9-v2"'))
    summary = crawl(site_of(server.base), tmp_path)
    assert summary.sites[0].revised == 1 and server.count("/news/9") == 2


def test_an_unchanged_text_writes_no_revision_even_without_validators(server, tmp_path):
    for n in (1, 2, 3):
        server.route(f"/news/{n}", Reply(body=news(n, extra=f"<!-- build {n} -->")))
    crawl(site_of(server.base), tmp_path)
    (tmp_path / "index.sqlite").unlink()
    summary = crawl(site_of(server.base), tmp_path)
    assert summary.sites[0].unchanged == 3 and len(lines(tmp_path)) == 3


def test_a_changed_page_becomes_a_new_revision_of_the_same_record(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    server.route("/news/2", Reply(body=news(2, extra="Updated."), etag='"2-v2"'))
    summary = crawl(site_of(server.base), tmp_path)
    latest = RecordLog(tmp_path).latest()
    revised = [r for r in latest.values() if r.revision == 2]
    assert summary.sites[0].revised == 1 and len(revised) == 1
    assert revised[0].canonical_url.endswith("/news/2") and "Updated." in revised[0].segments[0].source


def test_a_corrected_headline_alone_becomes_a_new_revision(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    body = news(2).replace("Story 2</", "Story 2, corrected</")
    assert body.count("Story 2, corrected") == 2  # <title> and <h1>; the paragraphs stay as they were
    server.route("/news/2", Reply(body=body, etag='"2-v2"'))
    summary = crawl(site_of(server.base), tmp_path)
    latest = [r for r in RecordLog(tmp_path).latest().values() if r.canonical_url.endswith("/news/2")]
    assert summary.sites[0].revised == 1 and latest[0].revision == 2
    assert latest[0].title == "Story 2, corrected"
    again = crawl(site_of(server.base), tmp_path)
    assert again.sites[0].revised == 0 and len(lines(tmp_path)) == 4


def test_removed_pages_are_marked_not_deleted(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    server.route("/news/3", Reply(410))
    summary = crawl(site_of(server.base), tmp_path)
    assert summary.sites[0].removed == [f"{server.base}/news/3"]
    assert summary.ok
    assert any(line["url"].endswith("/news/3") for line in lines(tmp_path))
    index = CrawlIndex(tmp_path)
    assert [p.http_status for p in index.gone()] == [410]
    index.close()


def test_a_removal_is_a_revision_in_the_log_written_once(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    before = RecordLog(tmp_path).latest()
    server.route("/news/3", Reply(410))
    crawl(site_of(server.base), tmp_path)
    crawl(site_of(server.base), tmp_path)
    gone = [r for r in RecordLog(tmp_path).latest().values() if r.canonical_url.endswith("/news/3")]
    assert len(gone) == 1 and gone[0].removed_at is not None
    assert gone[0].revision == before[gone[0].id].revision + 1
    assert gone[0].provenance.fetch_status == 410
    assert gone[0].segments == before[gone[0].id].segments
    assert sum(1 for line in lines(tmp_path) if line["id"] == gone[0].id) == 2


def test_a_removed_page_is_reported_once_not_by_every_later_crawl(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    server.route("/news/3", Reply(410))
    first = crawl(site_of(server.base), tmp_path).sites[0]
    second = crawl(site_of(server.base), tmp_path).sites[0]
    third = crawl(site_of(server.base), tmp_path).sites[0]
    assert first.removed == [f"{server.base}/news/3"]
    assert second.removed == third.removed == []
    assert second.skipped["removed earlier (HTTP 410)"] == 1
    assert second.outcomes["removed"] == 0


def test_removal_marks_survive_an_index_rebuild(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    server.route("/news/3", Reply(410))
    crawl(site_of(server.base), tmp_path)
    (tmp_path / "index.sqlite").unlink()
    index = CrawlIndex(tmp_path)
    assert [p.url.endswith("/news/3") for p in index.gone()] == [True]
    index.close()


def test_a_page_that_comes_back_unchanged_gets_a_revision_without_the_mark(server, tmp_path):
    crawl(site_of(server.base), tmp_path)
    server.route("/news/3", Reply(410))
    crawl(site_of(server.base), tmp_path)
    server.route("/news/3", Reply(body=news(3, ["/news/1", "/news/2"]), etag='"3-v1"'))
    crawl(site_of(server.base), tmp_path)
    back = [r for r in RecordLog(tmp_path).latest().values() if r.canonical_url.endswith("/news/3")]
    assert back[0].revision == 3 and back[0].removed_at is None


def test_a_broken_link_never_stored_is_a_failure_with_its_reason(server, tmp_path):
    server.page("/", article("Home", ["Latest."], ["/news/1", "/news/404"]))
    summary = crawl(site_of(server.base), tmp_path)
    assert [(f.url, f.reason) for f in summary.sites[0].failures] == [(f"{server.base}/news/404", "HTTP 404")]


def test_every_failure_is_reported_with_url_and_reason(server, tmp_path):
    server.page(
        "/", article("Home", ["x"], ["/news/1", "/news/down", "/news/reset", "/news/big", "/news/loop"])
    )
    server.route("/news/down", Reply(503))
    server.route("/news/reset", Reply(reset=True))
    server.route("/news/big", Reply(stream_bytes=20_000_000))
    server.route("/news/loop", Reply(302, headers={"Location": "/news/loop2"}))
    server.route("/news/loop2", Reply(302, headers={"Location": "/news/loop"}))
    summary = crawl(site_of(server.base), tmp_path, fetcher={"retries": 1, "max_bytes": 500_000})
    reasons = {f.url.rsplit("/", 1)[1]: f.reason for f in summary.sites[0].failures}
    assert set(reasons) == {"down", "reset", "big", "loop"}
    assert "HTTP 503" in reasons["down"] and "gave up after 2 attempts" in reasons["down"]
    assert "larger than 500000" in reasons["big"] and "redirect loop" in reasons["loop"]
    assert server.count("/news/down") == 2
    written = json.loads((tmp_path / "run-summary.json").read_text(encoding="utf-8"))
    assert len(written["sites"][0]["failures"]) == 4 and written["ok"] is True


def test_robots_rules_are_obeyed(server, tmp_path):
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /news/2\n", content_type="text/plain"))
    summary = crawl(site_of(server.base), tmp_path)
    assert server.count("/news/2") == 0
    assert summary.sites[0].skipped["disallowed by robots.txt"] == 1


def test_tracking_parameters_and_fragments_do_not_cause_refetches(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1#top", "/news/1?utm_source=x", "/news/1?fbclid=y"]))
    crawl(site_of(server.base), tmp_path)
    assert [r.path for r in server.requests if r.path.startswith("/news/1")] == ["/news/1"]


def test_max_pages_and_max_depth_bound_the_crawl(server, tmp_path):
    for n in range(10, 20):
        server.route(f"/news/{n}", Reply(body=news(n, [f"/news/{n + 1}"])))
    server.page("/", article("Home", ["x"], ["/news/10"]))
    summary = crawl(site_of(server.base, max_depth=3), tmp_path)
    assert [server.count(f"/news/{n}") for n in (12, 13)] == [1, 0]
    summary = crawl(site_of(server.base, max_pages=2), tmp_path / "b")
    assert summary.sites[0].pages_fetched == 2 and summary.sites[0].skipped["max_pages reached"] >= 1


def test_sitemap_index_gzip_sitemaps_and_feeds_are_discovered(server, tmp_path):
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{{BASE}}/news/1</loc></url></urlset>'
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>{{BASE}}/s1.xml.gz</loc></sitemap></sitemapindex>"
    )
    feed = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="{{BASE}}/news/2"/></entry></feed>'
    server.route("/sitemap.xml", Reply(body=index, content_type="application/xml"))
    server.route(
        "/s1.xml.gz",
        Reply(
            body=gzip.compress(urlset.replace("{{BASE}}", server.base).encode()),
            content_type="application/gzip",
        ),
    )
    server.route("/feed", Reply(body=feed, content_type="application/atom+xml"))
    site = site_from_dict(
        "p",
        {
            "sitemaps": [f"{server.base}/sitemap.xml"],
            "feeds": [f"{server.base}/feed"],
            "allow": ["/news/"],
            "delay": 0,
            "allow_private": True,
            "max_depth": 0,
        },
    )
    summary = crawl(site, tmp_path)
    assert summary.sites[0].new == 2 and server.count("/news/3") == 0


def test_non_html_content_is_skipped(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/report.pdf"]))
    server.route("/news/report.pdf", Reply(body=b"%PDF-1.4", content_type="application/pdf"))
    summary = crawl(site_of(server.base), tmp_path)
    assert summary.sites[0].skipped["not HTML (application/pdf)"] == 1 and lines(tmp_path) == []


def test_the_run_time_limit_stops_the_run_and_fails_it(server, tmp_path):
    links = [f"/news/{n}" for n in range(30, 60)]
    server.page("/", article("Home", ["x"], links))
    for path in links:
        server.route(path, Reply(delay=0.5, body=news(1)))
    summary = crawl(site_of(server.base, concurrency=1), tmp_path, max_run_time=2.0)
    site = summary.sites[0]
    assert not summary.ok and "run time limit" in site.error
    assert site.skipped["run time limit reached"] > 20
    assert sum(server.count(p) for p in links) < 10


def test_a_site_where_nothing_can_be_fetched_fails_the_run(tmp_path):
    with controlled_site() as server:
        server.route("/robots.txt", Reply(503))
        summary = crawl(site_of(server.base), tmp_path, fetcher={"retries": 0})
    assert not summary.ok and "robots.txt unreadable" in summary.reasons[0]


def test_a_second_run_on_the_same_folder_is_refused_at_once(server, tmp_path):
    with RunLock(tmp_path), pytest.raises(RunLockedError, match="another werger crawl"):
        crawl(site_of(server.base), tmp_path)
    assert server.requests == []


def sites_file(tmp_path: Path, base: str, extra: str = "") -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        f'[crawler]\ncontact = "https://example.org/crawler"\nretries = 1\n{extra}\n'
        f'[sites.partner]\nstart_urls = ["{base}/"]\nallow = ["/news/"]\ndelay = 0\nallow_private = true\n',
        encoding="utf-8",
    )
    return path


def test_the_cli_exits_zero_when_every_site_ran_and_logs_plain_lines(server, tmp_path):
    result = CliRunner().invoke(
        app, ["crawl", str(sites_file(tmp_path, server.base)), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "werger: site partner: done" in result.output
    assert "+https://example.org/crawler" in server.requested("/")[0].headers["User-Agent"]


def test_the_cli_exits_non_zero_with_the_reason(tmp_path):
    with controlled_site() as server:
        server.route("/robots.txt", Reply(500))
        path = sites_file(tmp_path, server.base)
        result = CliRunner().invoke(app, ["crawl", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "error: partner: nothing could be fetched" in result.output


def test_the_cli_refuses_an_overlapping_run_with_a_message(server, tmp_path):
    out = tmp_path / "o"
    with RunLock(out):
        result = CliRunner().invoke(app, ["crawl", str(sites_file(tmp_path, server.base)), "--out", str(out)])
    assert result.exit_code == 1 and "another werger crawl is writing to" in result.output
    assert "pid" in result.output


def test_text_from_sites_is_printed_literally_never_as_markup(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1", "/news/[/]gone", "/news/[b]x[/b]"]))
    path = sites_file(tmp_path, server.base)
    result = CliRunner().invoke(app, ["crawl", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert f"failed {server.base}/news/[/]gone: HTTP 404" in result.output
    assert f"failed {server.base}/news/[b]x[/b]: HTTP 404" in result.output


def test_control_characters_never_reach_the_terminal():
    from ingest.summary import markup_text, terminal_text

    assert terminal_text("a\x1b[31mb\u202ec") == "a\ufffd[31mb\ufffdc"
    assert markup_text("[/]") == "\\[/]"
