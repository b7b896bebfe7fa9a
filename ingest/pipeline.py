"""One crawl run: discover, fetch, extract, clean, identify languages, translate, store.

Pages stream through the stages; finished records are translated in batches of documents (so the
engine batches sentences across pages) and appended to the log. A page whose clean text is
unchanged since its last revision produces nothing new. Every URL the run touches ends up in the
run summary: written, unchanged, skipped with a reason, or failed with a reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from ingest.boilerplate import strip_boilerplate
from ingest.config import Site
from ingest.discover import canonical, page_links, parse_feed, parse_sitemap
from ingest.errors import FetchError
from ingest.extract import EXTRACTOR, extract, extractor_version
from ingest.fetch import HTML_TYPES, Fetcher, FetchResult
from ingest.langid import detect, document_language
from ingest.summary import RunSummary, SiteSummary
from store.log import RecordLog
from store.record import Provenance, Record, Segment, Status, content_hash, record_id, utc_now
from translate.cache import MEMORY_NAME, TranslationMemory
from translate.engine import EngineRegistry
from translate.records import translate_records

LANGID_METHOD = "script+letters+langdetect"
SUMMARY_NAME = "run-summary.json"


def pipeline_version() -> str:
    return version("werger")


@dataclass
class RunOptions:
    out_dir: Path
    target_lang: str = "en"
    batch_documents: int = 32
    fetcher_options: dict = field(default_factory=dict)


@dataclass
class _Known:
    revision: int
    content_hash: str


class CrawlRun:
    """Crawls sites into one output directory's log."""

    def __init__(self, options: RunOptions, registry: EngineRegistry) -> None:
        self.options = options
        self.registry = registry
        self.log = RecordLog(options.out_dir)
        self.memory = TranslationMemory(options.out_dir / MEMORY_NAME)
        self.known = {rid: _Known(r.revision, r.content_hash) for rid, r in self.log.latest().items()}

    async def run(self, sites: list[Site]) -> RunSummary:
        summary = RunSummary(started_at=utc_now().isoformat())
        async with Fetcher(**self.options.fetcher_options) as fetcher:
            for site in sites:
                summary.sites.append(await _SiteCrawl(self, site, fetcher).run())
        self.memory.close()
        summary.finished_at = utc_now().isoformat()
        summary.write(self.options.out_dir / SUMMARY_NAME)
        return summary

    def build_record(self, site: Site, result: FetchResult) -> Record | None:
        """Turn a fetched HTML page into an untranslated record, or None when it has no main text."""
        extracted = extract(result.text or "", result.final_url)
        if extracted is None:
            return None
        paragraphs = strip_boilerplate(extracted.paragraphs)
        if not paragraphs:
            return None
        guesses = [detect(p) for p in paragraphs]
        document = document_language([(g, len(p)) for g, p in zip(guesses, paragraphs, strict=True)])
        canonical_url = canonical(result.final_url)
        rid = record_id(canonical_url)
        previous = self.known.get(rid)
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
                extractor_version=extractor_version(),
                langid_method=LANGID_METHOD,
                pipeline_version=pipeline_version(),
            ),
        )

    def is_unchanged(self, record: Record) -> bool:
        known = self.known.get(record.id)
        return known is not None and known.content_hash == record.content_hash

    def store(self, records: list[Record], summary: SiteSummary) -> None:
        """Translate a batch of records and append them to the log."""
        translated = translate_records(records, self.registry, self.options.target_lang, self.memory)
        self.log.append(translated)
        for record in translated:
            self.known[record.id] = _Known(record.revision, record.content_hash)
            summary.records_written += 1
            summary.languages[record.source_lang] += 1
            summary.statuses[record.status.value] += 1
            if record.status is Status.UNTRANSLATED and record.status_reason:
                summary.untranslated_reasons[record.status_reason] += 1


