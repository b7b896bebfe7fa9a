"""Crawl throughput, many sites at once, frontier memory, and memory under compression bombs.

    uv run python bench/crawl.py [--pages 500] [--latency 0.05] [--concurrency 8]
                                 [--sites 10] [--site-pages 50] [--delay 0.5]
                                 [--extract-processes 0] [--skip ...]

Pages are the size real news pages have: 50-200 KB of HTML (scripts, styles, navigation) around
5-20 paragraphs of text, different on every page.

1. Throughput: a server in its own process answers every request after ``latency`` seconds;
   werger crawls ``pages`` articles found through a sitemap, with per-host concurrency
   ``concurrency`` and no delay. The ceiling is concurrency / latency pages per second. In the
   same run, bare httpx with the same concurrency fetches the same pages, to show what this
   machine allows at the moment (the CPU is shared, so only ratios from one run mean anything).
2. Many sites: ``sites`` loopback hosts (one port each) of ``site-pages`` pages with
   ``delay`` seconds between requests to a host. One site crawled alone is the ideal (every
   site has the same shape, so it is also the slowest single site); then all sites in one run.
   The ratio ideal / all-at-once is the figure (1.0: the sites cost no more than one).
3. Memory: in fresh processes, the crawl frontier takes 10,000 and 100,000 URLs and hands them all
   out again; the peak RSS growth is printed beside the bytes of the URLs themselves and beside
   an in-memory frontier (set + deque) doing the same.
4. Bombs: in fresh processes, werger fetches a brotli body and a ``gzip, gzip`` body that each
   inflate to 1 GB, with the default 5 MB cap; the peak RSS growth of each is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import tempfile
import threading
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


WORDS = TEXT.replace(".", "").split()


def news_page(n: int, site: int = 0) -> bytes:
    """A news page of 50-200 KB with 5-20 paragraphs, different for every (site, n)."""
    rng = random.Random(site * 1_000_003 + n)
    texts = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randrange(40, 90))) for _ in range(rng.randrange(5, 21))
    ]
    paragraphs = "".join(f"<p>{text} (site {site}, story {n}).</p>" for text in texts)
    nav = "".join(f'<li><a href="/section/{k}">Section {k}</a></li>' for k in range(80))
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story {n} of site {site}</title>"
        "<style>{STYLE}</style><script>var config = {SCRIPT};</script></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Story {n} of site {site}</h1>"
        f"{paragraphs}</article></main><footer><p>Partner News, all rights reserved.</p></footer>"
        "</body></html>"
    )
    padding = max(0, rng.randrange(50_000, 200_000) - len(page))
    style = ".c{color:#333;margin:0 auto}" * (padding // 2 // 27)
    script = '"' + "x" * (padding - len(style)) + '"'
    return page.replace("{STYLE}", style).replace("{SCRIPT}", script).encode()


def _serve(port_out, pages: int, latency: float, sites: int = 1) -> None:
    """``sites`` servers (one port each) of ``pages`` news pages; every answer after ``latency``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            time.sleep(latency)
            port = self.server.server_address[1]
            base = f"http://127.0.0.1:{port}"
            if self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in range(pages))
                data, kind = f"<urlset>{locs}</urlset>".encode(), "application/xml"
            elif self.path.startswith("/p/"):
                data, kind = news_page(int(self.path[3:]), self.server.site), "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    ports = []
    for site in range(sites):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.site = site
        ports.append(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
    port_out.put(ports)
    threading.Event().wait()


def _start_servers(pages: int, latency: float, sites: int = 1):
    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    process = ctx.Process(target=_serve, args=(port_queue, pages, latency, sites), daemon=True)
    process.start()
    return process, [f"http://127.0.0.1:{port}" for port in port_queue.get()]


def bare_httpx(base: str, pages: int, concurrency: int) -> float:
    """Pages per second of plain httpx workers, the machine's own ceiling at this moment."""
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


def bench_site(name: str, base: str, concurrency: int, delay: float = 0.0):
    from ingest.config import site_from_dict

    return site_from_dict(
        name,
        {
            "sitemaps": [f"{base}/sitemap.xml"],
            "allow": ["/p/"],
            "concurrency": concurrency,
            "delay": delay,
            "max_pages": 10**6,
            "max_depth": 0,
            "allow_private": True,
        },
    )


def crawl_sites(sites: list, stages: bool = True, processes: int = 0) -> tuple[float, list]:
    """Wall seconds of one real ``run_crawl`` over ``sites``, and its site summaries.

    ``stages=False`` leaves out the per-page CPU work: every fetched page takes the pipeline's
    own "no main text" path, so fetching, politeness, frontier, index and summary are all
    measured but extraction, language identification and storing are not. ``processes``:
    extraction worker processes (``[crawler] extract_processes``; 0: threads, the default).
    """
    from ingest import pipeline
    from ingest.pipeline import RunOptions, run_crawl
    from translate.argos import argos_registry

    record_from, extract_page = pipeline.CrawlRun.record_from, pipeline.CrawlRun.extract_page
    if not stages:
        pipeline.CrawlRun.record_from = lambda self, site, result, extracted: None

        async def nothing(self, result):
            return None

        pipeline.CrawlRun.extract_page = nothing
    options = {"extract_processes": processes}
    try:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            run_options = RunOptions(out_dir=Path(out), **options)
            summary = run_crawl(sites, run_options, argos_registry(Path(out) / "m"))
            elapsed = time.perf_counter() - start
    finally:
        pipeline.CrawlRun.record_from, pipeline.CrawlRun.extract_page = record_from, extract_page
    for site_summary in summary.sites:
        assert summary.ok and not site_summary.failures, summary.to_dict()
    return elapsed, summary.sites


def warm_up(base: str) -> None:
    """One small untimed crawl, so imports and first-use costs (seconds) stay out of the figures."""
    from ingest.config import site_from_dict

    site = bench_site("warm-up", base, 2)
    crawl_sites([site_from_dict("warm-up", {**_table(site), "max_pages": 5})], stages=True)


def _table(site) -> dict:
    return {
        "sitemaps": list(site.sitemaps),
        "allow": list(site.allow),
        "concurrency": site.concurrency,
        "delay": site.delay,
        "max_depth": site.max_depth,
        "allow_private": site.allow_private,
    }


def werger_crawl(base: str, concurrency: int, stages: bool = True) -> tuple[float, int]:
    """Pages per second of a real crawl of one site, and the records written."""
    elapsed, (site_summary,) = crawl_sites([bench_site("bench", base, concurrency)], stages)
    return site_summary.pages_fetched / elapsed, site_summary.records_written


def _frontier_peak(kind: str, size: int, result) -> None:
    urls = (f"https://partner.example/2024/{n % 12:02d}/news-story-number-{n}.html" for n in range(size))
    if kind == "werger":
        from ingest.frontier import NEW, FrontierFile
    before = _reset_peak_rss()
    if kind == "werger":
        with tempfile.TemporaryDirectory() as out:
            store = FrontierFile(Path(out))
            frontier = store.site("bench")
            batch: list = []
            for url in urls:
                batch.append((url, 1, False, NEW))
                if len(batch) == 100:
                    frontier.add(batch)
                    batch = []
            frontier.add(batch)
            taken = 0
            while frontier.pop() is not None:
                taken += 1
            store.close()
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


def _bomb(encoding: str, size: int) -> bytes:
    """A body that inflates to ``size`` zero bytes through ``encoding`` (built in 1 MB steps)."""
    import zlib

    import brotli

    chunk, steps = b"\0" * 1_000_000, size // 1_000_000
    if encoding == "br":
        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(chunk) for _ in range(steps)) + compressor.finish()
    inner = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    layer = b"".join(inner.compress(chunk) for _ in range(steps)) + inner.flush()
    for _ in range(encoding.count("gzip") - 1):
        outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        layer = outer.compress(layer) + outer.flush()
    return layer


