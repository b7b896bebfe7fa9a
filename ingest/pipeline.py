"""One crawl run: discover, fetch, extract, clean, identify languages, translate, store.

Pages stream through the stages; finished records are translated in batches of documents (so the
engine batches sentences across pages) and appended to the log. A page whose clean text is
unchanged since its last revision produces nothing new; a page the server says is unchanged (304
to a conditional GET) is not even downloaded. The frontier and the crawl state live in the crawl
index (SQLite), so memory stays flat however large a site is. Every URL the run touches ends up in
the run summary: written, unchanged, not modified, removed, skipped or failed, with reasons.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from ingest.cleaning import TEMPLATE_LINES_NAME, SiteCleaners
from ingest.config import Site
from ingest.discover import canonical, page_links, parse_feed, parse_sitemap
from ingest.errors import FetchError
from ingest.extract import EXTRACTOR, extract, extractor_version
from ingest.fetch import HTML_TYPES, Fetcher, FetchResult, Validators
from ingest.langid import detect, document_language
from ingest.progress import Progress, Silent
from ingest.runlock import RunLock
from ingest.summary import RunSummary, SiteSummary
from store.index import CrawlIndex, Frontier
from store.log import RecordLog
from store.record import Provenance, Record, Segment, Status, content_hash, record_id, utc_now
from store.revise import HUMAN_EDIT_MARK, carry_edits
from store.runs import append_run
from translate.cache import MEMORY_NAME, TranslationMemory
from translate.engine import EngineRegistry
from translate.records import UNDETERMINED, missing_model_reason, translate_records

LANGID_METHOD = "script+letters+ngram-profiles"
SUMMARY_NAME = "run-summary.json"


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
        self.extractor_version = extractor_version()
        self.cleaners = SiteCleaners(options.out_dir / TEMPLATE_LINES_NAME)
        self.memory = TranslationMemory(options.out_dir / MEMORY_NAME)
        self._edited: dict[str, Record] | None = None
        self._edits_lock = threading.Lock()

    async def run(self, sites: list[Site]) -> RunSummary:
        summary = RunSummary(started_at=utc_now().isoformat())
        limit = self.options.max_run_time
        deadline = time.monotonic() + limit if limit else None
        async with Fetcher(**self.options.fetcher_options) as fetcher:
            for site in sites:
                self.progress.site_started(site.name)
                site_summary = await _SiteCrawl(self, site, fetcher, deadline).run()
                summary.sites.append(site_summary)
                self.progress.site_finished(site_summary)
        summary.finished_at = utc_now().isoformat()
        self.cleaners.save()
        summary.write(self.options.out_dir / SUMMARY_NAME)
        append_run(self.options.out_dir, summary.history_entry())
        return summary

    def build_record(self, site: Site, result: FetchResult) -> Record | None:
        """Turn a fetched HTML page into an untranslated record, or None when it has no main text."""
        extracted = extract(result.text or "", result.final_url)
        if extracted is None:
            return None
        canonical_url = canonical(result.final_url)
        rid = record_id(canonical_url)
        cleaner = self.cleaners.for_site(site.name)
        paragraphs = cleaner.clean(extracted.paragraphs, extracted.link_texts, page_key=rid)
        if not paragraphs:
            return None
        guesses = [detect(p) for p in paragraphs]
        document = document_language([(g, len(p)) for g, p in zip(guesses, paragraphs, strict=True)])
        previous = self.index.known(rid)
        now = utc_now()
        return Record(
            id=rid,
            revision=previous.revision + 1 if previous else 1,
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
        """Same clean text as the latest revision, and that revision does not say the page is gone."""
        known = self.index.known(record.id)
        return known is not None and not known.removed and known.content_hash == record.content_hash

    def mark_removed(self, gone: dict[str, int]) -> int:
        """Append a revision with ``removed_at`` for records whose page now answers 404/410.

        The log is the truth downstream tools read, so a removal is a revision there (text and
        translations kept), not only a mark in the index. Returns how many were written.
        """
        fresh = {rid for rid in gone if (k := self.index.known(rid)) is not None and not k.removed}
        now = utc_now()
        revisions = [
            record.model_copy(
                update={
                    "revision": record.revision + 1,
                    "revised_at": now,
                    "removed_at": now,
                    "provenance": record.provenance.model_copy(update={"fetch_status": gone[record.id]}),
                }
            )
            for record in self.log.latest_of(fresh).values()
        ]
        self.log.append(revisions)
        self.index.note_written(revisions)
        return len(revisions)

    def _keep_human_edits(self, record: Record) -> Record:
        """Carry editors' work from the revision this one replaces (see ``store.revise.carry_edits``)."""
        if record.revision == 1:
            return record
        with self._edits_lock:
            if self._edited is None:
                self._edited = self.log.latest(containing=HUMAN_EDIT_MARK)
        previous = self._edited.get(record.id)
        if previous is None or previous.revision != record.revision - 1:
            return record
        return carry_edits(record, previous)

    def store(self, records: list[Record], summary: SiteSummary) -> None:
        """Translate a batch of records and append them to the log."""
        records = [self._keep_human_edits(self.cleaners.drop_learned_template(r)) for r in records]
        translated = translate_records(records, self.registry, self.options.target_lang, self.memory)
        self.log.append(translated)
        self.index.note_written(translated)
        for record in translated:
            summary.records_written += 1
            if record.revision == 1:
                summary.new += 1
            else:
                summary.revised += 1
            summary.languages[record.source_lang] += 1
            summary.statuses[record.status.value] += 1
            if record.status is Status.UNTRANSLATED:
                for reason in untranslated_reasons(record):
                    summary.untranslated_reasons[reason] += 1


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
    """The frontier and workers of one site.

    Twice as many workers as the host's concurrency run, so extraction of one page overlaps the
    fetch of the next; the fetcher's per-host semaphore keeps requests in flight at the limit.
    """

    def __init__(self, run: CrawlRun, site: Site, fetcher: Fetcher, deadline: float | None) -> None:
        self.run_ = run
        self.site = site
        self.fetcher = fetcher
        self.deadline = deadline
        self.summary = SiteSummary(site.name)
        self.frontier: Frontier = run.index.frontier()
        self.seen_ids: set[str] = set()
        self.sitemaps_seen: set[str] = set()
        self.pending: list[Record] = []
        self.gone: dict[str, int] = {}
        self.fetched = 0
        self.active = 0
        self.out_of_time = False
        self.turn = asyncio.Condition()

    async def run(self) -> SiteSummary:
        await self._discover()
        self._enqueue(self.site.start_urls, 0, seed=True)
        workers = [asyncio.create_task(self._work()) for _ in range(self.site.concurrency * 2)]
        await asyncio.gather(*workers)
        await self._flush()
        if self.gone:
            await asyncio.to_thread(self.run_.mark_removed, self.gone)
        self._account_for_leftovers()
        return self.summary

    async def _discover(self) -> None:
        """Sitemaps (the site's and those its robots.txt announces), then feeds."""
        announced: list[str] = []
        for start in (*self.site.start_urls, *self.site.sitemaps, *self.site.feeds):
            try:
                announced.extend(await self.fetcher.robots_sitemaps(start, self.site))
            except FetchError:
                continue
        for sitemap in dict.fromkeys((*self.site.sitemaps, *announced)):
            await self._read_sitemap(sitemap, depth=0)
        for feed in self.site.feeds:
            await self._read_feed(feed)

    def _enqueue(self, urls: Iterable[str], depth: int, seed: bool = False) -> None:
        batch = {canonical(url): None for url in urls}
        self.frontier.add((url, depth, seed) for url in batch if seed or self.site.in_scope(url))

    def _report(self, url: str, outcome: str) -> None:
        self.run_.progress.advanced(self.summary, self.frontier.remaining, url, outcome)

    def _fail(self, url: str, reason: str) -> None:
        self.summary.fail(url, reason)
        self._report(url, f"failed ({reason})")

    def _skip(self, url: str, reason: str) -> None:
        self.summary.skipped[reason] += 1
        self._report(url, "skipped")

    async def _fetch_text(self, url: str) -> FetchResult | None:
        """Fetch a sitemap or feed; failures go to the summary."""
        try:
            if not await self.fetcher.allowed_by_robots(url, self.site):
                self._skip(url, "disallowed by robots.txt")
                return None
            result = await self.fetcher.fetch(url, self.site, accept_any_type=True)
        except FetchError as exc:
            self._fail(url, str(exc))
            return None
        if result.status != 200 or result.raw is None:
            self._fail(url, f"HTTP {result.status}")
            return None
        return result

    async def _read_sitemap(self, url: str, depth: int) -> None:
        url = canonical(url)
        if url in self.sitemaps_seen or urlsplit(url).netloc.lower() not in self.site.hosts:
            return
        self.sitemaps_seen.add(url)
        result = await self._fetch_text(url)
        if result is None:
            return
        pages, nested = parse_sitemap(result.raw or b"")
        self._enqueue(pages, 0)
        if depth < self.run_.options.max_sitemap_depth:
            for child in nested:
                await self._read_sitemap(child, depth + 1)

    async def _read_feed(self, url: str) -> None:
        result = await self._fetch_text(url)
        if result is not None:
            self._enqueue(parse_feed(result.raw or b"", result.final_url), 0)

    async def _next(self) -> tuple[str, int, bool] | None:
        """The next URL for a worker; None once the frontier is empty and nobody can add to it."""
        async with self.turn:
            while True:
                if self.deadline is not None and time.monotonic() >= self.deadline:
                    self.out_of_time = True
                    return None
                if self.fetched >= self.site.max_pages:
                    return None
                item = self.frontier.pop()
                if item is not None:
                    self.active += 1
                    return item
                if self.active == 0:
                    self.turn.notify_all()
                    return None
                await self.turn.wait()

    async def _work(self) -> None:
        while (item := await self._next()) is not None:
            url, depth, seed = item
            try:
                await self._visit(url, depth, seed)
            except Exception as exc:  # a bug on one page must not end the run: report it
                self._fail(url, f"internal error: {type(exc).__name__}: {exc}")
            finally:
                async with self.turn:
                    self.active -= 1
                    self.turn.notify_all()

    def _validators(self, url: str, depth: int, seed: bool) -> Validators | None:
        """Conditional GET for stored article pages whose links werger remembers (a 304 has no body).

        Start pages outside the allow patterns are hubs and always read in full.
        """
        if seed and not self.site.in_scope(url):
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
            result = await self.fetcher.fetch(url, self.site, validators=self._validators(url, depth, seed))
        except FetchError as exc:
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
        if result.status in (404, 410) and self.run_.index.mark_gone(url, result.status):
            page = self.run_.index.page(url)
            if page is not None and page.record_id is not None:
                self.gone[page.record_id] = result.status
            self.summary.removed.append(url)
            self._report(url, f"removed (HTTP {result.status})")
            return
        if result.status != 200:
            self._fail(url, f"HTTP {result.status}")
            return
        if result.content_type not in HTML_TYPES or result.text is None:
            self._skip(url, f"not HTML ({result.content_type or 'no type'})")
            return
        links = page_links(result.text, result.final_url)
        self.run_.index.note_links(url, links)
        if depth < self.site.max_depth:
            self._enqueue(links, depth + 1)
        if seed and not self.site.in_scope(url):
            self._skip(url, "start page outside the allow patterns (links only)")
            return
        await self._process(result)

    async def _process(self, result: FetchResult) -> None:
        record = await asyncio.to_thread(self.run_.build_record, self.site, result)
        if record is None:
            self._skip(result.url, "no main text")
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
        batch, self.pending = self.pending, []
        if batch:
            await asyncio.to_thread(self.run_.store, batch, self.summary)

    def _account_for_leftovers(self) -> None:
        """URLs a limit kept from being visited are counted, and a site with nothing fetched is an error."""
        left = sum(1 for _ in self.frontier.drain())
        if self.out_of_time:
            if left:
                self.summary.skipped["run time limit reached"] += left
            self.summary.error = f"run time limit reached; {left} URL(s) left for the next run"
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