class _SiteCrawl:
    """The frontier and workers of one site."""

    def __init__(self, run: CrawlRun, site: Site, fetcher: Fetcher) -> None:
        self.run_ = run
        self.site = site
        self.fetcher = fetcher
        self.summary = SiteSummary(site.name)
        self.frontier: asyncio.Queue[tuple[str, int, bool]] = asyncio.Queue()
        self.seen: set[str] = set()
        self.seen_ids: set[str] = set()
        self.pending: list[Record] = []
        self.fetched = 0

    async def run(self) -> SiteSummary:
        for sitemap in self.site.sitemaps:
            await self._read_sitemap(sitemap, depth=0)
        for feed in self.site.feeds:
            await self._read_feed(feed)
        for start in self.site.start_urls:
            self._enqueue(start, 0, seed=True)
        workers = [asyncio.create_task(self._work()) for _ in range(self.site.concurrency)]
        await self.frontier.join()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await self._flush()
        return self.summary

    def _enqueue(self, url: str, depth: int, seed: bool = False) -> None:
        url = canonical(url)
        if url in self.seen or not (seed or self.site.in_scope(url)):
            return
        self.seen.add(url)
        self.frontier.put_nowait((url, depth, seed))

    async def _fetch_text(self, url: str) -> FetchResult | None:
        """Fetch a sitemap or feed; failures go to the summary."""
        try:
            result = await self.fetcher.fetch(url, self.site, accept_any_type=True)
        except FetchError as exc:
            self.summary.fail(url, str(exc))
            return None
        if result.status != 200 or result.text is None:
            self.summary.fail(url, f"HTTP {result.status}")
            return None
        return result

    async def _read_sitemap(self, url: str, depth: int) -> None:
        result = await self._fetch_text(url)
        if result is None:
            return
        pages, nested = parse_sitemap(result.text or "")
        for page in pages:
            self._enqueue(page, 0)
        if depth < 3:
            for child in nested:
                await self._read_sitemap(child, depth + 1)

    async def _read_feed(self, url: str) -> None:
        result = await self._fetch_text(url)
        if result is not None:
            for page in parse_feed(result.text or "", result.final_url):
                self._enqueue(page, 0)

    async def _work(self) -> None:
        while True:
            url, depth, seed = await self.frontier.get()
            try:
                await self._visit(url, depth, seed)
            except Exception as exc:  # a bug on one page must not end the run: report it
                self.summary.fail(url, f"internal error: {type(exc).__name__}: {exc}")
            finally:
                self.frontier.task_done()

    async def _visit(self, url: str, depth: int, seed: bool) -> None:
        if self.fetched >= self.site.max_pages:
            self.summary.skipped["max_pages reached"] += 1
            return
        if not await self.fetcher.allowed_by_robots(url, self.site):
            self.summary.skipped["disallowed by robots.txt"] += 1
            return
        self.fetched += 1
        try:
            result = await self.fetcher.fetch(url, self.site)
        except FetchError as exc:
            self.summary.fail(url, str(exc))
            return
        self.summary.pages_fetched += 1
        if result.status != 200:
            self.summary.fail(url, f"HTTP {result.status}")
            return
        if result.content_type not in HTML_TYPES or result.text is None:
            self.summary.skipped[f"not HTML ({result.content_type or 'no type'})"] += 1
            return
        if depth < self.site.max_depth:
            for link in page_links(result.text, result.final_url):
                self._enqueue(link, depth + 1)
        if seed and not self.site.in_scope(url):
            return
        await self._process(result)

    async def _process(self, result: FetchResult) -> None:
        record = await asyncio.to_thread(self.run_.build_record, self.site, result)
        if record is None:
            self.summary.skipped["no main text"] += 1
        elif record.id in self.seen_ids:
            self.summary.skipped["duplicate of a page already crawled"] += 1
        elif self.run_.is_unchanged(record):
            self.seen_ids.add(record.id)
            self.summary.unchanged += 1
        else:
            self.seen_ids.add(record.id)
            self.pending.append(record)
            if len(self.pending) >= self.run_.options.batch_documents:
                await self._flush()

    async def _flush(self) -> None:
        batch, self.pending = self.pending, []
        if batch:
            await asyncio.to_thread(self.run_.store, batch, self.summary)


def run_crawl(sites: list[Site], options: RunOptions, registry: EngineRegistry) -> RunSummary:
    """Crawl ``sites`` into ``options.out_dir`` and return the run summary."""
    return asyncio.run(CrawlRun(options, registry).run(sites))