async def _httpx_capped(url: str, cap: int) -> str:
    """What werger did before: httpx's own decoders, the cap checked on each decoded chunk."""
    import httpx

    async with httpx.AsyncClient() as client, client.stream("GET", url) as response:
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                return f"abandoned at {size} decoded bytes"
    return "read in full"


def _bomb_peak(encoding: str, size: int, result, baseline: bool = False) -> None:
    """In a fresh process: serve the bomb from a thread, fetch it, report peak RSS.

    ``baseline``: fetch it with httpx's own decoders and the same 5 MB cap instead of werger.
    """
    from ingest.config import site_from_dict
    from ingest.errors import FetchError
    from ingest.fetch import Fetcher

    body = _bomb(encoding, size)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site = site_from_dict("bomb", {"start_urls": [base + "/"], "delay": 0, "allow_private": True})

    async def go() -> str:
        if baseline:
            return await _httpx_capped(base + "/bomb", 5_000_000)
        async with Fetcher(retries=0) as fetcher:
            try:
                await fetcher.fetch(base + "/bomb", site)
            except FetchError as exc:
                return str(exc)
        return "read in full"

    before = _reset_peak_rss()
    outcome = asyncio.run(go())
    result.put((len(body), _status_kb("VmHWM") * 1024 - before, outcome))


