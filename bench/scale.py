"""Everyday operations against data folders of 10k, 100k and 1M revisions, side by side.

    uv run python bench/scale.py [--sizes 10000,100000,1000000] [--work DIR]

For each size, a data folder is generated with werger's own record type (bench/scale_data.py;
kept in --work between runs, since the 1M one takes minutes to write) and then, each in a fresh
process where memory matters:

- index rebuild: the index deleted and made again from the log (target <= 60 s at 1M), wall and
  CPU seconds of the indexing process and of its summarising workers; the full-text search table,
  filled afterwards in the background, is timed on its own (``--rebuild-up-to`` keeps a complete
  index of the larger folders from an earlier run instead);
- the review app (``werger review``'s app under uvicorn, in its own process, over loopback):
  the first queue page, a filtered one, text searches (a mid-frequency word, a common one, the
  number of one story, a three-letter prefix), a page deep in the queue, a record page,
  its history and a save, each the median of several requests (target <= 150 ms at 1M), and the
  app's peak RSS after all of them (target <= 300 MB);
- ``werger export`` of every record and of a filtered subset, as a subprocess: records/s
  (target >= 5,000) and peak RSS (flat: the 1M/10k ratio);
- a recrawl of 200 unchanged pages of a loopback site into the folder, after one review save,
  against the same recrawl into an empty folder (target: within 10%), interleaved over
  ``--rounds`` rounds (7; the order alternates each round), each crawl in a fresh process: the
  medians of wall and CPU seconds (the process's threads and its child processes) and their
  ratios, with the load average of each round. The crawl is timed from ``run_crawl`` on, after
  the process has warmed up as an extraction worker does (``ingest.warm``: imports, language
  profiles, dateparser's locales), since that start-up is the same in both folders and would
  only dilute the ratio; the whole process's CPU (start-up included) is printed too, and so is
  the median of each round's own ratio (the two crawls of a round ran under the same load). The
  CPU of the crawl's calls on its data folder (index, log, frontier, translation memory, template
  lines, run summary; ``StateClock``) is printed apart: what grows with a folder would be there,
  while fetching and extracting the same 200 pages is most of the crawl and most of its noise.
  "the work on the folder apart" is the empty folder's crawl CPU with its work on the folder
  replaced by the kept folder's (both medians): the ratio if the rest of the crawl, the same
  pages and code, cost the same in both, which the noise of a shared machine hides otherwise.
  A 90% bootstrap interval of the CPU ratio over the rounds shows how far that noise moves it.
  Then a recrawl with one page changed, whose record an editor had edited (its edits are carried).

``--only recrawl`` (or any of rebuild, app, export, recrawl, comma-separated) measures only those:
without ``rebuild`` the index is neither rebuilt nor its text-search table filled (12 minutes of
CPU at 1M); the index a previous run left is caught up with the log (only what was appended is
read), and the output says what was skipped.

The last column is the 1M/10k ratio (largest over smallest size run): how the figure grows with
the log. The machine is shared, so the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

PAGES = 200
REPEAT = 7
ROUNDS = 7
PARTS = ("rebuild", "app", "export", "recrawl")
USER, PASSWORD = "bench", "bench-password-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGETS = {
    "queue, first page (ms)": ("<=", 150),
    "queue, filtered (ms)": ("<=", 150),
    "queue, text search (ms)": ("<=", 150),
    "queue, deep page (ms)": ("<=", 150),
    "record page (ms)": ("<=", 150),
    "history page (ms)": ("<=", 150),
    "save (ms)": ("<=", 150),
    "review app peak RSS (MB)": ("<=", 300),
    "export all (records/s)": (">=", 5000),
    "recrawl 200 unchanged / empty folder": ("<=", 1.10),
    "recrawl 200 unchanged, CPU / empty folder": ("<=", 1.10),
    "recrawl 200 unchanged, whole process CPU / empty folder": ("<=", 1.10),
    "recrawl 200 unchanged / empty folder, median of rounds": ("<=", 1.10),
    "recrawl 200 unchanged, CPU / empty folder, median of rounds": ("<=", 1.10),
    "recrawl 200 unchanged, CPU / empty folder, the work on the folder apart": ("<=", 1.10),
    "export all, records per CPU second": (">=", 5000),
    "index rebuild (s)": ("<=", 60),
    "index rebuild, CPU (s)": ("<=", 60),
}


_SEARCHES = ("queue, text search", "queue, text search, common word", "queue, text search, rare word",
             "queue, text search, prefix")
for _name in ("queue, first page", "queue, filtered", *_SEARCHES, "queue, deep page", "record page",
              "history page"):
    TARGETS.setdefault(f"{_name} (ms)", ("<=", 150))
    TARGETS[f"{_name}, server CPU (ms)"] = ("<=", 150)
TARGETS["save + its record page, server CPU (ms)"] = ("<=", 150)


# -- children: each measured operation runs in a fresh process ------------------------------


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_rebuild(folder: str, search: str) -> dict:
    from store.index import INDEX_NAME, CrawlIndex

    for path in Path(folder).glob(INDEX_NAME + "*"):
        path.unlink()
    start, cpu = time.perf_counter(), time.process_time()
    index = CrawlIndex(Path(folder))
    rebuild, rebuild_cpu = time.perf_counter() - start, time.process_time() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the summarising workers, all waited for
    workers_cpu = workers.ru_utime + workers.ru_stime
    lines = index.query("SELECT count(*) FROM lines")[0][0]
    start, cpu = time.perf_counter(), time.process_time()
    if search == "yes":
        index.build_search()
    search, search_cpu = time.perf_counter() - start, time.process_time() - cpu
    index.close()
    return {
        "rebuild": rebuild, "rebuild_cpu": rebuild_cpu + workers_cpu, "rebuild_workers_cpu": workers_cpu,
        "search": search, "search_cpu": search_cpu,
        "lines": lines, "rss": _peak_rss_mb(),
    }


def child_serve(folder: str, port: str) -> None:
    import uvicorn

    from store.review import create_app

    application = create_app(Path(folder), build_search=False)  # the bench fills it, or says it did not
    uvicorn.run(application, host="127.0.0.1", port=int(port), log_level="warning")


class StateClock:
    """Thread CPU seconds spent in the crawl's calls on its data folder: the index, the
    log, the frontier, the translation memory, the learned template lines, the run summary and
    history. What grows with a folder lives there; fetching, extraction and language
    identification handle the same 200 pages in any folder. Only the outermost of nested calls
    counts (``RecordLog.revise`` calls the index)."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.calls = 0
        self._depth = threading.local()

    def wrap(self, owner: object, name: str) -> None:
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            depth = getattr(self._depth, "n", 0)
            if depth:
                return function(*args, **kwargs)
            self._depth.n = 1
            cpu = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu += time.thread_time() - cpu
                self.calls += 1
                self._depth.n = 0

        setattr(owner, name, timed)

    def install(self) -> None:
        import ingest.pipeline as pipeline
        from ingest.cleaning import SiteCleaners
        from ingest.frontier import FrontierFile, SiteFrontier
        from ingest.summary import RunSummary
        from store.index import CrawlIndex
        from store.log import RecordLog
        from translate.cache import TranslationMemory

        for owner in (CrawlIndex, RecordLog, FrontierFile, SiteFrontier, TranslationMemory):
            for name, value in list(vars(owner).items()):
                if callable(value) and (not name.startswith("_") or name == "__init__"):
                    self.wrap(owner, name)
        for owner, name in ((SiteCleaners, "__init__"), (SiteCleaners, "save"), (RunSummary, "write"),
                            (pipeline, "append_run"), (pipeline, "refuse_unless_clean")):
            self.wrap(owner, name)


