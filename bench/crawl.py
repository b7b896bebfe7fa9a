"""Crawl throughput, many sites at once, frontier memory, and memory under compression bombs.

    uv run python bench/crawl.py [--pages 500] [--latency 0.05] [--concurrency 8]
                                 [--sites 10] [--site-pages 50] [--delay 0.5]
                                 [--extract-processes auto] [--synthetic] [--skip ...]
                                 [--only ...] [--fetch-only] [--repeat 1]

``--only throughput --fetch-only --repeat 5`` measures just the single-site fetch side beside
bare httpx, five alternating rounds, and prints each round and the median.

Pages are real news pages: the extract-dev pages (real articles from 172 news sites, the DAniEL
corpus, Lejeune & Zhu 2018) of 50-200 KB, served as crawled, read from ``../shared/data/
extract-dev`` (``bench/shared_data.py``) and never copied into the project; site ``s`` page ``n``
is page ``s * site_pages + n`` of them, round the list. ``--synthetic`` (or a checkout without the
data) serves generated pages of the same size instead: 50-200 KB of HTML around 5-20 paragraphs.

CPU: every crawl prints the CPU seconds it took per page (the crawl process and its extraction
workers, not the test server) and the wall time that CPU needs at the least on this machine's
cores (pages x CPU per page / cores). On a shared machine that bound, not the crawler, may be
what keeps a figure from its target: the two are printed side by side, with the load average.

1. Throughput: a server in its own process answers every request after ``latency`` seconds;
   werger crawls ``pages`` articles found through a sitemap, with per-host concurrency
   ``concurrency`` and no delay. The ceiling is concurrency / latency pages per second. In the
   same run, bare httpx with the same concurrency fetches the same pages, to show what this
   machine allows at the moment (the CPU is shared, so only ratios from one run mean anything).
   The full pipeline runs as ``extract_processes = "auto"`` runs one site (threads) and, on a
   machine of two or more cores, with one extraction worker process per core as well.
2. Many sites: ``sites`` loopback hosts (one port each) of ``site-pages`` pages with
   ``delay`` seconds between requests to a host. One site crawled alone is the ideal (every
   site has the same shape, so it is also the slowest single site); then all sites in one run.
   The ratio ideal / all-at-once is the figure (1.0: the sites cost no more than one). Three
   ways in one run: fetch side only, the full pipeline extracting in threads
   (``extract_processes = 0``), and the full pipeline with ``--extract-processes`` (default
   ``auto``: one worker process per core for a run of several sites).
3. Memory: in fresh processes, the crawl frontier takes 10,000 and 100,000 URLs and hands them all
   out again; the peak RSS growth is printed beside the bytes of the URLs themselves and beside
   an in-memory frontier (set + deque) doing the same.
4. Bombs: in fresh processes, werger fetches a brotli body and a ``gzip, gzip`` body that each
   inflate to 1 GB, with the default 5 MB cap; the peak RSS growth of each is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import multiprocessing
import os
import random
import resource
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

from shared_data import shared_path

REAL_SIZES = (50_000, 200_000)  # bytes: the size of real news pages

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


def real_pages() -> list[bytes] | None:
    """The extract-dev pages of 50-200 KB as crawled (bytes), in manifest order; None without the set."""
    root = shared_path("data", "extract-dev")
    manifest = root / "manifest.jsonl"
    if not manifest.is_file():
        return None
    pages = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        body = gzip.decompress((root / json.loads(line)["html"]).read_bytes())
        if REAL_SIZES[0] <= len(body) <= REAL_SIZES[1]:
            pages.append(body)
    return pages or None


def describe_pages(synthetic: bool) -> str:
    pages = None if synthetic else real_pages()
    if pages is None:
        return "synthetic pages of 50-200 KB, 5-20 paragraphs"
    mean = sum(map(len, pages)) / len(pages) / 1000
    return f"real news pages (extract-dev, {len(pages)} of 50-200 KB, mean {mean:.0f} KB)"


def _serve(port_out, pages: int, latency: float, sites: int = 1, synthetic: bool = False) -> None:
    """``sites`` servers (one port each) of ``pages`` news pages; every answer after ``latency``."""
    bodies = None if synthetic else real_pages()

    def page(n: int, site: int) -> tuple[bytes, str]:
        if bodies is None:
            return news_page(n, site), "text/html; charset=utf-8"
        return bodies[(site * pages + n) % len(bodies)], "text/html"

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
                data, kind = page(int(self.path[3:]), self.server.site)
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


def _start_servers(pages: int, latency: float, sites: int = 1, synthetic: bool = False):
    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    process = ctx.Process(target=_serve, args=(port_queue, pages, latency, sites, synthetic), daemon=True)
    process.start()
    SERVER_PIDS.add(process.pid)
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


SERVER_PIDS: set[int] = set()  # the test servers' processes, whose CPU is not the crawler's


def cpu_seconds() -> float:
    """CPU seconds of this process, its ended children, and its live children but the test server.

    A live child is the fork server of the extraction workers (``ingest.pipeline.worker_context``):
    the workers are its children, so their CPU is its ``cutime``/``cstime`` once they have ended
    (``/proc/PID/stat`` fields 14-17, in clock ticks).
    """
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if ppid == os.getpid() and pid not in SERVER_PIDS:
            total += sum(int(x) for x in fields[11:15]) / tick
    return total


def crawl_sites(sites: list, stages: bool = True, processes: int | str = 0) -> tuple[float, list, float]:
    """Wall seconds of one real ``run_crawl`` over ``sites``, its site summaries, and its CPU seconds.

    ``stages=False`` leaves out the per-page CPU work: no page is parsed or extracted, every
    fetched page takes the pipeline's own "no main text" path, so fetching, politeness, frontier,
    index and summary are all measured but parsing, extraction, language identification and
    storing are not. ``processes``: ``[crawler] extract_processes`` (0: threads; "auto").
    The CPU seconds count the crawl process and its extraction workers (the server runs in a
    process that is still alive, so it is not counted).
    """
    from ingest import pipeline
    from ingest.analysis import PageAnalysis
    from ingest.pipeline import RunOptions, run_crawl
    from translate.argos import argos_registry

    analyse_page = pipeline.CrawlRun.analyse_page
    if not stages:

        async def nothing(self, site, result, extract_text=True):
            return PageAnalysis([])

        pipeline.CrawlRun.analyse_page = nothing
    try:
        with tempfile.TemporaryDirectory() as out:
            cpu, start = cpu_seconds(), time.perf_counter()
            run_options = RunOptions(out_dir=Path(out), extract_processes=processes)
            summary = run_crawl(sites, run_options, argos_registry(Path(out) / "m"))
            elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    finally:
        pipeline.CrawlRun.analyse_page = analyse_page
    for site_summary in summary.sites:
        assert summary.ok and not site_summary.failures, summary.to_dict()
    return elapsed, summary.sites, cpu


def warm_up(bases: list[str], processes: bool = False) -> None:
    """Small untimed crawls, so imports and first-use costs (seconds) stay out of the figures.

    One in threads (this process) and, with two sites or ``processes``, one with extraction
    processes, which starts the warm fork server every later run forks its workers from; a real
    run pays each once too (``ingest/warm.py``: about 3 s of CPU).
    """
    from ingest.config import site_from_dict

    sites = [bench_site(f"warm-up-{n}", base, 2) for n, base in enumerate(bases[:2])]
    small = [site_from_dict(site.name, {**_table(site), "max_pages": 10}) for site in sites]
    crawl_sites(small[:1], stages=True, processes=0)
    if len(small) > 1:
        crawl_sites(small, stages=True, processes="auto")
    elif processes:
        crawl_sites(small, stages=True, processes=cores())


def _table(site) -> dict:
    return {
        "sitemaps": list(site.sitemaps),
        "allow": list(site.allow),
        "concurrency": site.concurrency,
        "delay": site.delay,
        "max_depth": site.max_depth,
        "allow_private": site.allow_private,
    }


def werger_crawl(
    base: str, concurrency: int, stages: bool = True, processes: int | str = 0
) -> tuple[float, int, float]:
    """Pages per second of a real crawl of one site, the records written, CPU seconds per page."""
    site = bench_site("bench", base, concurrency)
    elapsed, (site_summary,), cpu = crawl_sites([site], stages, processes)
    pages = site_summary.pages_fetched
    return pages / elapsed, site_summary.records_written, cpu / max(pages, 1)


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def cores() -> int:
    from ingest.pipeline import usable_cores

    return usable_cores()


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
    server, (base,) = _start_servers(args.pages, args.latency, synthetic=args.synthetic)
    limit = args.concurrency / args.latency
    print(
        f"throughput: {args.pages} {describe_pages(args.synthetic)}, {args.latency * 1000:.0f} ms latency, "
        f"concurrency {args.concurrency}, {cores()} cores, {load()}"
    )
    workers = cores() if cores() >= 2 and not args.fetch_only else 0
    try:
        warm_up([base], processes=bool(workers))
        pairs = []  # bare httpx and werger's fetch side, alternating, so both see the same load
        for _ in range(args.repeat):
            cpu_before = cpu_seconds()
            bare = bare_httpx(base, args.pages, args.concurrency)
            bare_cpu = (cpu_seconds() - cpu_before) / args.pages
            machinery, _, machinery_cpu = werger_crawl(base, args.concurrency, stages=False)
            pairs.append((bare, bare_cpu, machinery, machinery_cpu, load()))
        rows = []
        written = None
        if not args.fetch_only:
            rate, written, cpu = werger_crawl(base, args.concurrency)
            rows.append(("full pipeline", rate, cpu))
        if workers:  # "auto" extracts one site in threads; what worker processes would give it
            in_processes, _, processes_cpu = werger_crawl(base, args.concurrency, True, workers)
            rows.append((f"full, {workers} processes", in_processes, processes_cpu))
    finally:
        server.terminate()
    print(f"  limit (concurrency / latency)   {limit:8.1f} pages/s")
    for n, (bare, bare_cpu, machinery, machinery_cpu, when) in enumerate(pairs, 1):
        if len(pairs) > 1:
            print(f"  round {n} of {len(pairs)} ({when}):")
        print(
            f"  bare httpx, same concurrency    {bare:8.1f} pages/s   {bare / limit:6.1%} of limit"
            f"{'':24}{bare_cpu * 1000:5.1f} ms CPU/page"
        )
        _row("fetch side only", machinery, machinery_cpu, limit, bare)
    if len(pairs) > 1:
        ratios = sorted(m / b for b, _, m, _, _ in pairs)
        shares = sorted(m / limit for _, _, m, _, _ in pairs)
        cpus = sorted(c for _, _, _, c, _ in pairs)
        print(
            f"  fetch side, median of {len(pairs)}: {_median(shares):6.1%} of limit, "
            f"{_median(ratios):6.1%} of bare httpx, {_median(cpus) * 1000:5.2f} ms CPU/page"
        )
    bare = pairs[-1][0]
    for name, value, per_page in rows:
        _row(name, value, per_page, limit, bare)
    if written is not None:
        print(f"  ({written} records written; {load()})")
    machinery = _median([m for _, _, m, _, _ in pairs])
    # bare httpx is handed the page URLs; werger first reads robots.txt, then the sitemap
    discovery = args.pages / (args.pages / limit + 2 * args.latency)
    print(
        f"  (werger reads robots.txt and the sitemap before any page, two round trips bare httpx does "
        f"not make: with them the limit is {discovery:.1f} pages/s, {discovery / limit:.1%} of the above)"
    )
    verdicts = [("fetch side", machinery)] + [(name, value) for name, value, _ in rows[:1]]
    for name, value in verdicts:
        verdict = "met" if value >= 0.85 * limit else "NOT met"
        print(f"  target >= 85% of limit, {name}: {verdict}")


def _row(name: str, value: float, per_page: float, limit: float, bare: float) -> None:
    ceiling = cores() / per_page
    print(
        f"  werger crawl, {name:<17} {value:8.1f} pages/s   {value / limit:6.1%} of limit   "
        f"{value / bare:6.1%} of bare httpx   {per_page * 1000:5.1f} ms CPU/page: "
        f"CPU allows {ceiling:6.1f} pages/s on {cores()} cores"
    )


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def many_sites(args: argparse.Namespace) -> None:
    server, bases = _start_servers(args.site_pages, 0.0, args.sites, synthetic=args.synthetic)
    sites = [bench_site(f"s{n}", base, 2, args.delay) for n, base in enumerate(bases)]
    floor = (args.site_pages + 1) * args.delay
    processes = args.extract_processes if args.extract_processes == "auto" else int(args.extract_processes)
    print(
        f"many sites: {args.sites} loopback hosts x {args.site_pages} {describe_pages(args.synthetic)}, "
        f"delay {args.delay} s (floor per site {floor:.1f} s), {cores()} cores, {load()}"
    )
    ways = [
        ("fetch side only", False, 0),
        ("full pipeline, extraction in threads (extract_processes = 0)", True, 0),
        (f"full pipeline, extract_processes = {processes}", True, processes),
    ][: 1 if args.fetch_only else None]
    try:
        warm_up(bases)
        for name, stages, way in ways:
            alone, _, _ = crawl_sites(sites[:1], stages, way)
            together, summaries, cpu = crawl_sites(sites, stages, way)
            pages = sum(s.pages_fetched for s in summaries)
            per_page = cpu / max(pages, 1)
            bound = pages * per_page / cores()
            ratio = alone / together
            verdict = "met" if ratio >= 0.85 else "NOT met"
            print(f"  {name}:")
            print(f"    one site alone (ideal)        {alone:8.1f} s")
            print(f"    all {args.sites} sites in one run    {together:8.1f} s   ({pages} pages, {load()})")
            print(f"    one after another would take  {alone * args.sites:8.1f} s")
            print(
                f"    CPU                           {per_page * 1000:8.1f} ms/page: at least {bound:.1f} s "
                f"of wall time on {cores()} cores, so at best {alone / max(alone, bound):.2f} of ideal here "
                f"(it got {cpu / together:.2f} cores on average)"
            )
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
    parser.add_argument("--extract-processes", default="auto", help='"auto" or a number (0: threads)')
    parser.add_argument("--synthetic", action="store_true", help="generated pages instead of real ones")
    parser.add_argument("--skip", nargs="*", default=[], choices=PARTS, help="parts to leave out")
    parser.add_argument("--only", nargs="*", default=None, choices=PARTS, help="the parts to run")
    parser.add_argument(
        "--fetch-only",
        action="store_true",
        help="only the fetch side: beside bare httpx (throughput), one way of three (many sites)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="throughput: rounds of bare httpx and werger's fetch side, alternating (median printed)",
    )
    args = parser.parse_args()
    if args.only is not None:
        args.skip = [part for part in PARTS if part not in args.only]
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
