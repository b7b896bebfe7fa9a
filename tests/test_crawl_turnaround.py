"""What keeps a host's request slots busy: the next request goes out before the last one's
bookkeeping, and a big sitemap is queued in steps without losing its order or any URL."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

from ingest.config import site_from_dict
from ingest.fetch import Fetcher
from ingest.frontier import FrontierFile
from ingest.pipeline import ENQUEUE_STEP, CrawlRun, RunOptions, _SiteCrawl, run_crawl
from store.index import CrawlIndex
from translate.argos import argos_registry

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
TEXT = [
    "The new water network reached the villages north of the city after two years of work.",
    "Families who returned this spring say the supply is steady for the first time since 2014.",
]


def test_a_freed_slot_sends_the_waiting_request_before_the_caller_resumes():
    with controlled_site() as server:
        for path in ("/a", "/b"):
            server.route(path, Reply(body=article(path, TEXT), delay=0.05))
        site = site_from_dict(
            "t", {"start_urls": [f"{server.base}/"], "delay": 0, "concurrency": 1, "allow_private": True}
        )
        order: list[tuple[str, str]] = []

        async def sent(request) -> None:
            order.append(("sent", request.url.path))

        async def go() -> None:
            async with Fetcher(retries=0) as fetcher:
                fetcher._client.event_hooks["request"].append(sent)

                async def get(path: str) -> None:
                    result = await fetcher.fetch(server.base + path, site)
                    assert result.text is not None and path in result.text
                    order.append(("returned", path))

                await asyncio.gather(get("/a"), get("/b"))

        asyncio.run(go())
    # one slot: /b waits for /a's; it is on its way before /a's caller does anything more
    assert order.index(("sent", "/b")) < order.index(("returned", "/a")), order


def _sitemap(paths: list[str]) -> str:
    locs = "".join(f"<url><loc>{{{{BASE}}}}{path}</loc></url>" for path in paths)
    return f'<urlset xmlns="{SITEMAP_NS}">{locs}</urlset>'


def test_a_sitemap_queued_in_steps_still_gives_new_pages_first(tmp_path):
    stored_count, new_count = 2 * ENQUEUE_STEP, 30
    paths = [f"/news/{n}" for n in range(stored_count + new_count)]
    with controlled_site() as server:
        index = CrawlIndex(tmp_path)
        for path in paths[:stored_count]:  # pages an earlier run stored, listed first
            index.note_fetch(server.base + path, "a", 200)
        index.close()
        server.route("/sitemap.xml", Reply(body=_sitemap(paths), content_type="application/xml"))
        for n, path in enumerate(paths):
            server.route(path, Reply(body=article(f"Story {n}", [f"{p} Story {n}." for p in TEXT])))
        site = site_from_dict(
            "a",
            {
                "sitemaps": [f"{server.base}/sitemap.xml"],
                "allow": ["/news/"],
                "delay": 0,
                "max_pages": new_count,
                "max_depth": 0,
                "allow_private": True,
            },
        )
        options = RunOptions(out_dir=tmp_path, fetcher_options={"retries": 0}, extract_processes=0)
        summary = run_crawl([site], options, argos_registry(tmp_path / "m"))
        fetched = [path for path in paths if server.count(path)]
    assert fetched == paths[stored_count:], fetched[:5]
    assert summary.sites[0].new == new_count


def test_a_run_stopped_while_a_sitemap_is_queued_still_queues_all_of_it(tmp_path):
    urls = [f"https://partner.example/news/{n}" for n in range(3 * ENQUEUE_STEP + 7)]
    site = site_from_dict("a", {"sitemaps": ["https://partner.example/sitemap.xml"], "allow": ["/news/"]})
    run = CrawlRun(RunOptions(out_dir=tmp_path, extract_processes=0), argos_registry(tmp_path / "m"))
    frontiers = FrontierFile(tmp_path)
    try:

        async def go() -> int:
            crawl = _SiteCrawl(run, site, None, frontiers.site("a"), None)
            task = asyncio.create_task(crawl._enqueue_in_steps(urls, 0))
            await asyncio.sleep(0)  # the first step is queued; the task waits for its turn again
            assert crawl.frontier.remaining == ENQUEUE_STEP
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return crawl.frontier.remaining

        assert asyncio.run(go()) == len(urls)
    finally:
        frontiers.close()
        run.memory.close()
        run.index.close()
