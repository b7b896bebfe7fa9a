"""One crawl run: discover, fetch, extract, clean, identify languages, translate, store.

Pages stream through the stages; finished records are translated in batches of documents (so the
engine batches sentences across pages) and appended to the log. A page whose clean text is
unchanged since its last revision produces nothing new; a page the server says is unchanged (304
to a conditional GET) is not even downloaded. The crawl state lives in the crawl index and the
frontier in its own SQLite file (``ingest.frontier``), so memory stays flat however large a site
is. All sites of a run are crawled at once; ``max_run_time`` is one deadline for all of them that
cancels requests in flight, stores what finished and leaves the rest queued for the next run.
Every URL the run touches ends up in the run summary: written, unchanged, not modified, removed,
skipped or failed, with reasons.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from ingest.analysis import PageAnalysis, analyse
from ingest.cleaning import TEMPLATE_LINES_NAME, SiteCleaners
from ingest.config import Site
from ingest.discover import parse_feed, parse_sitemap
from ingest.errors import DiscoveryError, FetchError, OutOfScope
from ingest.extract import EXTRACTOR, Extracted, extract, extractor_version
from ingest.fetch import HTML_TYPES, Fetcher, FetchResult, HopCheck, Validators
from ingest.frontier import KNOWN, NEW, SEED, FrontierFile, SiteFrontier
from ingest.langid import LanguageGuess, detect, document_language, hint_labels
from ingest.logs import current_settings, route_page_warnings
from ingest.progress import Progress, Silent
from ingest.refresh import meta_refresh_target
from ingest.runlock import RunLock
from ingest.summary import RunSummary, SiteSummary
from ingest.urls import same_host, url_key
from ingest.workers import extractor_ready, worker_started
from store.index import CrawlIndex
from store.log import RecordLog, refuse_unless_clean
from store.record import Provenance, Record, Segment, Status, content_hash, record_id, utc_now
from store.revise import human_work, rebase
from store.runs import append_run
from translate.cache import MEMORY_NAME, TranslationMemory
from translate.engine import EngineRegistry
from translate.records import UNDETERMINED, missing_model_reason, restatus, translate_records

LANGID_METHOD = "script+letters+ngram-profiles"
SUMMARY_NAME = "run-summary.json"
START_PAGE_MIN_CHARS = 250  # trafilatura's MIN_EXTRACTED_SIZE: less is not an article
# Characters of page text fetched but not yet analysed, over all sites, above which workers wait
# before fetching more: about 250 news pages of 130 KB, tens of MB at most, however far
# extraction falls behind fetching.
BACKLOG_CHARS = 32_000_000
# URLs of a sitemap or feed queued at a time before other work gets the event loop: keying and
# storing 100 news URLs in the frontier takes about 1.2 ms of CPU (measured on 5,000).
ENQUEUE_STEP = 100


@cache
def pipeline_version() -> str:
    return version("werger")


@dataclass
class RunOptions:
    out_dir: Path
    target_lang: str = "en"
    batch_documents: int = 32
    fetcher_options: dict = field(default_factory=dict)
    max_run_time: float | None = None
    max_sitemap_depth: int = 3
    extract_processes: int | str = "auto"  # worker processes for extraction; see extract_process_count
    all_languages: bool = False


def declared_languages(site: Site, result: FetchResult) -> tuple[str | None, ...]:
    """What the server (``Content-Language``) and the sites file say a page's language is; the
    page's own ``<html lang>`` is added from its extraction (``Extracted.lang``)."""
    return (result.content_language, *site.languages)


