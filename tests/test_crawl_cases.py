"""Field cases of the crawler, served as they came (``fixtures/crawl-cases``), crawled as a user does."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

from ingest.config import parse_config, site_from_dict
from ingest.pipeline import RunOptions, run_crawl
from translate.argos import argos_registry

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "crawl-cases"
TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
    "Engineers from the municipality trained local volunteers to look after the pumps.",
]


def crawl_case(folder: Path, out: Path):
    """Serve ``folder``'s routes, crawl its sites.toml; return (summary, records, server)."""
    with controlled_site() as server:
        server.serve_routes(folder)
        config = parse_config(server.fill((folder / "sites.toml").read_text(encoding="utf-8")))
        options = RunOptions(out_dir=out, fetcher_options={"backoff": 0.01, "timeout": 5.0})
        summary = run_crawl(config.sites, options, argos_registry(out / "m"))
    return summary, records(out), server


def records(out: Path) -> list[dict]:
    path = out / "records.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def paths(found: list[dict], base: str) -> list[str]:
    return sorted(r["url"].removeprefix(base) for r in found)


def test_links_resolve_against_a_relative_base_href(tmp_path):
    summary, found, server = crawl_case(CASES / "01-relative-base-href", tmp_path)
    assert summary.ok
    assert paths(found, server.base) == [
        "/en/news/2024/school-reopens.html",
        "/en/news/2024/water-network.html",
    ]


def test_a_redirect_to_another_host_is_skipped_with_its_reason(tmp_path):
    summary, found, server = crawl_case(CASES / "04-redirect-offsite", tmp_path)
    assert paths(found, server.base) == ["/news/1.html"]
    assert server.count("/ads/landing.html") == 0
    assert summary.sites[0].skipped["redirected out of scope"] == 1
    assert summary.ok


@pytest.mark.parametrize("variant", ["", "variant-no-allow"])
def test_urls_are_requested_as_published(tmp_path, variant):
    summary, found, server = crawl_case(CASES / "17-url-normalisation" / variant, tmp_path)
    published = [
        "/index.php?/news/101-water-network/",
        "/index.php?/news/102-school-reopens/",
        "/news/story.aspx?id=7&section=economy",
    ]
    assert paths(found, server.base) == published
    assert len({r["id"] for r in found}) == 3
    assert all(server.count(p) == 1 for p in published)
    assert summary.ok and not summary.sites[0].failures


def site_of(base: str, **settings):
    table = {"start_urls": [f"{base}/"], "allow": ["/news/"], "delay": 0, "allow_private": True}
    return site_from_dict("partner", {**table, **settings})


def crawl(site, out: Path):
    options = RunOptions(out_dir=out, fetcher_options={"backoff": 0.01, "timeout": 5.0})
    return run_crawl([site], options, argos_registry(out / "m"))


def news(n: int) -> str:
    return article(f"Story {n}", [f"{p} Story {n}." for p in TEXT])


@pytest.fixture
def server():
    with controlled_site() as site:
        yield site


def test_feed_links_resolve_against_the_feeds_xml_base(server, tmp_path):
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="{server.base}/ru/"><title>Новости</title>'
        '<entry><title>Один</title><link href="news/1.html"/></entry>'
        '<entry xml:base="news/2024/"><title>Два</title><link href="2.html"/></entry></feed>'
    )
    server.route("/feed.atom", Reply(body=feed, content_type="application/atom+xml"))
    server.page("/", article("Home", ["x"]))
    server.page("/ru/news/1.html", news(1))
    server.page("/ru/news/2024/2.html", news(2))
    summary = crawl(site_of(server.base, feeds=[f"{server.base}/feed.atom"]), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/ru/news/1.html", "/ru/news/2024/2.html"]
    assert not summary.sites[0].failures


def test_sitemap_and_feed_urls_with_bare_ampersands_are_requested_as_published(server, tmp_path):
    published = [
        "/news/story.aspx?id=7&section=economy",
        "/news/v.php?id=3&copy=2&para=1",
        "/news/r?id=9&reg=ar",
    ]
    sitemap = "".join(f"<url><loc>{server.base}{p}</loc></url>" for p in published[:2])
    server.route("/sitemap.xml", Reply(body=f"<urlset>{sitemap}</urlset>", content_type="application/xml"))
    rss = f"<rss><channel><item><link>{server.base}{published[2]}</link></item></channel></rss>"
    server.route("/feed.rss", Reply(body=rss, content_type="application/rss+xml"))
    server.page("/", article("Home", ["x"]))
    for n, path in enumerate(published):
        server.page(path, news(n))
    site = site_of(server.base, sitemaps=[f"{server.base}/sitemap.xml"], feeds=[f"{server.base}/feed.rss"])
    summary = crawl(site, tmp_path)
    assert paths(records(tmp_path), server.base) == sorted(published)
    assert all(server.count(p) == 1 for p in published)
    assert not summary.sites[0].failures


def test_links_written_with_backslashes_are_followed_as_a_browser_does(server, tmp_path):
    server.page(
        "/ku/", '<html><body><a href="\\news\\7.html">a</a><a href="..\\news\\8.html">b</a></body></html>'
    )
    server.page("/news/7.html", news(7))
    server.page("/news/8.html", news(8))
    site = site_from_dict(
        "p", {"start_urls": [f"{server.base}/ku/"], "allow": ["/news/"], "delay": 0, "allow_private": True}
    )
    crawl(site, tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/7.html", "/news/8.html"]


def test_a_redirect_into_a_path_robots_txt_disallows_is_not_followed(server, tmp_path):
    robots = "User-agent: *\nDisallow: /news/private/\n"
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))
    server.page("/", article("Home", ["x"], ["/news/1", "/news/2"]))
    server.page("/news/1", news(1))
    server.route("/news/2", Reply(301, headers={"Location": "/news/private/2"}))
    server.page("/news/private/2", news(2))
    summary = crawl(site_of(server.base), tmp_path)
    assert server.count("/news/private/2") == 0
    assert summary.sites[0].skipped["redirected to a URL robots.txt disallows"] == 1
    assert paths(records(tmp_path), server.base) == ["/news/1"]


