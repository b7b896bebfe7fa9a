"""Runs under limits: slow servers, huge sitemap indexes, many sites at once, runs cut short and resumed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

from ingest.config import site_from_dict
from ingest.pipeline import RunOptions, run_crawl
from translate.argos import argos_registry

TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
    "Engineers from the municipality trained local volunteers to look after the pumps.",
]
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_index(children: int) -> str:
    locs = "".join(f"<sitemap><loc>{{{{BASE}}}}/s/{n}.xml</loc></sitemap>" for n in range(children))
    return f'<sitemapindex xmlns="{SITEMAP_NS}">{locs}</sitemapindex>'


def news(n: int) -> str:
    return article(f"Story {n}", [f"{p} Story {n}." for p in TEXT])


def site_of(name: str, base: str, **settings):
    table = {"start_urls": [f"{base}/"], "allow": ["/news/"], "delay": 0, "allow_private": True}
    return site_from_dict(name, {**table, **settings})


def crawl(sites, out: Path, **options):
    fast = {"backoff": 0.01, "timeout": 5.0, "retries": 0, **options.pop("fetcher", {})}
    run_options = RunOptions(out_dir=out, fetcher_options=fast, **options)
    return run_crawl(sites, run_options, argos_registry(out / "m"))


def records(out: Path) -> list[dict]:
    path = out / "records.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def hub(server, paths: list[str], **reply) -> None:
    server.page("/", article("Home", ["Latest news."], paths))
    for n, path in enumerate(paths):
        server.route(path, Reply(body=news(n), **reply))


def test_max_run_time_cuts_a_dripping_request_and_keeps_what_finished(tmp_path):
    with controlled_site() as server:
        hub(server, ["/news/1", "/news/2", "/news/slow"])
        server.route("/news/slow", Reply(body=news(9), drip=0.2))
        start = time.monotonic()
        summary = crawl([site_of("a", server.base)], tmp_path, max_run_time=2.0, fetcher={"timeout": 60})
        took = time.monotonic() - start
    site = summary.sites[0]
    assert took < 6
    assert sorted(r["url"].rsplit("/", 1)[1] for r in records(tmp_path)) == ["1", "2"]
    assert "run time limit reached" in site.error and site.skipped["run time limit reached"] == 1


def test_a_huge_sitemap_index_is_read_within_max_pages_and_max_sitemaps(tmp_path):
    with controlled_site() as server:
        server.route("/sitemap.xml", Reply(body=sitemap_index(5000)))
        for n in range(5000):
            locs = "".join(f"<url><loc>{{{{BASE}}}}/news/{n}-{k}</loc></url>" for k in range(3))
            server.route(f"/s/{n}.xml", Reply(body=f'<urlset xmlns="{SITEMAP_NS}">{locs}</urlset>'))
        site = site_of("a", server.base, sitemaps=[f"{server.base}/sitemap.xml"], max_pages=5)
        summary = crawl([site], tmp_path)
        sitemap_requests = sum(1 for r in server.requests if r.path.startswith("/s/"))
    assert sitemap_requests <= 3  # 3 URLs each: enough to queue the 5 pages werger may fetch
    skipped = summary.sites[0].skipped
    assert skipped["sitemap not read: max_pages already queued"] == 5000 - sitemap_requests


def test_max_sitemaps_bounds_the_sitemap_requests_of_a_site(tmp_path):
    with controlled_site() as server:
        server.route("/sitemap.xml", Reply(body=sitemap_index(50)))
        for n in range(50):
            server.route(f"/s/{n}.xml", Reply(body=f'<urlset xmlns="{SITEMAP_NS}"></urlset>'))
        site = site_of("a", server.base, sitemaps=[f"{server.base}/sitemap.xml"], max_sitemaps=4)
        summary = crawl([site], tmp_path)
        assert sum(1 for r in server.requests if r.path.startswith("/s/")) == 3
    assert summary.sites[0].skipped["sitemap not read: max_sitemaps reached"] == 47


def test_discovery_stops_at_the_run_deadline(tmp_path):
    with controlled_site() as server:
        server.route("/sitemap.xml", Reply(body=sitemap_index(100)))
        for n in range(100):
            server.route(f"/s/{n}.xml", Reply(delay=0.3, body=f'<urlset xmlns="{SITEMAP_NS}"></urlset>'))
        site = site_of("a", server.base, sitemaps=[f"{server.base}/sitemap.xml"], max_sitemaps=1000)
        start = time.monotonic()
        summary = crawl([site], tmp_path, max_run_time=1.5)
        took = time.monotonic() - start
    assert took < 5 and "run time limit reached" in summary.sites[0].error


def test_sites_are_crawled_at_once(tmp_path):
    with controlled_site() as one, controlled_site() as two:
        for server in (one, two):
            hub(server, [f"/news/{n}" for n in range(4)])
        crawl([site_of("one", one.base, delay=0.2), site_of("two", two.base, delay=0.2)], tmp_path)
        first_of_two = min(r.at for r in two.requests)
        last_of_one = max(r.at for r in one.requests)
    assert first_of_two < last_of_one
    assert len(records(tmp_path)) == 8


def test_every_site_gets_its_turn_when_the_run_is_cut_short(tmp_path):
    servers = [controlled_site() for _ in range(3)]
    sites = []
    try:
        for n, context in enumerate(servers):
            server = context.__enter__()
            hub(server, [f"/news/{k}" for k in range(20)])
            sites.append(site_of(f"s{n}", server.base, delay=0.3, concurrency=1))
        summary = crawl(sites, tmp_path, max_run_time=2.0)
    finally:
        for context in servers:
            context.__exit__(None, None, None)
    assert [s.site for s in summary.sites] == ["s0", "s1", "s2"]
    assert all(s.records_written >= 2 for s in summary.sites)


def test_the_next_run_starts_where_the_last_one_stopped(tmp_path):
    with controlled_site() as server:
        paths = [f"/news/{n}" for n in range(6)]
        hub(server, paths)
        first = crawl([site_of("a", server.base, max_pages=4)], tmp_path)
        assert first.sites[0].skipped["max_pages reached"] == 3
        before = {p: server.count(p) for p in paths}
        second = crawl([site_of("a", server.base, max_pages=4)], tmp_path)
        fetched_second = [p for p in paths if server.count(p) > before[p]]
    assert [p for p in paths if before[p]] == paths[:3]
    assert fetched_second == paths[3:]  # the start page, then the three left over, not 0-2 again
    assert second.sites[0].new == 3 and len(records(tmp_path)) == 6


def test_extraction_in_worker_processes_gives_the_same_records(tmp_path):
    with controlled_site() as server:
        hub(server, [f"/news/{n}" for n in range(4)])
        crawl([site_of("a", server.base)], tmp_path / "thread")
        crawl([site_of("a", server.base)], tmp_path / "processes", extract_processes=2)

    def comparable(out: Path) -> list:
        return sorted(
            (
                r["url"],
                r["title"],
                r["source_lang"],
                [(s["source"], s["lang"], s["lang_confidence"]) for s in r["segments"]],
            )
            for r in records(out)
        )

    assert len(records(tmp_path / "thread")) == 4
    assert comparable(tmp_path / "thread") == comparable(tmp_path / "processes")


def test_a_sitemap_over_the_protocol_limit_is_a_failure_with_its_reason(tmp_path):
    import gzip

    url = "<url><loc>{{BASE}}/news/a-story-with-a-rather-long-address-like-real-news-sites-use</loc></url>"
    body = f'<urlset xmlns="{SITEMAP_NS}">' + url * 700_000 + "</urlset>"
    with controlled_site() as server:
        packed = gzip.compress(body.encode(), 1)
        server.route("/big.xml.gz", Reply(body=packed, content_type="application/gzip"))
        summary = crawl([site_of("a", server.base, sitemaps=[f"{server.base}/big.xml.gz"])], tmp_path)
    (failure,) = [f for f in summary.sites[0].failures if f.url.endswith("/big.xml.gz")]
    assert "inflates past 50000000 bytes" in failure.reason


def test_the_run_settings_for_many_sites_are_read_from_the_sites_file():
    from ingest.config import parse_config

    config = parse_config(
        "[crawler]\nmax_connections = 8\nextract_processes = 2\n"
        '[sites.a]\nstart_urls = ["https://a.example/"]\nmax_sitemaps = 3\n'
    )
    assert config.crawler.fetcher_options()["max_connections"] == 8
    assert config.crawler.extract_processes == 2 and config.sites[0].max_sitemaps == 3