class CrawlRun:
    """Crawls sites into one output directory's log."""

    def __init__(
        self, options: RunOptions, registry: EngineRegistry, progress: Progress | None = None
    ) -> None:
        self.options = options
        self.registry = registry
        self.progress = progress or Silent()
        self.log = RecordLog(options.out_dir)
        self.index = CrawlIndex(options.out_dir, self.log)
        refuse_unless_clean(self.index.report(), self.log.path)
        self.extractor_version = extractor_version()
        self.cleaners = SiteCleaners(options.out_dir / TEMPLATE_LINES_NAME)
        self.memory = TranslationMemory(options.out_dir / MEMORY_NAME)
        self._extractors: ProcessPoolExecutor | None = None
        self._extractors_starting: asyncio.Future | None = None
        self._backlog = 0  # characters of page text fetched and not yet analysed, all sites
        self._room = asyncio.Event()
        self.interrupted: str | None = None  # the stop signal's name once one came
        self._crawls: list[_SiteCrawl] = []

    async def run(self, sites: list[Site]) -> RunSummary:
        """Crawl every site at once, under one deadline shared by all of them."""
        summary = RunSummary(started_at=utc_now().isoformat())
        route_page_warnings()  # a page's odd date must not print a raw warning (threads too)
        limit = self.options.max_run_time
        deadline = asyncio.get_running_loop().time() + limit if limit else None
        frontiers = FrontierFile(self.options.out_dir)
        processes = extract_process_count(self.options.extract_processes, len(sites))
        if processes:  # started in a thread: starting the fork server takes seconds
            starting = asyncio.to_thread(self._start_extractors, processes)
            self._extractors_starting = asyncio.ensure_future(starting)
        try:
            async with Fetcher(**self.options.fetcher_options) as fetcher:
                crawls = [
                    _SiteCrawl(self, site, fetcher, frontiers.site(site.name), deadline) for site in sites
                ]
                self._crawls = crawls
                with _stop_signals(self.stop):
                    summary.sites.extend(await asyncio.gather(*(self._crawl_site(c) for c in crawls)))
        finally:
            frontiers.close()
            if self._extractors_starting is not None:
                await asyncio.gather(self._extractors_starting, return_exceptions=True)
            if self._extractors is not None:
                self._extractors.shutdown(cancel_futures=True)
                self._extractors = None
        summary.finished_at = utc_now().isoformat()
        if self.interrupted:
            summary.error = f"interrupted by {self.interrupted}"
        self.cleaners.save()
        summary.write(self.options.out_dir / SUMMARY_NAME)
        append_run(self.options.out_dir, summary.history_entry())
        return summary

    def stop(self, name: str) -> None:
        """Stop the run early, as its deadline would: nothing new is fetched, what was fetched is
        analysed and stored, the rest stays queued, and the summary says ``interrupted by name``."""
        if self.interrupted is None:
            logging.getLogger("werger.crawl").warning(
                "%s: stopping; pages already fetched are stored (again to stop at once)", name
            )
        self.interrupted = name
        for crawl in self._crawls:
            crawl.stop()

    async def _crawl_site(self, crawl: _SiteCrawl) -> SiteSummary:
        self.progress.site_started(crawl.site.name)
        site_summary = await crawl.run()
        self.progress.site_finished(site_summary)
        return site_summary

    def _start_extractors(self, count: int) -> None:
        """Start ``count`` extraction worker processes now, while discovery and the first fetches
        run, so the first pages do not wait for them (see ``worker_context``)."""
        executor = ProcessPoolExecutor(
            count,
            mp_context=worker_context(),
            initializer=worker_started,
            initargs=(os.getpid(), current_settings()),
        )
        for _ in range(count):
            executor.submit(extractor_ready)
        self._extractors = executor

    async def _extractor_pool(self) -> ProcessPoolExecutor | None:
        """The run's extraction processes once started; None when the run has none or they could
        not start (then pages are extracted in threads, and the reason is logged once)."""
        if self._extractors_starting is None:
            return None
        try:
            await asyncio.shield(self._extractors_starting)
        except Exception as exc:
            if self._extractors_starting is not None:
                logging.getLogger("werger.crawl").warning(
                    "extraction worker processes could not start (%s: %s); extracting in threads",
                    type(exc).__name__,
                    exc,
                )
            self._extractors_starting = None
            return None
        return self._extractors

    async def analyse_page(self, site: Site, result: FetchResult, extract_text: bool = True) -> PageAnalysis:
        """Links and main text of a fetched page, parsed once (``ingest.analysis``).

        Extraction goes to a worker process when the run has them, with the paragraphs'
        languages (hinted as ``record_from`` hints them); a page read only for its links is
        parsed in a thread of this process, so discovery never queues behind extraction.
        """
        text = result.text or ""
        pool = await self._extractor_pool() if extract_text else None
        if pool is None:
            return await asyncio.to_thread(analyse, text, result.final_url, extract_text)
        loop = asyncio.get_running_loop()
        declared = declared_languages(site, result)
        try:
            return await loop.run_in_executor(pool, analyse, text, result.final_url, True, True, declared)
        except BrokenProcessPool as exc:
            self._lose_extractors(exc)
            return await asyncio.to_thread(analyse, text, result.final_url, extract_text)

    def _lose_extractors(self, exc: BrokenProcessPool) -> None:
        """A worker died (the OOM killer, a crash in a parser's C code) and took the pool with it:
        the pages it held and the rest of the run are extracted in threads, none is lost."""
        if self._extractors_starting is None:
            return
        self._extractors_starting = None
        logging.getLogger("werger.crawl").warning(
            "an extraction worker process ended abruptly (%s); extracting in threads", exc
        )

    async def room_to_fetch(self) -> None:
        """Wait while the pages fetched and not yet analysed hold more than ``BACKLOG_CHARS`` of text.

        Fetching runs ahead of extraction (a worker hands a page over and fetches the next), so
        memory is bounded here instead.
        """
        while self._backlog > BACKLOG_CHARS:
            self._room.clear()
            await self._room.wait()

    def backlog_changed(self, chars: int) -> None:
        self._backlog += chars
        if self._backlog <= BACKLOG_CHARS:
            self._room.set()

    def stored_id(self, result: FetchResult) -> str | None:
        """The record id a page answered at its own URL was stored under, if it was.

        A page keeps its id across crawls even where the dedup key of its URL is spelled
        differently by a newer werger (escapes' case, session ids, host spellings): a new id would
        make the same article a second record beside the first, and leave the editors' revisions
        of the first behind. A page reached through a redirect takes the id of where it landed.
        """
        if result.final_url != result.url:
            return None
        page = self.index.page(result.url)
        return page.record_id if page is not None else None

    def build_record(self, site: Site, result: FetchResult) -> Record | None:
        """Turn a fetched HTML page into an untranslated record, or None when it has no main text."""
        return self.record_from(site, result, extract(result.text or "", result.final_url))

    def record_from(
        self,
        site: Site,
        result: FetchResult,
        extracted: Extracted | None,
        languages: Mapping[str, LanguageGuess] | None = None,
    ) -> Record | None:
        """The untranslated record of a page whose main text was extracted (``analyse_page``).

        ``languages``: ``detect`` guesses already made for paragraphs (by a worker process);
        the others, such as the cells of a layout table the cleaner splits, are detected here.
        """
        if extracted is None:
            return None
        canonical_url = url_key(result.final_url)
        rid = self.stored_id(result) or record_id(canonical_url)
        cleaner = self.cleaners.for_site(site.name)
        paragraphs = cleaner.clean(extracted.paragraphs, extracted.link_texts, page_key=rid)
        if not paragraphs:
            return None
        known = languages or {}
        # What the page and the site declare decides between close relatives (Russian or
        # Bulgarian) when a short line is nearly balanced; it never outweighs clear evidence.
        hints = hint_labels([extracted.lang, *declared_languages(site, result)])
        guesses = [known.get(p) or detect(p, hints) for p in paragraphs]
        document = document_language([(g, len(p)) for g, p in zip(guesses, paragraphs, strict=True)])
        now = utc_now()
        return Record(
            id=rid,
            revision=1,  # RecordLog.revise numbers it on the latest revision
            revised_at=now,
            url=result.url,
            canonical_url=canonical_url,
            site=site.name,
            fetched_at=now,
            published=extracted.published,
            title=extracted.title,
            author=extracted.author,
            content_hash=content_hash(paragraphs),
            source_lang=document.lang,
            source_lang_confidence=document.confidence,
            target_lang=self.options.target_lang,
            segments=[
                Segment(index=i, lang=g.lang, lang_confidence=g.confidence, source=p)
                for i, (g, p) in enumerate(zip(guesses, paragraphs, strict=True))
            ],
            status=Status.UNTRANSLATED,
            status_reason="not translated yet",
            provenance=Provenance(
                fetch_status=result.status,
                etag=result.etag,
                last_modified=result.last_modified,
                extractor=EXTRACTOR,
                extractor_version=self.extractor_version,
                langid_method=LANGID_METHOD,
                pipeline_version=pipeline_version(),
            ),
        )

    def is_unchanged(self, record: Record) -> bool:
        """Same clean text and headline as the latest revision, which does not say the page is gone.

        A headline corrected on the site (often the only change) is a new revision: the title is a
        translated segment of its own.
        """
        known = self.index.known(record.id)
        return (
            known is not None
            and not known.removed
            and known.content_hash == record.content_hash
            and known.title == record.title
        )

    def mark_removed(self, gone: dict[str, int]) -> int:
        """Append a revision with ``removed_at`` for records whose page now answers 404/410.

        The log is the truth downstream tools read, so a removal is a revision there (text, edits
        and translations kept), not only a mark in the index. A record already marked gets no
        second mark. Returns how many were written.
        """
        now = utc_now()

        def removal(status: int):
            def build(latest: Record | None) -> Record | None:
                if latest is None or latest.removed_at is not None:
                    return None
                provenance = latest.provenance.model_copy(update={"fetch_status": status})
                return latest.model_copy(
                    update={"revised_at": now, "removed_at": now, "provenance": provenance}
                )

            return build

        return len(self.log.revise({rid: removal(status) for rid, status in gone.items()}))

    def _rebased(
        self, record: Record, languages: tuple[str, ...] | None, latest: Record | None
    ) -> Record | None:
        """The crawl's revision built on ``latest`` as read under the log's write lock.

        Editors' work saved while this page was fetched and translated is kept (see
        ``store.revise.rebase``); an edit that cannot be kept becomes a conflict on the record.
        """
        now = utc_now()
        if latest is not None and (latest.content_hash, latest.title) == (record.content_hash, record.title):
            if latest.removed_at is None:
                return None
            return latest.model_copy(
                update={
                    "revised_at": now,
                    "fetched_at": record.fetched_at,
                    "removed_at": None,
                    "provenance": record.provenance,
                }
            )
        revision = restatus(rebase(record, latest), self.registry, languages)
        revision = revision.model_copy(update={"revised_at": now})
        return _review_again(revision, latest)

    def store(self, records: list[Record], summary: SiteSummary, languages: tuple[str, ...] = ()) -> None:
        """Translate a batch of records, then append each re-based on its latest revision.

        With ``languages`` (the site's list) and without ``all_languages``, paragraphs in other
        languages are not sent to a model and are counted in ``summary.outside_languages``.
        """
        records = [self.cleaners.drop_learned_template(r) for r in records]
        only = None if self.options.all_languages or not languages else languages
        target = self.options.target_lang
        translated = translate_records(records, self.registry, target, self.memory, source_languages=only)
        written = self.log.revise({r.id: partial(self._rebased, r, only) for r in translated})
        summary.unchanged += len(translated) - len(written)
        for record in written:
            summary.records_written += 1
            if record.revision == 1:
                summary.new += 1
                summary.new_urls.append(record.url)
            else:
                summary.revised += 1
                summary.revised_urls.append(record.url)
            summary.languages[record.source_lang] += 1
            if only is not None:
                summary.outside_languages.update(
                    s.lang
                    for s in record.segments
                    if s.target is None and s.lang not in (*only, target, UNDETERMINED) and not s.edited_by
                )
            summary.statuses[record.status.value] += 1
            if record.status is Status.UNTRANSLATED:
                for reason in untranslated_reasons(record):
                    summary.untranslated_reasons[reason] += 1


