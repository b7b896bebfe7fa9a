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


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "10.0.0.7", "[::1]:8080", "localhost:8080"])
def test_an_address_or_localhost_has_no_www_name(host):
    [site] = parse_sites(GOOD.replace("imok.example", host))
    assert site.hosts == {host}


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
        ("", "no \\[sites.<name>\\] tables"),
        ("[site.a]\nx = 1\n", "unknown table or key\\(s\\) site; a sites file holds \\[sites.<name>\\]"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\ncolour = "red"\n', "unknown setting"),
        ('[sites.a]\nstart_urls = "https://a.example/"\n', "must be a list of strings"),
        ("[sites.a]\nmax_pages = 3\n", "at least one of start_urls"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\nallow = ["("]\n', "bad pattern"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\nconcurrency = 0\n', "at least 1"),
        ('[sites.a]\nstart_urls = ["https://a.example/"]\ndelay = -1\n', "delay must be at least 0, not -1"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_sites(text)


# Through the command, as an operator meets them.


def crawl_cli(tmp_path, text: bytes | str):
    from typer.testing import CliRunner

    from ingest.cli import app

    path = tmp_path / "sites.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    args = ["crawl", str(path), "--out", str(tmp_path / "out"), "--models-dir", str(tmp_path / "m")]
    return CliRunner().invoke(app, args)


def test_a_latin1_sites_file_is_refused_with_the_line_and_the_fix(tmp_path):
    text = '# Sites of the Café network\n[sites.a]\nstart_urls = ["https://a.example/"]\n'
    result = crawl_cli(tmp_path, text.encode("latin-1"))
    assert result.exit_code == 1
    assert "not UTF-8 text (byte 0xe9 on line 1)" in result.output and "iconv" in result.output
    assert not isinstance(result.exception, UnicodeDecodeError)
    assert not (tmp_path / "out").exists()


def test_a_string_is_not_a_boolean_and_loopback_is_not_fetched(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from crawl_server import controlled_site

    with controlled_site() as site:
        site.page("/", "<html><body><p>hello</p></body></html>")
        result = crawl_cli(
            tmp_path, f'[sites.a]\nstart_urls = ["{site.base}/"]\ndelay = 0\nallow_private = "false"\n'
        )
        assert site.requests == []
    assert result.exit_code == 1
    assert (
        "[sites.a] allow_private must be true or false (a TOML boolean, without quotes), "
        "not the string 'false'" in result.output
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('max_pages = "500"', "[sites.a] max_pages must be a whole number, not the string '500'"),
        ("max_pages = 10.5", "[sites.a] max_pages must be a whole number, not the number 10.5"),
        ("concurrency = true", "[sites.a] concurrency must be a whole number, not the boolean true"),
        ('delay = "1"', "[sites.a] delay must be a number, not the string '1'"),
        ('languages = ["English"]', "languages must be language codes such as en"),
    ],
)
def test_site_settings_of_the_wrong_type_are_named(tmp_path, setting, message):
    result = crawl_cli(tmp_path, f'[sites.a]\nstart_urls = ["https://a.example/"]\n{setting}\n')
    assert result.exit_code == 1 and message in result.output, result.output


def test_zero_retries_is_allowed_and_the_crawler_table_is_typed_strictly():
    from ingest.config import parse_config

    site = '[sites.a]\nstart_urls = ["https://a.example/"]\n'
    assert parse_config(f"[crawler]\nretries = 0\n{site}").crawler.retries == 0
    with pytest.raises(ConfigError, match=r"\[crawler\] retries must be at least 0, not -1"):
        parse_config(f"[crawler]\nretries = -1\n{site}")
    with pytest.raises(ConfigError, match=r"\[crawler\] timeout must be a number, not the string '20'"):
        parse_config(f'[crawler]\ntimeout = "20"\n{site}')
    with pytest.raises(ConfigError, match=r"\[crawler\] retries must be a whole number"):
        parse_config(f"[crawler]\nretries = 2.5\n{site}")


def test_utf16_and_a_utf8_byte_order_mark(tmp_path):
    text = '[sites.a]\nstart_urls = ["https://a.example/"]\n'
    result = crawl_cli(tmp_path, text.encode("utf-16"))
    assert result.exit_code == 1 and "UTF-16 text; TOML files must be UTF-8" in result.output
    from ingest.config import load_config

    (tmp_path / "bom.toml").write_bytes(text.encode("utf-8-sig"))
    assert load_config(tmp_path / "bom.toml").sites[0].name == "a"


def test_every_spelling_of_a_seeds_host_is_on_the_site():
    from ingest.config import site_from_dict

    site = site_from_dict("p", {"start_urls": ["https://partner.example:443/"], "allow": ["/news/"]})
    for url in [
        "https://partner.example/news/1",
        "HTTPS://PARTNER.EXAMPLE:443/news/1",
        "https://partner.example./news/1",
        "https://editor@www.partner.example/news/1",
    ]:
        assert site.in_scope(url), url
    assert not site.in_scope("https://partner.example:8443/news/1")
    idn = site_from_dict("p", {"start_urls": ["http://Новости.рф/"]})
    assert idn.in_scope("http://xn--b1amnebsh.xn--p1ai/news/1") and idn.in_scope("http://новости.рф/a")
