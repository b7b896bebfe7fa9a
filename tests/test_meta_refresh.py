"""Meta-refresh stubs are redirects: the stub is not stored, its target is a new URL that passes
scope, robots.txt and dedup; reloads, late refreshes and ``<noscript>`` refreshes are not followed.
Crawled against the loopback server as a user runs werger."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site
from test_crawl_cases import crawl, news, paths, records, site_of

from ingest.refresh import meta_refresh_target


def stub(content: str, quote: str = '"', where: str = "head") -> str:
    meta = f"<meta http-equiv={quote}Refresh{quote} content={quote}{content}{quote}>"
    if where == "noscript":
        meta = f"<noscript>{meta}</noscript>"
    if where == "comment":
        meta = f"<!--[if lte IE 6]>{meta}<![endif]-->"
    return f"<html><head><title>Moved</title>{meta}</head><body><p>This page has moved.</p></body></html>"


@pytest.fixture
def server():
    with controlled_site() as site:
        yield site


@pytest.mark.parametrize(
    ("content", "quote"),
    [("0; url=/news/new", '"'), ("0;URL='/news/new'", '"'), ("3, url=new", "'"), ("0; /news/new", '"')],
)
def test_a_stub_is_followed_and_not_stored(server, tmp_path, content, quote):
    server.page("/", article("Home", ["x"], ["/news/old"]))
    server.page("/news/old", stub(content, quote))
    server.page("/news/new", news(1))
    summary = crawl(site_of(server.base), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/new"]
    assert summary.sites[0].skipped["redirected by a meta refresh"] == 1


def test_a_stub_pointing_off_the_site_is_reported_and_not_followed(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/old", "/news/away"]))
    server.page("/news/old", stub("0; url=https://elsewhere.example/story"))
    server.page("/news/away", stub("0; url=/about/team"))  # on the host, outside allow
    summary = crawl(site_of(server.base), tmp_path)
    assert records(tmp_path) == []
    assert summary.sites[0].skipped["redirected out of scope"] == 2
    assert server.count("/about/team") == 0


def test_a_stub_into_a_path_robots_txt_disallows_is_not_fetched(server, tmp_path):
    server.route(
        "/robots.txt", Reply(body="User-agent: *\nDisallow: /news/private/\n", content_type="text/plain")
    )
    server.page("/", article("Home", ["x"], ["/news/old"]))
    server.page("/news/old", stub("0; url=/news/private/1"))
    server.page("/news/private/1", news(1))
    crawl(site_of(server.base), tmp_path)
    assert records(tmp_path) == []
    assert server.count("/news/private/1") == 0


def test_stubs_pointing_at_each_other_end(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/a"]))
    server.page("/news/a", stub("0; url=/news/b"))
    server.page("/news/b", stub("0; url=/news/a"))
    summary = crawl(site_of(server.base), tmp_path)
    assert records(tmp_path) == []
    assert summary.sites[0].skipped["redirected by a meta refresh"] == 2


@pytest.mark.parametrize(
    "page",
    [
        stub("300"),  # a front page reloading itself
        stub("120; url=/"),  # an article that returns to the home page after two minutes
        stub("0; url=/news/old"),  # a refresh to the page itself
        stub("0; url=/news/new", where="noscript"),  # for browsers without scripts
        stub("0; url=/news/new", where="comment"),  # for old Internet Explorers only
    ],
)
def test_reloads_late_refreshes_and_noscript_refreshes_are_not_redirects(page):
    assert meta_refresh_target(page, "http://partner.example/news/old") is None


def test_the_target_resolves_against_the_url_that_answered():
    page = stub("0; url=../world/7.html?a=1&amp;b=2")
    assert meta_refresh_target(page, "http://partner.example/news/sport/old.html") == (
        "http://partner.example/news/world/7.html?a=1&b=2"
    )
