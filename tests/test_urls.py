"""The URL werger requests is the published one; the dedup key is idempotent (property tests)."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from ingest.discover import page_links
from ingest.urls import published_url, url_key

_SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#\\", exclude_categories=("Cc", "Cs", "Zs")),
    max_size=12,
)
_QUERY_ITEM = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-/.%0123456789;", min_size=1, max_size=12),
    st.tuples(
        st.sampled_from(["id", "section", "sect", "copy", "para", "reg", "not", "utm_source", "p", "amp;x"]),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789%+=", max_size=8),
    ).map("=".join),
)
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{'/'.join(path)}" + (f"?{'&'.join(query)}" if query else "") + fragment
    ),
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(["partner.example", "News.Example.ORG", "127.0.0.1", "[::1]"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(_SEGMENT, max_size=4),
    st.lists(_QUERY_ITEM, max_size=5),
    st.sampled_from(["", "#top", "#a?b=c"]),
)


@given(urls)
def test_the_key_is_idempotent(url):
    assert url_key(url_key(url)) == url_key(url)


@given(urls)
def test_the_requested_url_keeps_the_published_path_and_query(url):
    published = url.split("#", 1)[0]
    requested = page_links(f'<a href="{_attr(url)}">x</a>', "http://other.example/")[0]
    assert urlsplit(requested).path == urlsplit(published).path
    assert urlsplit(requested).query == urlsplit(published).query
    again = urlsplit(published_url(url, "http://other.example/"))
    assert (again.path, again.query) == (urlsplit(published).path, urlsplit(published).query)


@given(urls)
def test_the_key_never_turns_entities_into_symbols_or_drops_items_without_equals(url):
    key = url_key(url)
    assert not set("§©¶®¬") & set(key) - set(url)
    for item in urlsplit(url.split("#", 1)[0]).query.split("&"):
        if item and "=" not in item:
            assert urlsplit(key).query


def _attr(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def test_field_case_urls_stay_apart_and_as_published():
    links = [
        "/index.php?/news/101-water-network/",
        "/index.php?/news/102-school-reopens/",
        "/news/story.aspx?id=7&section=economy",
        "/news/story.aspx?copy=1&para=2&reg=3&not=4",
    ]
    page = "".join(f'<a href="{_attr(link)}">x</a>' for link in links)
    found = page_links(page, "http://partner.example/")
    assert found == [f"http://partner.example{link}" for link in links]
    assert len({url_key(u) for u in found}) == 4


def test_spellings_of_one_page_share_a_key():
    same = [
        "http://Partner.Example:80/news/1?b=2&a=1",
        "http://partner.example/news/1?a=1&b=2&utm_source=x#top",
        "http://partner.example//news/1?a=1&&b=2&fbclid=z",
    ]
    assert len({url_key(u) for u in same}) == 1
    assert url_key("http://partner.example") == url_key("http://partner.example/")


def test_control_characters_in_a_link_are_percent_encoded_as_a_browser_requests_them():
    # WHATWG URL: tab and newline are removed, other C0 controls and DEL percent-encoded; httpx
    # refuses a URL holding them, which made such a link an "internal error" of the crawl.
    html = '<a href="/news/a\x1b[31mb.html?q=x\x7fy">x</a><a href="/news/c\n\td.html">y</a>'
    assert page_links(html, "http://partner.example/") == [
        "http://partner.example/news/a%1B[31mb.html?q=x%7Fy",
        "http://partner.example/news/cd.html",
    ]
    assert url_key(page_links(html, "http://partner.example/")[0]) == url_key(
        "http://partner.example/news/a%1B[31mb.html?q=x%7Fy"
    )


def test_a_backslash_in_a_links_path_is_a_slash_as_browsers_read_it():
    assert (
        published_url("\\news\\2024\\7.html", "http://a.example/ar/") == "http://a.example/news/2024/7.html"
    )
    assert (
        published_url("news\\8.aspx?q=a\\b", "http://a.example/ar/")
        == "http://a.example/ar/news/8.aspx?q=a\\b"
    )
    assert published_url("https:\\\\b.example\\n", "http://a.example/") == "https://b.example/n"
    assert published_url("mailto:a\\b", "http://a.example/") == "mailto:a\\b"


def test_spellings_of_percent_escapes_session_ids_and_hosts_share_a_key():
    same = [
        [
            "http://a.example/news/%d8%ae%d8%a8%d8%b1",
            "http://a.example/news/%D8%AE%D8%A8%D8%B1",
            "http://a.example/news/خبر",
        ],
        ["http://a.example/news/a%2fb?q=%c3%a9", "http://a.example/news/a%2Fb?q=%C3%A9"],
        ["http://a.example/%7Eeditor/news", "http://a.example/~editor/news"],
        [
            "http://a.example/news/1;jsessionid=A1B2C3",
            "http://a.example/news/1;JSESSIONID=D4E5F6",
            "http://a.example/news/1",
        ],
        ["http://a.example/news/2?PHPSESSID=ab12&id=2", "http://a.example/news/2?id=2&phpsessid=cd34"],
        ["http://a.example/(S(lit3py55t21z5v55vlm25s55))/news/3.aspx", "http://a.example/news/3.aspx"],
        [
            "http://пример.рф/новости/1",
            "http://Пример.РФ/новости/1",
            "http://xn--e1afmkfd.xn--p1ai/новости/1",
        ],
        ["http://a.example./news/4", "http://user@A.EXAMPLE:80/news/4", "HTTP://a.example/news/4"],
        ["https://a.example:443/news/5", "https://A.example./news/5"],
    ]
    for spellings in same:
        assert len({url_key(u) for u in spellings}) == 1, spellings
    apart = ["http://a.example/news/a%2Fb", "http://a.example/news/a/b", "http://a.example/news/?sid=1"]
    assert len({url_key(u) for u in apart}) == 3
    assert url_key("http://a.example/n?a=1&a=2") != url_key("http://a.example/n?a=1")


def test_links_are_requested_with_escapes_and_session_ids_as_published():
    links = ["/news/%d8%ae", "/news/1;jsessionid=A1", "/news/2?PHPSESSID=ab&id=2", "/news/l?tag=b&tag=a&x="]
    page = "".join(f'<a href="{_attr(link)}">x</a>' for link in links)
    assert page_links(page, "http://a.example/") == [f"http://a.example{link}" for link in links]


def test_an_empty_query_is_requested_as_published():
    # RFC 3986 5.2.2: "?" is an empty query, not none; urljoin dropped it or kept the page's
    assert published_url("story.php?", "http://a.example/news/") == "http://a.example/news/story.php?"
    assert published_url("?#top", "http://a.example/news/list?page=2") == "http://a.example/news/list?"
    assert (
        published_url("?page=3", "http://a.example/news/list?page=2") == "http://a.example/news/list?page=3"
    )
    assert (
        published_url("/news/1;jsessionid=A1?", "http://a.example/")
        == "http://a.example/news/1;jsessionid=A1?"
    )
    assert url_key("http://a.example/news/story.php?") == url_key("http://a.example/news/story.php")
