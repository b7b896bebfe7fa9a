"""URL normalisation and the sitemap/feed parsers."""

from __future__ import annotations

import gzip

import pytest

from ingest.discover import MAX_SITEMAP_BYTES, canonical, gunzip_capped, page_links, parse_feed, parse_sitemap
from ingest.errors import DiscoveryError


def test_tracking_parameters_and_fragments_are_dropped():
    url = "HTTP://Partner.Example/news/1?utm_source=x&id=7&fbclid=abc#comments"
    assert canonical(url) == "http://partner.example/news/1?id=7"


def test_gzipped_sitemaps_are_read():
    xml = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.example/1</loc></url></urlset>'
    assert parse_sitemap(gzip.compress(xml)) == (["http://a.example/1"], [])


def test_a_gzip_bomb_is_not_inflated_past_the_cap():
    bomb = gzip.compress(b"<" * 5_000_000)
    assert gunzip_capped(bomb, limit=1_000_000) is None
    with pytest.raises(DiscoveryError, match="not valid gzip"):
        parse_sitemap(bomb[:-8] + b"corrupt!")


def test_a_sitemap_over_the_protocol_limit_says_why_it_was_not_read():
    locs = b"<url><loc>https://partner.example/news/story-number-0000000</loc></url>" * (
        MAX_SITEMAP_BYTES // 70 + 10
    )
    big = gzip.compress(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + locs + b"</urlset>")
    with pytest.raises(DiscoveryError, match="inflates past 50000000 bytes"):
        parse_sitemap(big)


def test_sitemap_indexes_give_nested_sitemaps():
    xml = "<sitemapindex><sitemap><loc>http://a.example/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(xml) == ([], ["http://a.example/s1.xml"])


def test_rss_and_atom_items_give_links():
    rss = "<rss><channel><link>http://a.example/</link><item><link>/news/1</link></item></channel></rss>"
    atom = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/news/2"/></entry></feed>'
    assert parse_feed(rss, "http://a.example/") == ["http://a.example/news/1"]
    assert parse_feed(atom, "http://a.example/") == ["http://a.example/news/2"]


def test_atom_links_resolve_against_nested_xml_base():
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/ckb/">'
        '<entry xml:base="news/2024/"><link rel="alternate" href="water.html"/></entry>'
        '<entry><link href="news/school.html"/></entry>'
        '<entry xml:base="http://b.example/ar/"><link href="report"/></entry></feed>'
    )
    assert parse_feed(atom, "http://a.example/feeds/all.xml") == [
        "http://a.example/ckb/news/2024/water.html",
        "http://a.example/ckb/news/school.html",
        "http://b.example/ar/report",
    ]


def test_page_links_skip_other_schemes():
    page = (
        '<a href="/a">a</a><a href="mailto:x@y">m</a><a href="file:///etc/passwd">f</a><a href="/a">again</a>'
    )
    assert page_links(page, "http://a.example/") == ["http://a.example/a"]


def test_a_relative_base_href_is_resolved_against_the_page_url():
    page = '<html><head><base href="/en/"></head><body><a href="news/1.html">x</a></body></html>'
    assert page_links(page, "http://a.example/en/section/politics/") == ["http://a.example/en/news/1.html"]


def test_an_absolute_base_href_and_no_base_href():
    page = '<head><base href="http://b.example/x/"></head><a href="y">y</a><a href="/z#frag">z</a>'
    assert page_links(page, "http://a.example/p/") == ["http://b.example/x/y", "http://b.example/z"]
    assert page_links('<a href="y?a=1&amp;sect=2">y</a>', "http://a.example/p/") == [
        "http://a.example/p/y?a=1&sect=2"
    ]


def test_a_bare_ampersand_in_a_sitemap_or_feed_is_a_character_and_cdata_stays_as_written():
    sitemap = "<urlset><url><loc>http://a.example/n?id=7&section=2&amp;x=1</loc></url></urlset>"
    assert parse_sitemap(sitemap) == (["http://a.example/n?id=7&section=2&x=1"], [])
    rss = "<rss><channel><item><link><![CDATA[http://a.example/n?id=4&sect=2&amp;x]]></link></item></channel></rss>"
    assert parse_feed(rss, "http://a.example/") == ["http://a.example/n?id=4&sect=2&amp;x"]


def test_image_map_areas_are_links_and_scripted_attributes_are_not():
    page = (
        '<map name="m"><area shape="rect" coords="0,0,9,9" href="/news/1"><area href="news/2"></map>'
        '<a href="/news/3">c</a><span data-href="/news/4" onclick="location=\'/news/5\'">d</span>'
        '<area nohref alt="none">'
    )
    assert page_links(page, "http://a.example/ar/") == [
        "http://a.example/news/1",
        "http://a.example/ar/news/2",
        "http://a.example/news/3",
    ]


def test_relative_sitemap_locs_resolve_against_the_sitemaps_url():
    xml = (
        "<urlset><url><loc>/news/1</loc></url><url><loc> news/2 </loc></url>"
        "<url><loc>http://b.example/3</loc></url><url><loc> </loc></url></urlset>"
    )
    assert parse_sitemap(xml, "http://a.example/ar/sitemap.xml") == (
        ["http://a.example/news/1", "http://a.example/ar/news/2", "http://b.example/3"],
        [],
    )
    index = "<sitemapindex><sitemap><loc>s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index, "http://a.example/maps/index.xml") == ([], ["http://a.example/maps/s1.xml"])


def test_the_first_base_with_an_href_counts_wherever_it_is_and_only_if_it_is_http():
    url = "http://a.example/ar/sec/page.html"
    assert page_links('<base target="_blank"><base href="/en/"><a href="n/1">x</a>', url) == [
        "http://a.example/en/n/1"
    ]
    assert page_links('<body><a href="n/1">x</a><base href="/ku/"><base href="/ru/"></body>', url) == [
        "http://a.example/ku/n/1"
    ]
    assert page_links('<base href="javascript:void(0)"><a href="n/1">x</a>', url) == [
        "http://a.example/ar/sec/n/1"
    ]
    assert page_links('<base href="/en/?lang=en#top"><a href="?page=2">x</a>', url) == [
        "http://a.example/en/?page=2"
    ]
