"""A page keeps its record id when a newer werger spells its URL's dedup key differently.

Seeded by URL spellings the dedup key learned to fold (percent-escapes' case, session ids, host
spellings): a folder crawled before must not get the same article a second time under a new id,
with the editors' revisions left on the old one. Crawled against the loopback server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site
from test_crawl_cases import crawl, news, site_of

import ingest.pipeline as pipeline
from store.record import record_id


def ids_by_url(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found.setdefault(record["url"], set()).add(record["id"])
    return found


@pytest.fixture
def server():
    with controlled_site() as site:
        yield site


def test_a_page_stored_under_an_older_key_keeps_its_id(server, tmp_path, monkeypatch):
    server.page("/", article("Home", ["x"], ["/news/%d8%ae-1", "/news/2"]))
    server.page("/news/%d8%ae-1", news(1))
    server.page("/news/2", news(2))
    real_key = pipeline.url_key
    monkeypatch.setattr(pipeline, "url_key", lambda url: real_key(url).replace("%D8%AE", "%d8%ae"))
    crawl(site_of(server.base), tmp_path)
    first = ids_by_url(tmp_path)
    article_url = f"{server.base}/news/%d8%ae-1"
    assert first[article_url] == {record_id(f"{server.base}/news/%d8%ae-1")}

    monkeypatch.setattr(pipeline, "url_key", real_key)
    server.page("/news/%d8%ae-1", news(1).replace("Story 1", "Story 1, updated"))
    crawl(site_of(server.base), tmp_path)
    second = ids_by_url(tmp_path)
    assert second[article_url] == first[article_url]  # a new revision of the same record
    assert len({i for ids in second.values() for i in ids}) == 2


def test_a_page_reached_through_a_redirect_takes_the_id_of_where_it_landed(server, tmp_path):
    server.page("/", article("Home", ["x"], ["/news/1"]))
    server.page("/news/1", news(1))
    crawl(site_of(server.base), tmp_path)
    server.route("/news/1", Reply(301, "", {"Location": "/news/9"}))
    server.page("/news/9", news(9))
    crawl(site_of(server.base), tmp_path)
    ids = {json.loads(line)["id"] for line in (tmp_path / "records.jsonl").read_text().splitlines()}
    assert record_id(f"{server.base}/news/9") in ids
