"""One boilerplate cleaner per site for a crawl run, with the template lines it learns kept on disk.

Site template lines are learned as pages arrive, so the first pages of a site are cleaned with
less knowledge than the last. Two things even that out: records waiting in a batch are cleaned
again with what the batch taught before they are stored, and the learned lines are saved beside
the log so the next crawl starts from them instead of from nothing.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ingest.boilerplate import Cleaner
from ingest.langid import LanguageGuess, document_language
from store.files import write_atomically
from store.record import Record, content_hash

TEMPLATE_LINES_NAME = "template-lines.json"


class SiteCleaners:
    """Cleaners by site name, loaded from and saved to one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cleaners: dict[str, Cleaner] = {}
        self._lock = threading.Lock()
        self._saved: dict[str, dict[str, list[str]]] = self._load()

    def _load(self) -> dict[str, dict[str, list[str]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def for_site(self, site: str) -> Cleaner:
        """The site's cleaner; pages are built in worker threads, so creation is locked."""
        with self._lock:
            return self._for_site_locked(site)

    def _for_site_locked(self, site: str) -> Cleaner:
        if site not in self._cleaners:
            cleaner = Cleaner()
            assert cleaner.template is not None
            cleaner.template.load_json(self._saved.get(site, {}))
            self._cleaners[site] = cleaner
        return self._cleaners[site]

    def drop_learned_template(self, record: Record) -> Record:
        """The record without paragraphs that its site's template has revealed since it was built.

        The test is the cleaner's own (``Cleaner.is_template_line``: prose is never template), so a
        stored record holds what cleaning the same page again gives, and a recrawl of an unchanged
        page finds the same text hash in the index instead of reading the record from the log.
        """
        cleaner = self.for_site(record.site)
        kept = [s for s in record.segments if not cleaner.is_template_line(s.source)]
        if len(kept) == len(record.segments) or not kept:
            return record
        segments = [s.model_copy(update={"index": i}) for i, s in enumerate(kept)]
        document = document_language(
            [(LanguageGuess(s.lang, s.lang_confidence, "segment"), len(s.source)) for s in segments]
        )
        return record.model_copy(
            update={
                "segments": segments,
                "content_hash": content_hash([s.source for s in segments]),
                "source_lang": document.lang,
                "source_lang_confidence": document.confidence,
            }
        )

    def save(self) -> None:
        """Write every site's learned lines atomically (a crash leaves the previous file)."""
        data = dict(self._saved)
        for site, cleaner in self._cleaners.items():
            assert cleaner.template is not None
            data[site] = cleaner.template.to_json()
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True))