def test_a_redirect_outside_the_allow_patterns_is_not_followed(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1"]))
    server.route("/news/1", Reply(302, headers={"Location": "/shop/offer"}))
    server.page("/shop/offer", news(1))
    summary = crawl(site_of(server.base), tmp_path)
    assert server.count("/shop/offer") == 0 and records(tmp_path) == []
    assert summary.sites[0].skipped["redirected out of scope"] == 1


def test_a_redirect_to_a_host_that_does_not_resolve_is_out_of_scope_not_a_failure(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1", "/news/go/77"]))
    server.page("/news/1", news(1))
    server.route("/news/go/77", Reply(302, headers={"Location": "http://ads.invalid/landing.html"}))
    summary = crawl(site_of(server.base), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/1"]
    assert summary.sites[0].skipped["redirected out of scope"] == 1
    assert not summary.sites[0].failures and summary.ok


def test_a_cookie_check_that_redirects_back_to_the_page_is_not_a_loop(server, tmp_path):
    # ASP.NET's cookieless-session detection: set a cookie, redirect through a marked URL and back
    page, probe = "/news/story.aspx?id=7", "/news/story.aspx?id=7&AspxAutoDetectCookieSupport=1"
    cookie = {"Set-Cookie": "AspxAutoDetectCookieSupport=1; Path=/"}
    server.page("/", article("Home", ["x"], [page]))
    server.route(page, Reply(302, headers={"Location": probe, **cookie}), Reply(body=news(7)))
    server.route(probe, Reply(302, headers={"Location": page}))
    summary = crawl(site_of(server.base), tmp_path)
    assert paths(records(tmp_path), server.base) == [page]
    assert not summary.sites[0].failures


def test_a_loop_that_sets_the_same_cookie_each_time_is_still_a_loop(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/a"]))
    server.route("/news/a", Reply(302, headers={"Location": "/news/b", "Set-Cookie": "s=1; Path=/"}))
    server.route("/news/b", Reply(302, headers={"Location": "/news/a", "Set-Cookie": "s=1; Path=/"}))
    summary = crawl(site_of(server.base), tmp_path)
    assert records(tmp_path) == []
    (failure,) = summary.sites[0].failures
    assert failure.reason.startswith("redirect loop back to") and server.count("/news/a") <= 2


def test_a_redirect_to_a_page_already_crawled_fetches_it_once(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1", "/news/old-1"]))
    server.page("/news/1", news(1))
    server.route("/news/old-1", Reply(301, headers={"Location": "/news/1"}))
    summary = crawl(site_of(server.base), tmp_path)
    assert server.count("/news/1") == 1 and len(records(tmp_path)) == 1
    assert summary.sites[0].skipped["redirected to a URL already queued or crawled"] == 1


def test_a_redirect_inside_scope_is_followed_and_named_by_its_destination(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/go/5"]))
    server.route("/news/go/5", Reply(302, headers={"Location": "/news/2024/5.html"}))
    server.page("/news/2024/5.html", news(5))
    crawl(site_of(server.base), tmp_path)
    (record,) = records(tmp_path)
    assert record["url"] == f"{server.base}/news/go/5"
    assert record["canonical_url"] == f"{server.base}/news/2024/5.html"


def test_a_redirect_that_drops_tracking_parameters_is_followed(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1?utm_source=home"]))
    server.route("/news/1?utm_source=home", Reply(301, headers={"Location": "/news/1"}))
    server.page("/news/1", news(1))
    crawl(site_of(server.base), tmp_path)
    assert server.count("/news/1") == 1 and len(records(tmp_path)) == 1


def test_the_www_and_bare_names_of_a_seed_host_are_the_same_site():
    site = site_from_dict("p", {"start_urls": ["https://partner.example/"], "allow": ["/news/"]})
    assert site.in_scope("https://www.partner.example/news/1")
    assert site.in_scope("https://partner.example/news/1")
    assert not site.in_scope("https://cdn.partner.example/news/1")
    www = site_from_dict("p", {"start_urls": ["https://www.partner.example/"]})
    assert www.in_scope("https://partner.example/news/1") and not www.in_scope(
        "https://www.www.partner.example/"
    )
