"""`werger check` and `werger crawl --dry-run`: look before crawling, write nothing, fetch no page."""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, controlled_site

from ingest.cli import app

ROBOTS = "User-agent: *\nDisallow: /news/private\nCrawl-delay: 2\nSitemap: {base}/sitemap.xml\n"
SITEMAP = (
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    + "".join(
        f"<url><loc>{{base}}{path}</loc></url>"
        for path in ("/news/1", "/news/2", "/news/private", "/about", "/news/1?utm_source=x")
    )
    + "</urlset>"
)


def sites_file(tmp_path: Path, base: str, extra: str = "") -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(
        '[crawler]\ncontact = "ops@example.org"\nretries = 0\n'
        f'[sites.partner]\nstart_urls = ["{base}/"]\nallow = ["/news/"]\ndelay = 0.5\n'
        f'allow_private = true\nlanguages = ["en", "ckb"]\n{extra}',
        encoding="utf-8",
    )
    return path


def serve(site) -> None:
    site.route("/robots.txt", Reply(body=ROBOTS.format(base=site.base), content_type="text/plain"))
    site.route("/sitemap.xml", Reply(body=SITEMAP.format(base=site.base), content_type="application/xml"))


def test_check_shows_what_each_site_resolves_to_reading_only_robots_txt(tmp_path):
    with controlled_site() as site:
        serve(site)
        result = CliRunner().invoke(app, ["check", str(sites_file(tmp_path, site.base))])
        requested = [r.path for r in site.requests]
    assert result.exit_code == 0, result.output
    host = site.base.split("//")[1]
    for line in (
        "valid, 1 site(s)",
        "[sites.partner]",
        f"hosts: {host}",
        "scope: pages matching /news/",
        "languages: en, ckb",
        "limits: max_pages 1000, max_depth 3, concurrency 2, delay 0.5 s, private addresses allowed",
        f"robots.txt {site.base}: robots.txt read, Crawl-delay 2 s (delay in force 2 s), announces 1 sitemap",
        "User-Agent: werger/",
        f"start_url: {site.base}/ (outside allow: read for its links, not stored)",
    ):
        assert line in result.output
    assert requested == ["/robots.txt"]
    assert not (tmp_path / "out").exists()


def test_check_fails_when_a_robots_txt_cannot_be_read(tmp_path):
    with controlled_site() as site:
        site.route("/robots.txt", Reply(503))
        result = CliRunner().invoke(app, ["check", str(sites_file(tmp_path, site.base))])
    assert result.exit_code == 1
    assert "robots.txt unreadable, host skipped: HTTP 503" in result.output
    assert "1 host(s) with an unreadable robots.txt" in result.output


def test_check_offline_makes_no_request_and_an_invalid_file_fails(tmp_path):
    with controlled_site() as site:
        result = CliRunner().invoke(app, ["check", "--offline", str(sites_file(tmp_path, site.base))])
        assert site.requests == []
    assert result.exit_code == 0 and "not read (--offline)" in result.output
    bad = sites_file(tmp_path, "http://127.0.0.1:9", "max_depth = -1\n")
    result = CliRunner().invoke(app, ["check", "--offline", str(bad)])
    assert result.exit_code == 1 and "[sites.partner] max_depth must be at least 0" in result.output


def test_dry_run_lists_what_would_be_fetched_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    with controlled_site() as site:
        serve(site)
        args = ["crawl", str(sites_file(tmp_path, site.base)), "--out", str(out), "--dry-run"]
        result = CliRunner().invoke(app, args)
        requested = sorted(r.path for r in site.requests)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.count("\t") == 3]
    verdicts = {url.removeprefix(site.base): verdict for _, verdict, url, _ in rows}
    assert verdicts == {
        "/": "fetch",
        "/news/1": "fetch",
        "/news/2": "fetch",
        "/news/private": "disallowed by robots.txt",
        "/about": "out of scope",
    }
    assert "partner: 3 to fetch, 1 disallowed by robots.txt, 1 out of scope" in result.stdout
    assert requested == ["/robots.txt", "/sitemap.xml"]
    assert not out.exists()