@contextmanager
def _stop_signals(stop) -> Iterator[None]:
    """While the run crawls, SIGINT (Ctrl-C) and SIGTERM (systemd, ``timeout``, ``kill``) call
    ``stop(name)`` for a clean early end; a second one ends the process at once. Where signals
    cannot be handled here (not the main thread, no Unix signals), they act as before."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def handle(sig: signal.Signals) -> None:
        if sig in seen:
            for each in installed:
                loop.remove_signal_handler(each)
            os.kill(os.getpid(), sig)  # the default action now: end at once
            return
        seen.add(sig)
        stop(sig.name)

    seen: set[signal.Signals] = set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, handle, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def extract_process_count(setting: int | str, sites: int) -> int:
    """Extraction worker processes for a run (``[crawler] extract_processes``); 0 means threads.

    ``"auto"``: one per core when the run crawls two or more sites on a machine with two or more
    cores, else 0. Extraction costs about 0.1 s of CPU per news page (``bench/crawl.py``), so
    ten sites at once need several cores, while one polite site keeps far less than one busy
    and is not worth starting processes for. A number is capped at the cores this process may
    use: more workers than cores only add memory (a sites file copied from a bigger machine).
    """
    cores = usable_cores()
    if setting == "auto":
        return cores if sites >= 2 and cores >= 2 else 0
    return min(int(setting), cores)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def worker_context() -> multiprocessing.context.BaseContext:
    """How extraction workers start: forked from a warmed-up server where the system has one.

    The fork server imports ``ingest.warm`` once (trafilatura, language profiles, dateparser's
    compiled locales: about 3 s of CPU), and every worker it forks starts with that done. Where
    there is no fork server (Windows), workers are spawned and warm up themselves. Workers run at
    the crawl's own priority: lowered (nice 5), they got 0.31 cores against 0.52 for threads on a
    machine busy with other work (``bench/crawl.py``), and the crawl process, idle most of the
    time waiting on the network, is woken first by the scheduler anyway.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["ingest.warm"])
        return context
    return multiprocessing.get_context("spawn")


