"""New variants of the crawler's field cases (base href, redirects, URL spellings), crawled as a user does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site
from test_crawl_cases import crawl, news, paths, records, site_of


@pytest.fixture
def server():
    with controlled_site() as site:
        yield site


def test_area_links_of_an_image_map_are_followed(server, tmp_path):
    server.page(
        "/",
        '<html><body><map name="m"><area shape="rect" coords="0,0,9,9" href="/news/1">'
        '<area href="news/2" alt="b"></map><img usemap="#m" src="/m.png"></body></html>',
    )
    server.page("/news/1", news(1))
    server.page("/news/2", news(2))
    crawl(site_of(server.base), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/1", "/news/2"]


def test_a_base_with_only_a_target_and_links_in_noscript(server, tmp_path):
    server.page(
        "/ru/",
        '<html><head><base target="_blank"></head><body><noscript><a href="news/1">a</a></noscript>'
        '<a data-href="/news/9" onclick="location=\'/news/9\'">js</a></body></html>',
    )
    server.page("/ru/news/1", news(1))
    server.page("/news/9", news(9))
    site = site_of(server.base, start_urls=[f"{server.base}/ru/"])
    crawl(site, tmp_path)
    assert paths(records(tmp_path), server.base) == ["/ru/news/1"]
    assert server.count("/news/9") == 0


def test_a_chain_of_redirects_of_every_kind_ends_at_the_page(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/a"]))
    server.route("/news/a", Reply(301, headers={"Location": "/news/b"}))
    server.route("/news/b", Reply(302, headers={"Location": "c"}))
    server.route("/news/c", Reply(303, headers={"Location": "../news/d"}))
    server.route("/news/d", Reply(307, headers={"Location": f"{server.base}/news/e"}))
    server.route("/news/e", Reply(308, headers={"Location": "/news/final.html"}))
    server.page("/news/final.html", news(1))
    summary = crawl(site_of(server.base), tmp_path)
    (record,) = records(tmp_path)
    assert record["canonical_url"] == f"{server.base}/news/final.html"
    assert not summary.sites[0].failures


def test_a_location_with_spaces_and_non_ascii_letters_is_requested_encoded(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/go/1", "/news/go/2"]))
    server.route("/news/go/1", Reply(302, headers={"Location": "/news/water network.html"}))
    server.route("/news/go/2", Reply(302, headers={"Location": "/news/%D8%AE%D8%A8%D8%B1.html"}))
    server.page("/news/water%20network.html", news(1))
    server.page("/news/%D8%AE%D8%A8%D8%B1.html", news(2))
    summary = crawl(site_of(server.base), tmp_path)
    assert len(records(tmp_path)) == 2
    assert not summary.sites[0].failures


def test_a_redirect_that_changes_the_case_of_the_scheme_and_host_stays_on_the_site(server, tmp_path):
    upper = server.base.replace("http://", "HTTP://")
    server.page("/", article("Home", ["x"], ["/news/go/1"]))
    server.route("/news/go/1", Reply(301, headers={"Location": f"{upper}/news/1"}))
    server.page("/news/1", news(1))
    summary = crawl(site_of(server.base), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/go/1"]
    assert not summary.sites[0].skipped.get("redirected out of scope")


def test_a_redirect_loop_through_spellings_of_one_url_is_a_loop(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/a"]))
    server.route("/news/a", Reply(301, headers={"Location": "/news/a?utm_source=x"}))
    server.route("/news/a?utm_source=x", Reply(301, headers={"Location": "/news//a"}))
    server.route("/news//a", Reply(301, headers={"Location": "/news/a"}))
    summary = crawl(site_of(server.base), tmp_path)
    assert records(tmp_path) == []
    (failure,) = summary.sites[0].failures
    assert "loop" in failure.reason or "redirect" in failure.reason
    assert server.count("/news/a") <= 3


def test_links_with_a_default_port_or_an_upper_case_host_are_on_the_site(server, tmp_path):
    port = server.base.rsplit(":", 1)[1]
    server.page(
        "/", article("Home", ["x"], [f"HTTP://LOCALHOST:{port}/news/1", f"http://localhost:{port}/news/2"])
    )
    server.page("/news/1", news(1))
    server.page("/news/2", news(2))
    site = site_of(server.base2)
    crawl(site, tmp_path)
    assert len(records(tmp_path)) == 2


def test_repeated_parameters_and_empty_values_are_requested_as_published(server, tmp_path):
    published = [
        "/news/list?tag=a&tag=b",
        "/news/list?tag=b&tag=a&x=",
        "/news/v.php?id=5&",
        "/news/story.php?",
    ]
    server.page("/", article("Home", ["x"], published))
    for n, p in enumerate(published):
        server.page(p, news(n))
    crawl(site_of(server.base), tmp_path)
    assert server.count("/news/list?tag=a&tag=b") == 1
    assert server.count("/news/v.php?id=5&") == 1 and server.count("/news/story.php?") == 1


SESSION_1 = ["/news/1;jsessionid=A1B2C3", "/news/1;jsessionid=D4E5F6"]
SESSION_2 = ["/news/2?PHPSESSID=ab12", "/news/2?PHPSESSID=cd34"]


def test_session_ids_in_links_do_not_make_a_page_twice(server, tmp_path):
    server.page(
        "/",
        article("Home", ["x"], [*SESSION_1, *SESSION_2]),
    )
    for p in SESSION_1:
        server.page(p, news(1))
    for p in SESSION_2:
        server.page(p, news(2))
    crawl(site_of(server.base), tmp_path)
    assert len(records(tmp_path)) == 2


def test_percent_encoding_case_does_not_make_a_page_twice(server, tmp_path):
    spellings = ["/news/%d8%ae%d8%a8%d8%b1", "/news/%D8%AE%D8%A8%D8%B1", "/news/خبر"]
    server.page("/", article("Home", ["x"], spellings))
    server.page("/news/%d8%ae%d8%a8%d8%b1", news(1))
    server.page("/news/%D8%AE%D8%A8%D8%B1", news(1))
    crawl(site_of(server.base), tmp_path)
    assert len(records(tmp_path)) == 1


def test_a_sitemap_with_relative_locs_gives_its_pages(server, tmp_path):
    sitemap = "<urlset><url><loc>/news/1</loc></url><url><loc>news/2</loc></url></urlset>"
    server.route("/sitemap.xml", Reply(body=sitemap, content_type="application/xml"))
    server.page("/", article("Home", ["x"]))
    server.page("/news/1", news(1))
    server.page("/news/2", news(2))
    crawl(site_of(server.base, sitemaps=[f"{server.base}/sitemap.xml"]), tmp_path)
    assert paths(records(tmp_path), server.base) == ["/news/1", "/news/2"]


def test_a_meta_refresh_page_leads_to_its_target(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/old"]))
    server.page(
        "/news/old",
        '<html><head><meta http-equiv="refresh" content="0; url=/news/new"></head><body>Moved</body></html>',
    )
    server.page("/news/new", news(1))
    crawl(site_of(server.base), tmp_path)
    assert "/news/new" in paths(records(tmp_path), server.base)
