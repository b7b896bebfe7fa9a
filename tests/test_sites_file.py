"""The sites file: good entries load, bad ones are refused with the site and key named."""

import pytest

from ingest.config import parse_sites
from ingest.errors import ConfigError

GOOD = """
[sites.imok]
start_urls = ["https://imok.example/"]
sitemaps = ["https://imok.example/sitemap.xml"]
allow = ["/news/"]
deny = ["/news/tag/"]
concurrency = 3
delay = 0.5
"""


def test_a_site_entry_loads_with_its_settings():
    [site] = parse_sites(GOOD)
    assert (site.name, site.concurrency, site.delay) == ("imok", 3, 0.5)
    assert site.hosts == {"imok.example", "www.imok.example"}


def test_scope_needs_the_site_host_an_allow_match_and_no_deny_match():
    [site] = parse_sites(GOOD)
    assert site.in_scope("https://imok.example/news/a.html")
    assert not site.in_scope("https://imok.example/about.html")
    assert not site.in_scope("https://imok.example/news/tag/x")
    assert not site.in_scope("https://other.example/news/a.html")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not valid TOML"),
        ("[other]\nx = 1\n", "no \\[sites.<name>\\] tables"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\ncolour = "red"\n', "unknown setting"),
        ('[sites.a]\nstart_urls = "https://a.example/"\n', "must be a list of strings"),
        ("[sites.a]\nmax_pages = 3\n", "at least one of start_urls"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\nallow = ["("]\n', "bad pattern"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\nconcurrency = 0\n', "at least 1"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\ndelay = -1\n', "non-negative"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_sites(text)