def _review_again(revision: Record, latest: Record | None) -> Record:
    """A page changed after a person worked on it: its new revision goes back to ``needs_review``.

    Untranslated and not-needed records keep their status: their reason says more.
    """
    who = human_work(latest) if latest is not None else None
    if (who is None and not revision.conflicts) or revision.status not in (
        Status.MACHINE,
        Status.NEEDS_REVIEW,
    ):
        return revision
    reasons = []
    if who is not None and latest is not None:
        reasons.append(f"the page changed after {who} worked on revision {latest.revision}")
    if revision.conflicts:
        reasons.append(
            f"{len(revision.conflicts)} edited paragraph(s) changed on the site; see the conflicts"
        )
    if revision.status_reason:
        reasons.append(revision.status_reason)
    return revision.model_copy(update={"status": Status.NEEDS_REVIEW, "status_reason": "; ".join(reasons)})


def untranslated_reasons(record: Record) -> list[str]:
    """One reason per missing language pair, so the summary counts pages per model to install."""
    target = record.target_lang
    missing = sorted(
        {s.lang for s in record.segments if s.target is None and s.lang not in (target, UNDETERMINED)}
    )
    if missing:
        return [missing_model_reason(lang, target) for lang in missing]
    return [record.status_reason] if record.status_reason else []