def bomb_peak(encoding: str, size: int, baseline: bool = False) -> tuple[int, int, str]:
    ctx = multiprocessing.get_context("spawn")
    result = ctx.Queue()
    process = ctx.Process(target=_bomb_peak, args=(encoding, size, result, baseline))
    process.start()
    found = result.get()
    process.join()
    return found


def throughput(args: argparse.Namespace) -> None:
    server, (base,) = _start_servers(args.pages, args.latency)
    limit = args.concurrency / args.latency
    try:
        warm_up(base)
        bare = bare_httpx(base, args.pages, args.concurrency)
        machinery, _ = werger_crawl(base, args.concurrency, stages=False)
        rate, written = werger_crawl(base, args.concurrency)
    finally:
        server.terminate()
    latency_ms = args.latency * 1000
    print(
        f"throughput: {args.pages} pages of 50-200 KB, {latency_ms:.0f} ms latency, "
        f"concurrency {args.concurrency}"
    )
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


def many_sites(args: argparse.Namespace) -> None:
    server, bases = _start_servers(args.site_pages, 0.0, args.sites)
    sites = [bench_site(f"s{n}", base, 2, args.delay) for n, base in enumerate(bases)]
    floor = (args.site_pages + 1) * args.delay
    print(
        f"many sites: {args.sites} loopback hosts x {args.site_pages} pages of 50-200 KB, "
        f"delay {args.delay} s (floor per site {floor:.1f} s), "
        f"extract_processes {args.extract_processes} on {os.cpu_count()} cores"
    )
    try:
        warm_up(bases[0])
        for name, stages in (("fetch side only", False), ("full pipeline", True)):
            alone, _ = crawl_sites(sites[:1], stages, args.extract_processes)
            together, summaries = crawl_sites(sites, stages, args.extract_processes)
            pages = sum(s.pages_fetched for s in summaries)
            ratio = alone / together
            verdict = "met" if ratio >= 0.85 else "NOT met"
            print(f"  {name}:")
            print(f"    one site alone (ideal)        {alone:8.1f} s")
            print(f"    all {args.sites} sites in one run    {together:8.1f} s   ({pages} pages)")
            print(f"    one after another would take  {alone * args.sites:8.1f} s")
            print(f"    ideal / all-at-once           {ratio:8.2f}   target >= 0.85: {verdict}")
    finally:
        server.terminate()


def frontier_memory() -> None:
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


def bomb_memory() -> None:
    size = 1_000_000_000
    print(
        f"compression bombs inflating to {size / 1e9:.0f} GB, 5 MB cap (peak RSS growth, fresh process each):"
    )
    for encoding in ("br", "gzip, gzip"):
        body, peak, outcome = bomb_peak(encoding, size)
        _, before, _ = bomb_peak(encoding, size, baseline=True)
        verdict = "met" if peak < 300e6 else "NOT met"
        print(
            f"  {encoding:<11} {body:>9} bytes sent   peak {peak / 1e6:7.1f} MB   target < 300 MB: {verdict}"
        )
        print(f"              werger: {outcome}")
        print(f"              httpx's own decoders, same cap checked per chunk: peak {before / 1e6:7.1f} MB")


PARTS = ("throughput", "many-sites", "frontier", "bombs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--site-pages", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--extract-processes", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts to leave out")
    args = parser.parse_args()
    if "throughput" not in args.skip:
        throughput(args)
    if "many-sites" not in args.skip:
        many_sites(args)
    if "frontier" not in args.skip:
        frontier_memory()
    if "bombs" not in args.skip:
        bomb_memory()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