def test_dry_run_respects_max_pages(tmp_path):
    with controlled_site() as site:
        serve(site)
        path = sites_file(tmp_path, site.base, "max_pages = 2\n")
        result = CliRunner().invoke(app, ["crawl", str(path), "--out", str(tmp_path / "o"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 to fetch" in result.stdout and "1 over max_pages" in result.stdout


def test_dry_run_needs_no_output_folder_but_a_crawl_does(tmp_path):
    with controlled_site() as site:
        serve(site)
        path = sites_file(tmp_path, site.base)
        dry = CliRunner().invoke(app, ["crawl", str(path), "--dry-run"])
        real = CliRunner().invoke(app, ["crawl", str(path)])
    assert dry.exit_code == 0 and "3 to fetch" in dry.stdout
    assert real.exit_code == 2 and "--out" in real.output


def test_dry_run_reports_a_broken_sitemap_or_feed_and_lists_the_rest(tmp_path):
    # A real crawl counts such a sitemap as one failed URL and goes on; the dry run must too.
    with controlled_site() as site:
        serve(site)
        robots = ROBOTS.format(base=site.base)
        robots += f"Sitemap: {site.base}/broken.xml\nSitemap: {site.base}/gone.xml\n"
        robots += f"Sitemap: {site.base}/control-\x1b[31m.xml\n"  # requested percent-encoded
        site.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
        site.route("/broken.xml", Reply(body="not xml at all", content_type="application/xml"))
        site.route("/gone.xml", Reply(status=404, body=""))
        site.route("/feed/", Reply(body="not a feed", content_type="application/rss+xml"))
        path = sites_file(tmp_path, site.base, f'feeds = ["{site.base}/feed/"]\n')
        result = CliRunner().invoke(app, ["crawl", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 to fetch" in result.stdout
    assert f"partner: problem: {site.base}/broken.xml: sitemap is not XML" in result.stdout
    assert f"partner: problem: {site.base}/gone.xml: HTTP 404" in result.stdout
    assert f"partner: problem: {site.base}/feed/:" in result.stdout
    assert f"partner: problem: {site.base}/control-%1B[31m.xml: HTTP 404" in result.stdout


def test_a_crawl_requests_a_sitemap_robots_txt_announces_with_control_characters_percent_encoded(tmp_path):
    import json

    with controlled_site() as site:
        serve(site)
        robots = ROBOTS.format(base=site.base) + f"Sitemap: {site.base}/control-\x1b[31m.xml\n"
        site.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
        path = sites_file(tmp_path, site.base)
        out = tmp_path / "out"
        args = ["crawl", str(path), "--out", str(out), "--models-dir", str(tmp_path)]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    failures = json.loads((out / "run-summary.json").read_text())["sites"][0]["failures"]
    assert {"url": f"{site.base}/control-%1B[31m.xml", "reason": "HTTP 404"} in failures, failures
    assert not [f for f in failures if "internal error" in f["reason"]], failures


def test_check_says_how_pages_will_be_extracted(tmp_path):
    """Worker processes or threads: what ``extract_processes`` comes to for this sites file."""
    from ingest.pipeline import usable_cores

    one = sites_file(tmp_path, "http://127.0.0.1:9")
    result = CliRunner().invoke(app, ["check", "--offline", str(one)])
    assert "extraction: in threads (one site)" in result.output, result.output
    two = tmp_path / "two.toml"
    other = '[sites.other]\nstart_urls = ["http://127.0.0.1:8/"]\nallow_private = true\n[sites.partner]'
    two.write_text(one.read_text(encoding="utf-8").replace("[sites.partner]", other), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--offline", str(two)])
    cores = usable_cores()
    expected = f"extraction: {cores} worker processes" if cores >= 2 else "extraction: in threads (one core)"
    assert expected in result.output, result.output
    fixed = tmp_path / "fixed.toml"
    three = one.read_text(encoding="utf-8").replace("retries = 0", "retries = 0\nextract_processes = 3")
    fixed.write_text(three, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--offline", str(fixed)])
    capped = f"extraction: {cores} worker processes (extract_processes = 3, capped at the cores)"
    assert ("extraction: 3 worker processes" if cores >= 3 else capped) in result.output, result.output