class _SiteCrawl:
    """The frontier, discovery and workers of one site.

    Twice as many workers as the host's concurrency run; the fetcher's per-host semaphore keeps
    requests in flight at the limit. A worker hands each fetched page to a task of its own
    (analysis, then storing) and fetches the next at once, so fetching never waits behind
    extraction; only ``BACKLOG_CHARS`` of text waiting for analysis holds it back. Discovery
    (feeds, then sitemaps) runs beside the workers, so pages are fetched while sitemaps are
    still being read.
    """

    def __init__(
        self, run: CrawlRun, site: Site, fetcher: Fetcher, frontier: SiteFrontier, deadline: float | None
    ) -> None:
        self.run_ = run
        self.site = site
        self.fetcher = fetcher
        self.deadline = deadline
        self.summary = SiteSummary(site.name)
        self.frontier = frontier
        self.seen_ids: set[str] = set()
        self.sitemaps_seen: set[str] = set()
        self.sitemaps_read = 0
        self.pending: list[Record] = []
        self.storing: list[asyncio.Future] = []
        self.gone: dict[str, int] = {}
        self.in_flight: set[str] = set()
        self.processing: set[asyncio.Task] = set()
        self.fetched = 0
        self.active = 0
        self.out_of_time = False
        self.wake = asyncio.Event()
        self._scope: asyncio.Timeout | None = None

    async def run(self) -> SiteSummary:
        try:
            async with asyncio.timeout_at(self.deadline) as scope:
                self._scope = scope
                if self.run_.interrupted:
                    self.stop()
                await self._crawl()
        except TimeoutError:
            self.out_of_time = True
        finally:
            self._scope = None
        if self.processing:
            await asyncio.gather(*self.processing)
        if self.storing:
            await asyncio.gather(*self.storing)
        await self._flush()
        if self.gone:
            self.summary.records_written += await asyncio.to_thread(self.run_.mark_removed, self.gone)
        self._account_for_leftovers()
        return self.summary

    def stop(self) -> None:
        """End fetching now, as the run's deadline does (``CrawlRun.stop``)."""
        if self._scope is not None:
            self._scope.reschedule(asyncio.get_running_loop().time())

    async def _crawl(self) -> None:
        self._enqueue(self.site.start_urls, 0, seed=True)
        self.active += 1  # discovery is work in progress: idle workers wait for the URLs it finds
        async with asyncio.TaskGroup() as group:
            for _ in range(self.site.concurrency * 2):
                group.create_task(self._work())
            try:
                await self._discover()
            except Exception as exc:  # a bug in discovery must not end the run: report it
                self._fail(self._seeds()[0], f"internal error in discovery: {type(exc).__name__}: {exc}")
            finally:
                self._done()

    def _done(self) -> None:
        self.active -= 1
        self.wake.set()

    async def _discover(self) -> None:
        """Feeds (small, newest first), then sitemaps: the site's and those its robots.txt announces."""
        for feed in self.site.feeds:
            await self._read_feed(feed)
        announced: list[str] = []
        origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}/": None for u in self._seeds()}
        for origin in origins:
            try:
                announced.extend(await self.fetcher.robots_sitemaps(origin, self.site))
            except FetchError:
                continue
        for sitemap in dict.fromkeys((*self.site.sitemaps, *announced)):
            await self._read_sitemap(sitemap, depth=0)

    def _seeds(self) -> tuple[str, ...]:
        return (*self.site.start_urls, *self.site.sitemaps, *self.site.feeds)

    def _enqueue(self, urls: Iterable[str], depth: int, seed: bool = False) -> None:
        """Queue in-scope URLs: start pages first, then pages never stored, then stored ones."""
        self._add(self._items(urls, depth, seed))

    async def _enqueue_in_steps(self, urls: list[str], depth: int) -> None:
        """Queue the URLs of a sitemap or feed ``ENQUEUE_STEP`` at a time, letting other work run
        between steps: workers start fetching the first pages while the rest are keyed and
        stored, and a sitemap of 50,000 URLs never holds the event loop (every site's requests)
        for the second that takes. Pages never stored still go before stored ones. A run
        stopped half-way still queues every URL (the next run continues from them)."""
        items = sorted(self._items(urls, depth), key=lambda item: item[3])  # stable: order kept
        done = 0
        try:
            while done < len(items):
                self._add(items[done : done + ENQUEUE_STEP])
                done += ENQUEUE_STEP
                await asyncio.sleep(0)
        finally:
            if done < len(items):
                self._add(items[done:])

    def _items(self, urls: Iterable[str], depth: int, seed: bool = False) -> list[tuple[str, int, bool, int]]:
        """Frontier items (url, depth, seed, priority) of the URLs to queue."""
        if seed:
            return [(url, depth, True, SEED) for url in urls]
        inside = [url for url in urls if self.site.in_scope(url)]
        stored = self.run_.index.stored(inside)
        return [(url, depth, False, KNOWN if url in stored else NEW) for url in inside]

    def _add(self, items: list[tuple[str, int, bool, int]]) -> None:
        if items and self.frontier.add(items):
            self.wake.set()

    def _report(self, url: str, outcome: str) -> None:
        self.run_.progress.advanced(self.summary, self.frontier.remaining, url, outcome)

    def _fail(self, url: str, reason: str) -> None:
        self.summary.fail(url, reason)
        self._report(url, f"failed ({reason})")

    def _skip(self, url: str, reason: str, detail: str = "") -> None:
        self.summary.skipped[reason] += 1
        self._report(url, f"skipped ({reason}{': ' + detail if detail else ''})")

    def _within_reach(self, url: str, anywhere_on_site: bool) -> bool:
        """Whether a redirect (HTTP or meta refresh) may land on ``url``: anywhere on the site's
        hosts for a start page, a sitemap or a feed, inside the allow/deny rules for a page."""
        return same_host(url, self.site.hosts) if anywhere_on_site else self.site.in_scope(url)

    def _hop_check(self, seed: bool, pages: bool = True, origin: str = "") -> HopCheck:
        """The rules every redirect hop passes, as a new URL: scope, robots.txt, and dedup.

        A start page may redirect anywhere on the site's hosts (it is a hub); a page must
        stay inside the allow/deny rules too. Sitemaps and feeds are not deduplicated as pages,
        and neither is a hop to another spelling of ``origin`` (a redirect that drops tracking
        parameters).
        """

        async def check(url: str) -> None:
            if not self._within_reach(url, seed or not pages):
                raise OutOfScope("redirected out of scope", url)
            if not await self.fetcher.allowed_by_robots(url, self.site):
                raise OutOfScope("redirected to a URL robots.txt disallows", url)
            # the origin's key is worked out here, on a redirect, not for every request
            if pages and url_key(url) != url_key(origin) and not self.frontier.claim(url):
                raise OutOfScope("redirected to a URL already queued or crawled", url)

        return check

    async def _fetch_text(self, url: str) -> FetchResult | None:
        """Fetch a sitemap or feed; failures go to the summary."""
        try:
            if not await self.fetcher.allowed_by_robots(url, self.site):
                self._skip(url, "disallowed by robots.txt")
                return None
            result = await self.fetcher.fetch(
                url, self.site, accept_any_type=True, check_hop=self._hop_check(True, pages=False)
            )
        except OutOfScope as exc:
            self._skip(url, exc.reason, exc.target)
            return None
        except FetchError as exc:
            self._fail(url, str(exc))
            return None
        if result.status != 200 or result.raw is None:
            self._fail(url, f"HTTP {result.status}")
            return None
        return result

    async def _read_sitemap(self, url: str, depth: int) -> None:
        key = url_key(url)
        if key in self.sitemaps_seen or not same_host(url, self.site.hosts):
            return
        self.sitemaps_seen.add(key)
        if self.sitemaps_read >= self.site.max_sitemaps:
            self._skip(url, "sitemap not read: max_sitemaps reached")
            return
        if self.fetched + self.frontier.remaining >= self.site.max_pages:
            self._skip(url, "sitemap not read: max_pages already queued")
            return
        self.sitemaps_read += 1
        result = await self._fetch_text(url)
        if result is None:
            return
        try:
            pages, nested = parse_sitemap(result.raw or b"", result.final_url or url)
        except DiscoveryError as exc:
            self._fail(url, str(exc))
            return
        await self._enqueue_in_steps(pages, 0)
        if depth < self.run_.options.max_sitemap_depth:
            for child in nested:
                await self._read_sitemap(child, depth + 1)

    async def _read_feed(self, url: str) -> None:
        result = await self._fetch_text(url)
        if result is None:
            return
        try:
            found = parse_feed(result.raw or b"", result.final_url)
        except DiscoveryError as exc:
            self._fail(url, str(exc))
            return
        await self._enqueue_in_steps(found, 0)

    async def _next(self) -> tuple[str, int, bool] | None:
        """The next URL for a worker; None once the frontier is empty and nobody can add to it."""
        while True:
            if self.fetched >= self.site.max_pages:
                return None
            item = self.frontier.pop()
            if item is not None:
                if not item[2] and not self.site.in_scope(item[0]):
                    continue  # left queued by an earlier run whose rules were different
                self.active += 1
                return item
            if self.active == 0:
                self.wake.set()
                return None
            self.wake.clear()
            await self.wake.wait()

    async def _work(self) -> None:
        while True:
            await self.run_.room_to_fetch()
            item = await self._next()
            if item is None:
                return
            url, depth, seed = item
            try:
                await self._visit(url, depth, seed)
            except Exception as exc:  # a bug on one page must not end the run: report it
                self._fail(url, f"internal error: {type(exc).__name__}: {exc}")
            finally:
                self._done()

    def _validators(self, url: str, depth: int, seed: bool) -> Validators | None:
        """Conditional GET for stored article pages whose links werger remembers (a 304 has no body).

        Start pages that are hubs are always read in full.
        """
        if self._is_hub(url, seed):
            return None
        page = self.run_.index.page(url)
        if page is None or page.gone_at is not None or page.record_id is None:
            return None
        if depth < self.site.max_depth and self.run_.index.links(url) is None:
            return None
        found = Validators(page.etag, page.last_modified)
        return found if found.headers() else None

    async def _visit(self, url: str, depth: int, seed: bool) -> None:
        try:
            if not await self.fetcher.allowed_by_robots(url, self.site):
                self._skip(url, "disallowed by robots.txt")
                return
            self.fetched += 1
            self.in_flight.add(url)
            result = await self.fetcher.fetch(
                url,
                self.site,
                validators=self._validators(url, depth, seed),
                check_hop=self._hop_check(seed, origin=url),
            )
            self.in_flight.discard(url)
        except OutOfScope as exc:
            self.in_flight.discard(url)
            self._skip(url, exc.reason, exc.target)
            return
        except FetchError as exc:
            self.in_flight.discard(url)
            self._fail(url, str(exc))
            return
        self.summary.pages_fetched += 1
        self.summary.retried += result.attempts - 1
        if result.status == 304:
            self.run_.index.note_fetch(url, self.site.name, 304, result.etag, result.last_modified)
            if depth < self.site.max_depth:
                self._enqueue(self.run_.index.links(url) or [], depth + 1)
            self.summary.not_modified += 1
            self._report(url, "not modified")
            return
        if (
            result.status in (404, 410)
            and (first := self.run_.index.mark_gone(url, result.status)) is not None
        ):
            page = self.run_.index.page(url)
            if page is not None and page.record_id is not None:
                self.gone[page.record_id] = result.status  # written once: see CrawlRun.mark_removed
            if first:
                self.summary.removed.append(url)
                self._report(url, f"removed (HTTP {result.status})")
            else:
                self._skip(url, f"removed earlier (HTTP {result.status})")
            return
        if result.status != 200:
            self._fail(url, f"HTTP {result.status}")
            return
        if result.content_type not in HTML_TYPES or result.text is None:
            self._skip(url, f"not HTML ({result.content_type or 'no type'})")
            return
        target = meta_refresh_target(result.text, result.final_url)
        if target is not None:
            self._follow_refresh(url, target, depth, seed)
            return
        result.raw = None  # the decoded text is all that is used from here on
        self._analyse_in_background(result, depth, seed)

    def _follow_refresh(self, url: str, target: str, depth: int, seed: bool) -> None:
        """A meta-refresh stub is a redirect (``ingest.refresh``): it is not stored, and its target
        is queued as a new URL, where robots.txt, the address guard and dedup apply; a target off
        the site (off the allow rules, for a page) is reported as a redirect out of scope."""
        if not self._within_reach(target, seed):
            self._skip(url, "redirected out of scope", target)
            return
        self._enqueue([target], depth, seed)
        self._skip(url, "redirected by a meta refresh", target)

    def _is_hub(self, url: str, seed: bool) -> bool:
        """A start page that the site's allow patterns do not admit is a hub: links only, no record."""
        return seed and bool(self.site.allow) and not self.site.in_scope(url)

    def _analyse_in_background(self, result: FetchResult, depth: int, seed: bool) -> None:
        """Hand a fetched page to analysis and storing in a task of its own; the worker goes on.

        The page is work in progress until its links are queued, so the site's crawl does not
        end while they are unknown. The task runs to the end even when the run's deadline
        strikes: the download is done and analysis and storing are bounded work, so what was
        fetched is stored rather than fetched again next run.
        """
        self.active += 1
        size = len(result.text or "")
        self.run_.backlog_changed(size)
        task = asyncio.create_task(self._analyse_and_process(result, depth, seed, size))
        self.processing.add(task)
        task.add_done_callback(self.processing.discard)

    async def _analyse_and_process(self, result: FetchResult, depth: int, seed: bool, size: int) -> None:
        url = result.url
        try:
            hub = self._is_hub(result.final_url, seed)
            try:
                analysis = await self.run_.analyse_page(self.site, result, extract_text=not hub)
            finally:
                self.run_.backlog_changed(-size)
            result.text = None
            self.run_.index.note_links(url, analysis.links)
            if depth < self.site.max_depth:
                self._enqueue(analysis.links, depth + 1)
            if hub:
                self._skip(url, "start page not matched by an allow pattern (links only)")
                return
            await self._process(result, analysis, start_page=seed and not self.site.allow)
        except Exception as exc:  # a bug on one page must not end the run: report it
            self._fail(url, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self._done()

    async def _process(self, result: FetchResult, analysis: PageAnalysis, start_page: bool = False) -> None:
        """Build, deduplicate and queue the record of a page.

        A start page without allow patterns is stored only when its main text is article-sized
        (trafilatura's own ``MIN_EXTRACTED_SIZE``, 250 characters): a front page's few lines of
        text are navigation, while a start URL that is an article is kept.
        """
        record = None
        if analysis.extracted is not None:  # no thread hop for a page without main text
            record = await asyncio.to_thread(
                self.run_.record_from, self.site, result, analysis.extracted, analysis.languages
            )
        if record is None:
            self._skip(result.url, "no main text")
        elif start_page and sum(len(s.source) for s in record.segments) < START_PAGE_MIN_CHARS:
            self._skip(result.url, "start page with no article text (links only)")
        elif record.id in self.seen_ids:
            self._skip(result.url, "duplicate of a page already crawled")
        elif self.run_.is_unchanged(record):
            self.seen_ids.add(record.id)
            self.run_.index.note_fetch(
                result.url,
                self.site.name,
                result.status,
                result.etag,
                result.last_modified,
                record.content_hash,
            )
            self.summary.unchanged += 1
            self._report(result.url, "unchanged")
        else:
            self.seen_ids.add(record.id)
            self.pending.append(record)
            self._report(result.url, "written")
            if len(self.pending) >= self.run_.options.batch_documents:
                await self._flush()

    async def _flush(self) -> None:
        """Store the pending batch; shielded, so the run's deadline never cuts a batch in half."""
        batch, self.pending = self.pending, []
        if batch:
            task = asyncio.ensure_future(
                asyncio.to_thread(self.run_.store, batch, self.summary, self.site.languages)
            )
            self.storing.append(task)
            await asyncio.shield(task)

    def _account_for_leftovers(self) -> None:
        """URLs a limit kept from being visited stay queued for the next run and are counted here.

        A site with nothing fetched is an error.
        """
        left = self.frontier.put_back(self.in_flight if self.out_of_time else ())
        if self.out_of_time:
            signal_name = self.run_.interrupted
            why = f"interrupted by {signal_name}" if signal_name else "run time limit reached"
            if left:
                self.summary.skipped["interrupted" if signal_name else why] += left
            self.summary.error = f"{why}; {left} URL(s) left for the next run"
        elif left:
            self.summary.skipped["max_pages reached"] += left
        if self.summary.error is None and self.summary.pages_fetched == 0 and self.summary.failures:
            first = self.summary.failures[0]
            self.summary.error = f"nothing could be fetched; first failure: {first.url}: {first.reason}"


def run_crawl(
    sites: list[Site], options: RunOptions, registry: EngineRegistry, progress: Progress | None = None
) -> RunSummary:
    """Crawl ``sites`` into ``options.out_dir`` and return the run summary.

    Raises RunLockedError at once when another run holds the output folder.
    """
    with RunLock(options.out_dir):
        crawl = CrawlRun(options, registry, progress)
        try:
            return asyncio.run(crawl.run(sites))
        finally:
            crawl.memory.close()
            crawl.index.close()
            crawl.progress.close()
