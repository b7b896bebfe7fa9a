"""Crawl throughput against a latency-bound loopback site, and frontier memory against its size.

    uv run python bench/crawl.py [--pages 2000] [--latency 0.05] [--concurrency 8]

1. Throughput: a server in its own process answers every request after ``latency`` seconds;
   werger crawls ``pages`` articles found through a sitemap, with per-host concurrency
   ``concurrency`` and no delay. The ceiling is concurrency / latency pages per second. In the
   same run, bare httpx with the same concurrency fetches the same pages, to show what this
   machine allows at the moment (the CPU is shared, so only ratios from one run mean anything).
2. Memory: in fresh processes, the crawl frontier takes 10,000 and 100,000 URLs and hands them all
   out again; the peak RSS growth is printed beside the bytes of the URLs themselves and beside
   an in-memory frontier (set + deque) doing the same.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where translate.py would shadow the
# translate package: the repository root goes first instead.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXT = (
    "The water network reached the villages north of the city after two years of work. "
    "Families who returned this spring say the supply is steady for the first time in years."
)


def _serve(port_out, pages: int, latency: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            time.sleep(latency)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in range(pages))
                body, kind = f"<urlset>{locs}</urlset>", "application/xml"
            elif self.path.startswith("/p/"):
                n = self.path[3:]
                body = (
                    f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
                    f"<p>{TEXT} Story {n}.</p><p>{TEXT}</p></article></body></html>"
                )
                kind = "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


def bare_httpx(base: str, pages: int, concurrency: int) -> float:
    import httpx

    async def go() -> float:
        queue = deque(f"{base}/p/{n}" for n in range(pages))
        async with httpx.AsyncClient() as client:

            async def worker() -> None:
                while queue:
                    (await client.get(queue.popleft())).raise_for_status()

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return pages / (time.perf_counter() - start)

    return asyncio.run(go())


def werger_crawl(base: str, concurrency: int, stages: bool = True) -> tuple[float, int]:
    """Pages per second of a real ``run_crawl``; ``stages=False`` leaves out the per-page CPU work.

    Without stages, every fetched page takes the pipeline's own "no main text" path, so fetching,
    politeness, frontier, index and summary are all measured but extraction, language
    identification and storing are not: the crawl machinery's own ceiling on this machine.
    """
    from ingest import pipeline
    from ingest.config import site_from_dict
    from ingest.pipeline import RunOptions, run_crawl
    from translate.argos import argos_registry

    build_record = pipeline.CrawlRun.build_record
    if not stages:
        pipeline.CrawlRun.build_record = lambda self, site, result: None

    site = site_from_dict(
        "bench",
        {
            "sitemaps": [f"{base}/sitemap.xml"],
            "allow": ["/p/"],
            "concurrency": concurrency,
            "delay": 0,
            "max_pages": 10**6,
            "max_depth": 0,
            "allow_private": True,
        },
    )
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        summary = run_crawl([site], RunOptions(out_dir=Path(out)), argos_registry(Path(out) / "m"))
        elapsed = time.perf_counter() - start
    pipeline.CrawlRun.build_record = build_record
    site_summary = summary.sites[0]
    assert summary.ok and not site_summary.failures, summary.to_dict()
    return site_summary.pages_fetched / elapsed, site_summary.records_written


def _frontier_peak(kind: str, size: int, result) -> None:
    urls = (f"https://partner.example/2024/{n % 12:02d}/news-story-number-{n}.html" for n in range(size))
    if kind == "werger":
        from store.index import CrawlIndex
    before = _reset_peak_rss()
    if kind == "werger":
        with tempfile.TemporaryDirectory() as out:
            index = CrawlIndex(Path(out))
            frontier = index.frontier()
            batch: list = []
            for url in urls:
                batch.append((url, 1, False))
                if len(batch) == 100:
                    frontier.add(batch)
                    batch = []
            frontier.add(batch)
            taken = sum(1 for _ in frontier.drain())
            index.close()
    else:
        seen: set[str] = set()
        queue: deque = deque()
        for url in urls:
            if url not in seen:
                seen.add(url)
                queue.append((url, 1, False))
        taken = 0
        while queue:
            queue.popleft()
            taken += 1
    assert taken == size
    result.put(_status_kb("VmHWM") * 1024 - before)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} missing from /proc/self/status")


def _reset_peak_rss() -> int:
    """Reset the kernel's peak-RSS mark (fork and exec carry the parent's over); return RSS bytes."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS") * 1024


def frontier_peak(kind: str, size: int) -> int:
    ctx = multiprocessing.get_context("spawn")
    result = ctx.Queue()
    process = ctx.Process(target=_frontier_peak, args=(kind, size, result))
    process.start()
    peak = result.get()
    process.join()
    return peak


def url_bytes(size: int) -> int:
    return sum(
        len(f"https://partner.example/2024/{n % 12:02d}/news-story-number-{n}.html") for n in range(size)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    server = ctx.Process(target=_serve, args=(port_queue, args.pages, args.latency), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port_queue.get()}"
    limit = args.concurrency / args.latency
    try:
        bare = bare_httpx(base, args.pages, args.concurrency)
        machinery, _ = werger_crawl(base, args.concurrency, stages=False)
        rate, written = werger_crawl(base, args.concurrency)
    finally:
        server.terminate()
    latency_ms = args.latency * 1000
    print(f"throughput: {args.pages} pages, {latency_ms:.0f} ms latency, concurrency {args.concurrency}")
    print(f"  limit (concurrency / latency)   {limit:8.1f} pages/s")
    print(f"  bare httpx, same concurrency    {bare:8.1f} pages/s   {bare / limit:6.1%} of limit")
    print(
        f"  werger crawl, fetch side only   {machinery:8.1f} pages/s   {machinery / limit:6.1%} of limit   "
        f"{machinery / bare:6.1%} of bare httpx"
    )
    print(
        f"  werger crawl (full pipeline)    {rate:8.1f} pages/s   {rate / limit:6.1%} of limit   "
        f"{rate / bare:6.1%} of bare httpx   ({written} records written)"
    )
    for name, value in (("fetch side", machinery), ("full pipeline", rate)):
        print(f"  target >= 85% of limit, {name}: {'met' if value >= 0.85 * limit else 'NOT met'}")

    print("frontier peak memory (RSS growth, fresh process each):")
    print(f"  {'URLs':>8} {'URL bytes':>12} {'werger (SQLite)':>16} {'in-memory set+deque':>20}")
    rows = {}
    for size in (10_000, 100_000):
        rows[size] = (frontier_peak("werger", size), frontier_peak("memory", size))
        werger_mb, memory_mb = (peak / 1e6 for peak in rows[size])
        print(f"  {size:>8} {url_bytes(size) / 1e6:>10.1f}MB {werger_mb:>14.1f}MB {memory_mb:>18.1f}MB")
    werger_growth = rows[100_000][0] / max(rows[10_000][0], 1)
    memory_growth = rows[100_000][1] / max(rows[10_000][1], 1)
    print(f"  10x more URLs -> werger x{werger_growth:.2f}, in-memory x{memory_growth:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
