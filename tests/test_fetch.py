"""The fetcher against a real loopback server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import sys
import time
from pathlib import Path

import brotli
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

from ingest.config import site_from_dict
from ingest.errors import FetchError
from ingest.fetch import Fetcher, Validators, user_agent

RUSSIAN = "Новый водопровод в лагере для перемещённых лиц начал работать на прошлой неделе."
ARABIC = "عادت العائلات النازحة إلى منازلها في القرى بعد سنوات من النزوح وتقول إن المياه عادت."


def local(base: str, **settings):
    return site_from_dict("t", {"start_urls": [f"{base}/"], "delay": 0, "allow_private": True, **settings})


def fetch(url: str, site, **options):
    async def go():
        async with Fetcher(**{"backoff": 0.01, **options}) as fetcher:
            return await fetcher.fetch(url, site)

    return asyncio.run(go())


@pytest.fixture
def server():
    with controlled_site() as site:
        yield site


def test_retry_after_on_503_is_waited_for(server):
    server.route("/p", Reply(503, headers={"Retry-After": "1"}), Reply(body=article("T", ["text"])))
    result = fetch(f"{server.base}/p", local(server.base))
    first, second = server.requested("/p")
    assert result.status == 200 and result.attempts == 2
    assert second.at - first.at >= 0.95


def test_retry_after_longer_than_the_cap_fails_without_hammering(server):
    server.route("/p", Reply(429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="Retry-After 3600"):
        fetch(f"{server.base}/p", local(server.base))
    assert server.count("/p") == 1


def test_connection_resets_are_retried(server):
    server.route("/p", Reply(reset=True), Reply(reset=True), Reply(body="<p>ok</p>"))
    result = fetch(f"{server.base}/p", local(server.base))
    assert result.status == 200 and result.attempts == 3


def test_truncated_bodies_are_retried(server):
    server.route("/p", Reply(body="<p>half", truncate=True), Reply(body="<p>whole</p>"))
    result = fetch(f"{server.base}/p", local(server.base))
    assert result.text == "<p>whole</p>"


def test_server_errors_are_retried_a_bounded_number_of_times(server):
    server.route("/p", Reply(502))
    with pytest.raises(FetchError, match="gave up after 3 attempts"):
        fetch(f"{server.base}/p", local(server.base), retries=2)
    assert server.count("/p") == 3


def test_client_errors_are_not_retried(server):
    server.route("/p", Reply(403))
    assert fetch(f"{server.base}/p", local(server.base)).status == 403
    assert server.count("/p") == 1


def test_slow_responses_time_out(server):
    server.route("/p", Reply(delay=1.5, body="late"))
    with pytest.raises(FetchError, match="timed out"):
        fetch(f"{server.base}/p", local(server.base), timeout=0.3, retries=0)


def test_huge_bodies_are_abandoned_while_streaming(server):
    server.route("/big", Reply(stream_bytes=200_000_000))
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        fetch(f"{server.base}/big", local(server.base), max_bytes=1_000_000)
    for _ in range(50):
        if "/big" in server.bytes_sent:
            break
        asyncio.run(asyncio.sleep(0.05))
    assert server.bytes_sent["/big"] < 50_000_000


def test_a_declared_length_over_the_cap_is_refused_before_reading(server):
    server.route("/big", Reply(body=b"x" * 3000))
    with pytest.raises(FetchError, match="not read"):
        fetch(f"{server.base}/big", local(server.base), max_bytes=1000)


def test_redirect_loops_stop_at_the_first_repeat(server):
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(f"{server.base}/a", local(server.base))
    assert server.count("/a") == 1 and server.count("/b") == 1


def test_redirect_chains_are_capped(server):
    for n in range(10):
        server.route(f"/r{n}", Reply(301, headers={"Location": f"/r{n + 1}"}))
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{server.base}/r0", local(server.base), max_redirects=3)
    assert server.count("/r4") == 0


@pytest.mark.parametrize(
    ("text", "codec", "content_type"),
    [
        (RUSSIAN, "cp1251", "text/html; charset=iso-8859-1"),
        (RUSSIAN, "cp1251", "text/html; charset=utf-8"),
        (RUSSIAN, "cp1251", "text/html"),
        (ARABIC, "cp1256", "text/html"),
        (ARABIC, "cp1256", "text/html; charset=windows-1252"),
    ],
)
def test_wrongly_declared_or_missing_charsets_come_out_as_correct_text(server, text, codec, content_type):
    server.route("/p", Reply(body=article("x", [text, text]).encode(codec), content_type=content_type))
    result = fetch(f"{server.base}/p", local(server.base))
    assert text in result.text


def test_a_correct_meta_charset_is_used(server):
    page = article("x", [RUSSIAN], charset="windows-1251").encode("cp1251")
    server.route("/p", Reply(body=page, content_type="text/html"))
    assert RUSSIAN in fetch(f"{server.base}/p", local(server.base)).text


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_responses_are_decoded(server, encoding):
    server.route("/p", Reply(body=article("x", [ARABIC]), encoding=encoding))
    assert ARABIC in fetch(f"{server.base}/p", local(server.base)).text


def test_loopback_addresses_are_refused_without_a_request_unless_allowed(server):
    closed = site_from_dict("t", {"start_urls": ["https://partner.example/"], "delay": 0})
    server.route("/p", Reply(body="<p>secret</p>"))
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
        fetch(f"{server.base}/p", closed)
    assert server.count("/p") == 0
    assert fetch(f"{server.base}/p", local(server.base)).status == 200


def test_a_name_is_resolved_once_and_the_connection_goes_to_the_checked_address(server):
    """DNS rebinding: a public answer at check time, loopback a moment later; no byte may reach it."""
    port = server.base.rsplit(":", 1)[1]
    closed = site_from_dict("t", {"start_urls": ["http://partner.example/"], "delay": 0})
    server.route("/p", Reply(body="<p>secret</p>"))
    answers = iter([["192.0.0.9"], ["127.0.0.1"], ["127.0.0.1"]])  # 192.0.0.9 is globally routable
    asked: list[str] = []

    async def rebinding(name: str) -> list[str]:
        asked.append(name)
        return next(answers)

    async def go():
        async with Fetcher(backoff=0.01, retries=0, timeout=1.0, resolver=rebinding) as fetcher:
            return await fetcher.fetch(f"http://partner.example:{port}/p", closed)

    with pytest.raises(FetchError):
        asyncio.run(go())
    assert asked == ["partner.example"] and server.requests == []


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3/", "http://169.254.169.254/latest/", "http://[::1]/", "http://localhost/"]
)
def test_private_and_link_local_addresses_are_refused(url):
    closed = site_from_dict("t", {"start_urls": ["https://partner.example/"], "delay": 0})
    with pytest.raises(FetchError, match="non-public address"):
        fetch(url, closed)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://partner.example/x", "gopher://x/"])
def test_other_schemes_are_refused(url):
    with pytest.raises(FetchError, match="refused scheme"):
        fetch(url, site_from_dict("t", {"start_urls": ["https://partner.example/"]}))


def test_redirects_to_other_schemes_are_refused(server):
    server.route("/p", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="refused scheme"):
        fetch(f"{server.base}/p", local(server.base))


def test_robots_crawl_delay_spaces_requests(server):
    server.route("/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain"))
    server.route("/p", Reply(body="<p>x</p>"))
    site = local(server.base)

    async def go():
        async with Fetcher() as fetcher:
            assert await fetcher.crawl_delay(f"{server.base}/p", site) == 0.4
            for _ in range(3):
                await fetcher.fetch(f"{server.base}/p", site)

    asyncio.run(go())
    times = [r.at for r in server.requested("/p")]
    assert all(b - a >= 0.35 for a, b in itertools.pairwise(times))


def test_an_unreadable_robots_txt_leaves_the_host_alone(server):
    server.route("/robots.txt", Reply(500))

    async def go():
        async with Fetcher(retries=1, backoff=0.01) as fetcher:
            return await fetcher.allowed_by_robots(f"{server.base}/p", local(server.base))

    with pytest.raises(FetchError, match=r"robots\.txt unreadable"):
        asyncio.run(go())
    assert server.count("/robots.txt") == 2


def test_a_missing_robots_txt_allows_everything(server):
    async def go():
        async with Fetcher() as fetcher:
            return await fetcher.allowed_by_robots(f"{server.base}/p", local(server.base))

    assert asyncio.run(go()) is True


def test_the_user_agent_names_werger_and_the_contact(server):
    server.route("/p", Reply(body="x"))
    fetch(f"{server.base}/p", local(server.base), user_agent=user_agent("https://example.org/crawler"))
    agent = server.requested("/p")[0].headers["User-Agent"]
    assert agent.startswith("werger/") and "+https://example.org/crawler" in agent


def test_conditional_get_sends_validators_and_reads_304(server):
    server.route("/p", Reply(body="<p>x</p>", etag='"v1"'))

    async def go():
        async with Fetcher() as fetcher:
            return await fetcher.fetch(
                f"{server.base}/p", local(server.base), validators=Validators(etag='"v1"')
            )

    result = asyncio.run(go())
    assert result.status == 304 and result.text is None
    assert server.requested("/p")[0].headers["If-None-Match"] == '"v1"'


def timed_fetch(url: str, site, **options) -> tuple[object, float]:
    start = time.monotonic()
    try:
        return fetch(url, site, **options), time.monotonic() - start
    except FetchError as exc:
        return exc, time.monotonic() - start


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_server_that_drips_is_cut_off_at_the_request_deadline(server, headers_too):
    server.route("/p", Reply(body=article("T", ["text"] * 20), drip=0.05, drip_headers=headers_too))
    outcome, took = timed_fetch(f"{server.base}/p", local(server.base), timeout=1.0, retries=0)
    assert isinstance(outcome, FetchError) and "timed out" in str(outcome)
    assert took < 3.0


def bomb(encoding: str, size: int = 20_000_000) -> bytes:
    data = b"\0" * size
    for name in (part.strip() for part in encoding.split(",")):
        data = brotli.compress(data, quality=1) if name == "br" else gzip.compress(data, 9)
    return data


@pytest.mark.parametrize("encoding", ["br", "gzip", "gzip, gzip", "br, gzip", "gzip, br"])
def test_compression_bombs_are_abandoned_at_the_cap_on_decoded_bytes(server, encoding):
    server.route("/p", Reply(body=bomb(encoding), headers={"Content-Encoding": encoding}))
    with pytest.raises(FetchError, match="larger than 1000000 bytes once decoded"):
        fetch(f"{server.base}/p", local(server.base), max_bytes=1_000_000)


@pytest.mark.parametrize("encoding", ["gzip, br", "deflate, gzip", "br, br"])
def test_stacked_encodings_are_decoded(server, encoding):
    server.route("/p", Reply(body=article("x", [ARABIC]), encoding=encoding))
    assert ARABIC in fetch(f"{server.base}/p", local(server.base)).text


def test_an_unknown_encoding_is_a_clear_failure(server):
    server.route("/p", Reply(body=b"xx", headers={"Content-Encoding": "zstd-nonsense"}))
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        fetch(f"{server.base}/p", local(server.base))


def test_a_robots_txt_over_the_cap_is_read_up_to_500_kib(server):
    robots = "User-agent: *\nDisallow: /private/\n" + "# padding line of a generous robots.txt\n" * 30_000
    server.route("/robots.txt", Reply(body=robots, content_type="text/plain"))

    async def go():
        async with Fetcher(max_bytes=100_000) as fetcher:
            site = local(server.base)
            paths = ("news/1", "private/x")
            return [await fetcher.allowed_by_robots(f"{server.base}/{path}", site) for path in paths]

    assert len(robots) > 1_000_000
    assert asyncio.run(go()) == [True, False]


def test_the_global_connection_cap_holds_across_hosts(server):
    with controlled_site() as other:
        for site in (server, other):
            site.route("/p", Reply(delay=0.2, body="<p>x</p>"))
        sites = [local(server.base, concurrency=4), local(other.base, concurrency=4)]

        async def go():
            async with Fetcher(max_connections=2) as fetcher:
                requests = [fetcher.fetch(f"{s.start_urls[0]}p", s) for s in sites for _ in range(4)]
                await asyncio.gather(*requests)

        asyncio.run(go())
        starts = sorted(r.at for s in (server, other) for r in s.requested("/p"))
    assert len(starts) == 8
    assert all(b - a >= 0.15 for a, b in zip(starts, starts[2:], strict=False))


def test_a_host_delay_holds_while_requests_wait_for_the_global_cap(server):
    with controlled_site() as other:
        for site in (server, other):
            site.route("/p", Reply(delay=0.1, body="<p>x</p>"))
        # A delay well above the 0.1 s a request takes, and a bound with room for the server's own
        # scheduling jitter on a loaded machine (0.215 s gaps were seen at 0.3 s): without the delay
        # the gaps are about 0.1 s, so the test still fails then.
        sites = [local(server.base, concurrency=2, delay=0.6), local(other.base, concurrency=2, delay=0.6)]

        async def go():
            async with Fetcher(max_connections=1) as fetcher:
                requests = [fetcher.fetch(f"{s.start_urls[0]}p", s) for s in sites for _ in range(3)]
                await asyncio.gather(*requests)

        asyncio.run(go())
        for site in (server, other):
            starts = sorted(r.at for r in site.requested("/p"))
            assert len(starts) == 3 and all(b - a >= 0.45 for a, b in itertools.pairwise(starts))