def child_crawl(folder: str, base: str) -> dict:
    from ingest.config import site_from_dict
    from ingest.pipeline import RunOptions, run_crawl
    from translate.argos import argos_registry

    site = site_from_dict(
        "bench-partner",
        {
            "sitemaps": [f"{base}/sitemap.xml"],
            "allow": ["/p/"],
            "concurrency": 8,
            "delay": 0,
            "max_pages": 10**6,
            "max_depth": 0,
            "allow_private": True,
        },
    )
    out = Path(folder)
    warm_start = time.process_time()
    import ingest.warm  # noqa: F401  (the same start-up in both folders: see the module docstring)

    warm_cpu = time.process_time() - warm_start
    state = StateClock()
    state.install()
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    summary = run_crawl([site], RunOptions(out_dir=out), argos_registry(out / "no-models"))
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu + _children_cpu() - children
    sites = summary.sites[0]
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "warm_up_cpu": warm_cpu,
        "state_cpu": state.cpu,
        "state_calls": state.calls,
        "written": sites.records_written,
        "unchanged": sites.unchanged,
        "rss": _peak_rss_mb(),
        "ok": summary.ok,
    }


def _children_cpu() -> float:
    """CPU seconds of this process's child processes that ended and were waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(*args: str) -> dict:
    """Run a child mode in a fresh process; its JSON result, with ``process_cpu`` and
    ``process_seconds``: CPU and wall of the whole process (start-up included) from ``wait4``."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"child {args[0]} failed:\n{err.read()[-3000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["process_cpu"] = usage.ru_utime + usage.ru_stime
    result["process_seconds"] = seconds
    return result


# -- the loopback partner site for the recrawl -----------------------------------------------


class Site:
    """200 English articles from FLORES-200 sentences; ``changed`` alters page 0.

    Each paragraph starts with a mark of its page and of this bench run: the folders are crawled
    again at every run (under another port, so as other pages), and without it the same sentences
    on new pages would teach a kept folder's site template what an empty folder's never saw, so
    the two would not be crawling the same text.
    """

    def __init__(self) -> None:
        from scale_data import _sentences

        self.sentences = _sentences()["en"]
        self.changed = False
        self.mark = secrets.token_hex(3)

    def page(self, n: int) -> str:
        picks = [
            f"Item {self.mark}-{n}.{k}: {self.sentences[(n * 7 + k) % len(self.sentences)]}" for k in range(6)
        ]
        if n == 0 and self.changed:
            picks.append("The partner added this paragraph after the story was first published.")
        paragraphs = "".join(f"<p>{p}</p>" for p in picks)
        return (
            f"<html><head><title>Bench story {n}</title></head><body><article>"
            f"<h1>Bench story {n}</h1>{paragraphs}</article></body></html>"
        )

    @contextmanager
    def serve(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                if self.path == "/sitemap.xml":
                    locs = "".join(f"<url><loc>{base}/p/{n}</loc></url>" for n in range(PAGES))
                    body, kind = f"<urlset>{locs}</urlset>", "application/xml"
                elif self.path.startswith("/p/") and self.path[3:].isdigit():
                    body, kind = site.page(int(self.path[3:])), "text/html; charset=utf-8"
                else:
                    body, kind = "", "text/plain"
                    self.send_response(404)
                data = body.encode()
                if body:
                    self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


# -- measurements ------------------------------------------------------------------------------


def generate(folder: Path, size: int) -> float | None:
    """Write the folder unless a complete one of this size is there; seconds taken or None."""
    marker = folder / ".bench-generated"
    if marker.exists() and marker.read_text() == str(size):
        return None
    from scale_data import Generator

    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    Generator(size).write(folder)
    elapsed = time.perf_counter() - start
    marker.write_text(str(size))
    return elapsed


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _median_ms(fn, times: int = REPEAT) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _timed(figures: dict[str, float], name: str, server: int, fn, times: int = REPEAT) -> None:
    """Median wall ms of ``fn`` and the server's mean CPU ms per call (what the shared machine's
    load does not inflate)."""
    cpu = _cpu_seconds(server)
    figures[f"{name} (ms)"] = _median_ms(fn, times)
    figures[f"{name}, server CPU (ms)"] = (_cpu_seconds(server) - cpu) * 1000 / times


def measure_app(folder: Path) -> dict:
    import httpx

    from store.index import CrawlIndex
    from store.users import Users

    if USER not in Users(folder).names():
        Users(folder).add(USER, PASSWORD)
    index = CrawlIndex(folder)
    total = index.query("SELECT count(*) FROM records")[0][0]
    step = max(1, total // 40)
    sample = [
        row[0]
        for row in index.query(
            "SELECT id FROM records WHERE rid % ? = 0 LIMIT 40",
            (step,),
        )
    ]
    middle = index.query(
        "SELECT revised_at, id FROM records ORDER BY revised_at DESC, id DESC LIMIT 1 OFFSET ?",
        (total // 2,),
    )[0]
    word = "water"
    # a word of one record only: the story number in its URL (the URL is searched too)
    url = index.query("SELECT url FROM records WHERE rid = ?", (max(1, total // 3),))[0][0]
    rare = "story " + url.rsplit("-", 1)[-1].removesuffix(".html")
    index.close()
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--child", "serve", str(folder), str(port)])
    figures: dict[str, float] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            deadline = time.monotonic() + 120
            while True:
                try:
                    http.get("/login")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            token = CSRF.search(http.get("/login").text).group(1)
            http.post("/login", data={"name": USER, "password": PASSWORD, "csrf_token": token})

            def get(path: str, params: dict | None = None) -> httpx.Response:
                response = http.get(path, params=params)
                response.raise_for_status()
                return response

            pid = server.pid
            _timed(figures, "queue, first page", pid, lambda: get("/"))
            filtered = {"lang": "ckb", "status": "reviewed", "site": "partner-03"}
            _timed(figures, "queue, filtered", pid, lambda: get("/", filtered))
            _timed(figures, "queue, text search", pid, lambda: get("/", {"q": word}))
            _timed(figures, "queue, text search, common word", pid, lambda: get("/", {"q": "the"}))
            _timed(figures, "queue, text search, rare word", pid, lambda: get("/", {"q": rare}))
            _timed(figures, "queue, text search, prefix", pid, lambda: get("/", {"q": "gov"}))
            deep = {"after": f"{middle[0]}|{middle[1]}"}
            _timed(figures, "queue, deep page", pid, lambda: get("/", deep))
            ids = itertools.cycle(sample)
            _timed(figures, "record page", pid, lambda: get(f"/records/{next(ids)}"))
            _timed(figures, "history page", pid, lambda: get(f"/records/{next(ids)}/history"))
            saves = itertools.cycle(sample)

            def save() -> None:
                record_id = next(saves)
                page = get(f"/records/{record_id}").text
                csrf = CSRF.search(page).group(1)
                base = re.search(r'name="base" value="(\d+)"', page).group(1)
                start = time.perf_counter()
                response = http.post(
                    f"/records/{record_id}",
                    data={"csrf_token": csrf, "base": base, "t0": f"Edited {time.time()}", "action": "save"},
                )
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 303, response.text[:300]

            timings: list[float] = []
            cpu = 0.0
            for _ in range(REPEAT):
                before = _cpu_seconds(pid)
                save()
                cpu += _cpu_seconds(pid) - before
            figures["save (ms)"] = statistics.median(timings)
            figures["save + its record page, server CPU (ms)"] = cpu * 1000 / REPEAT
        status = Path(f"/proc/{server.pid}/status").read_text()
        figures["review app peak RSS (MB)"] = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def measure_export(folder: Path, *filters: str) -> tuple[float, float, int, float]:
    """(seconds, peak RSS MB, records, CPU seconds) of a real ``werger export`` subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.jsonl"
        command = ["export", "--data", str(folder), "--out", str(out), *filters]
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "ingest.cli", *command], cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"werger export failed with status {status}")
        with out.open("rb") as fh:
            count = sum(1 for _ in fh)
    return elapsed, usage.ru_maxrss / 1024, count, usage.ru_utime + usage.ru_stime


def export_figures(folder: Path) -> dict[str, float]:
    """Records/s net of the command's start-up (an export that matches nothing), and peak RSS."""
    empty = [measure_export(folder, "--site", "no-such-site") for _ in range(2)]
    startup, startup_cpu = min(e[0] for e in empty), min(e[3] for e in empty)
    seconds, rss, count, cpu = measure_export(folder)
    filtered, filtered_rss, filtered_count, _ = measure_export(folder, "--status", "approved", "--lang", "ru")
    return {
        "export all, records per CPU second": count / max(cpu - startup_cpu, 1e-3),
        "export start-up, nothing matches (s)": startup,
        "export all (s)": seconds,
        "export all (records)": count,
        "export all (records/s)": count / max(seconds - startup, 1e-3),
        "export all, peak RSS (MB)": rss,
        "export approved ru (s)": filtered,
        "export approved ru (records)": filtered_count,
        "export approved ru, peak RSS (MB)": filtered_rss,
    }


def prepare_recrawl(folder: Path, base: str) -> None:
    """Crawl the site into ``folder`` once, then save an edit on page 0's record as an editor would."""
    from store.index import CrawlIndex
    from store.record import record_id
    from store.revise import edited

    run_child("crawl", str(folder), base)
    index = CrawlIndex(folder)
    page0 = index.latest(record_id(f"{base}/p/0"))
    if page0 is not None:
        index.log.append_revision(edited(page0, {0: f"Edited by the bench at {time.time()}."}, USER))
    index.close()


def measure_recrawl(
    folder: Path, empty: Path, site: Site, base: str, rounds: int = ROUNDS, label: str = ""
) -> dict[str, float]:
    """Recrawls of the unchanged site into ``folder`` and into the prepared ``empty`` folder,
    interleaved over ``rounds`` rounds whose order alternates (the machine is shared: only runs
    side by side compare); medians of each, and their ratios. Then page 0 changed."""
    prepare_recrawl(folder, base)
    big, small = [], []
    for n in range(rounds):
        pair = [("empty", empty, small), (label, folder, big)]
        line = []
        for name, path, into in pair if n % 2 == 0 else reversed(pair):
            into.append(run_child("crawl", str(path), base))
            run = into[-1]
            line.append(f"{name} {run['seconds']:.2f} s, {run['cpu']:.2f} s CPU "
                        f"({run['state_cpu'] * 1000:.0f} ms on the folder)")
        print(f"  recrawl round {n + 1}: " + "; ".join(line) + f"  load {load()}", flush=True)
    assert all(r["ok"] and r["written"] == 0 and r["unchanged"] == PAGES for r in big + small), big + small
    site.changed = True
    changed = run_child("crawl", str(folder), base)
    site.changed = False

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    wall, wall_empty = median(big, "seconds"), median(small, "seconds")
    cpu, cpu_empty = median(big, "cpu"), median(small, "cpu")
    whole, whole_empty = median(big, "process_cpu"), median(small, "process_cpu")
    state, state_empty = median(big, "state_cpu"), median(small, "state_cpu")
    low, high = _interval(big, small, "cpu")
    print(f"  recrawl CPU / empty folder: {cpu / cpu_empty:.3f}, 90% bootstrap interval over the rounds "
          f"{low:.3f} to {high:.3f}; each round's own ratio "
          + " ".join(f"{b['cpu'] / e['cpu']:.2f}" for b, e in zip(big, small, strict=True)), flush=True)
    return {
        "recrawl 200 unchanged, empty folder (s)": wall_empty,
        "recrawl 200 unchanged (s)": wall,
        "recrawl 200 unchanged / empty folder": wall / wall_empty,
        "recrawl 200 unchanged, CPU, empty folder (s)": cpu_empty,
        "recrawl 200 unchanged, CPU (s)": cpu,
        "recrawl 200 unchanged, CPU / empty folder": cpu / cpu_empty,
        "recrawl 200 unchanged / empty folder, median of rounds": statistics.median(
            b["seconds"] / e["seconds"] for b, e in zip(big, small, strict=True)
        ),
        "recrawl 200 unchanged, CPU / empty folder, median of rounds": statistics.median(
            b["cpu"] / e["cpu"] for b, e in zip(big, small, strict=True)
        ),
        "recrawl 200 unchanged, whole process CPU / empty folder": whole / whole_empty,
        "recrawl, start-up not timed, CPU (s)": median(big + small, "warm_up_cpu"),
        "recrawl, work on the data folder, CPU, empty folder (ms)": median(small, "state_cpu") * 1000,
        "recrawl, work on the data folder, CPU (ms)": median(big, "state_cpu") * 1000,
        "recrawl, calls on the data folder": median(big, "state_calls"),
        "recrawl 200 unchanged, CPU / empty folder, the work on the folder apart": (
            (cpu_empty - state_empty + state) / cpu_empty
        ),
        "recrawl peak RSS (MB)": max(r["rss"] for r in big),
        "recrawl, 1 edited page changed (s)": changed["seconds"],
    }


def _interval(big: list[dict], small: list[dict], key: str, draws: int = 2000) -> tuple[float, float]:
    """5th and 95th percentiles of the ratio of medians over rounds drawn with replacement (pairs
    kept together): how far the shared machine's noise moves the figure."""
    rng = random.Random(0)
    pairs = list(zip(big, small, strict=True))
    ratios = []
    for _ in range(draws):
        drawn = [rng.choice(pairs) for _ in pairs]
        kept = statistics.median(b[key] for b, _ in drawn)
        ratios.append(kept / statistics.median(e[key] for _, e in drawn))
    ratios.sort()
    return ratios[int(0.05 * draws)], ratios[int(0.95 * draws) - 1]


def prepare_empty(base: str) -> Path:
    """An empty data folder crawled once from the site, with the same edit as the others."""
    empty = Path(tempfile.mkdtemp(prefix="werger-empty-"))
    prepare_recrawl(empty, base)
    return empty


def _index_complete(folder: Path, search: bool = True) -> bool:
    """Whether ``folder`` holds an index of its whole log (with the search table filled, when
    ``search``)."""
    import sqlite3

    from store.index import INDEX_NAME

    path = folder / INDEX_NAME
    if not path.exists():
        return False
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    size = (folder / "records.jsonl").stat().st_size
    return (meta.get("search_ready") == "1" or not search) and meta.get("indexed_to") == str(size)


def _search_ready(folder: Path) -> bool:
    import sqlite3

    from store.index import INDEX_NAME

    with sqlite3.connect(f"file:{folder / INDEX_NAME}?mode=ro", uri=True) as db:
        row = db.execute("SELECT value FROM meta WHERE key = 'search_ready'").fetchone()
    return row is not None and row[0] == "1"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, help="Keep generated folders here between runs.")
    parser.add_argument(
        "--search-up-to", type=int, default=10**7,
        help="Fill the text-search table only for sizes up to this (it takes long at 1M on a shared "
        "machine); above it, text search is measured on an empty table and marked so.",
    )
    parser.add_argument(
        "--rebuild-up-to", type=int, default=10**7,
        help="Rebuild the index only for sizes up to this; above it, an index a previous run left "
        "complete (search table filled) is used as it is, to measure the everyday operations sooner.",
    )
    parser.add_argument(
        "--only", default=",".join(PARTS),
        help=f"Measure only these, comma-separated, of {', '.join(PARTS)} (all by default). Without "
        "rebuild the index is neither rebuilt nor its search table filled: '--only recrawl' "
        "measures the recrawl at 1M in minutes.",
    )
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS,
        help=f"Recrawl rounds, each one crawl into the folder and one into an empty folder ({ROUNDS}).",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "serve":
            child_serve(*rest)
            return
        result = {"rebuild": child_rebuild, "crawl": child_crawl}[mode](*rest)
        print(json.dumps(result))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if not only or only - set(PARTS):
        parser.error(f"--only takes some of {', '.join(PARTS)}")
    skipped = [part for part in PARTS if part not in only]
    if skipped:
        print(f"skipped (--only {args.only}): {', '.join(skipped)}"
              + ("; the index is not rebuilt and its text-search table not filled" if "rebuild" in skipped
                 else ""), flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="werger-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    site = Site()
    table: dict[str, dict[int, float]] = {}

    def note(name: str, size: int, value: float) -> None:
        table.setdefault(name, {})[size] = value

    with site.serve() as base:
        empty = prepare_empty(base) if "recrawl" in only else None
        for size in sizes:
            folder = work / f"revisions-{size}"
            made = generate(folder, size)
            log_mb = (folder / "records.jsonl").stat().st_size / 1e6
            print(f"\n{size} revisions: log {log_mb:.0f} MB"
                  + (f", generated in {made:.0f} s" if made else " (kept from an earlier run)")
                  + f"  load {load()}", flush=True)
            fill = size <= args.search_up_to
            if "rebuild" not in only:
                print("  index as an earlier run left it, caught up with the log (--only): no rebuild, "
                      "no search-table fill", flush=True)
            elif size > args.rebuild_up_to and _index_complete(folder, search=fill):
                print("  index kept from an earlier run (--rebuild-up-to): no rebuild figures", flush=True)
            else:
                rebuilt = run_child("rebuild", str(folder), "yes" if fill else "no")
                note("index rebuild (s)", size, rebuilt["rebuild"])
                note("index rebuild, CPU (s)", size, rebuilt["rebuild_cpu"])
                note("index rebuild, CPU of its workers (s)", size, rebuilt["rebuild_workers_cpu"])
                note("index rebuild (lines/s)", size, rebuilt["lines"] / rebuilt["rebuild"])
                note("index rebuild, peak RSS (MB)", size, rebuilt["rss"])
                if fill:
                    note("search table fill (s)", size, rebuilt["search"])
                    note("search table fill, CPU (s)", size, rebuilt["search_cpu"])
            figures = {}
            if "app" in only:
                figures.update(measure_app(folder))
                if not _search_ready(folder):
                    print("  text search measured on a search table not (fully) filled", flush=True)
                    figures = {(f"{k} [search table not filled]" if "text search" in k else k): v
                               for k, v in figures.items()}
            if "export" in only:
                figures.update(export_figures(folder))
            if empty is not None:
                figures.update(measure_recrawl(folder, empty, site, base, args.rounds, f"{size:,}"))
            for name, value in figures.items():
                note(name, size, value)
            print("  " + "  ".join(f"{k}={v[size]:.4g}" for k, v in table.items() if size in v), flush=True)

    print(f"\nfigures per size (load {load()}); last column: largest/smallest size")
    header = f"{'':56}" + "".join(f"{s:>12,}" for s in sizes) + f"{'ratio':>9}   target"
    print(header)
    for name, values in table.items():
        cells = "".join(f"{values.get(s, float('nan')):>12.4g}" for s in sizes)
        first, last = values.get(sizes[0]), values.get(sizes[-1])
        ratio = last / first if first and last is not None else float("nan")
        target = ""
        if name in TARGETS and last is not None:
            op, limit = TARGETS[name]
            met = last <= limit if op == "<=" else last >= limit
            target = f"{op} {limit} at {sizes[-1]:,}: {'met' if met else 'NOT met'}"
        print(f"{name:56}{cells}{ratio:>9.2f}   {target}")
    if empty is not None:
        shutil.rmtree(empty, ignore_errors=True)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
