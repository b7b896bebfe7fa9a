"""A rebuilt index holds exactly what the index kept up to date write by write held.

The rebuild reads the log in byte ranges, in worker processes when the log is long; both ways
(and the incremental one) must give the same rows, line numbers and offsets.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from test_index import article, write

from store import scan
from store.index import INDEX_NAME, CrawlIndex
from store.record import Status
from store.revise import decided, edited

TABLES = {
    "records": "SELECT rid, id, revision, content_hash, removed, status, site, source_lang, target_lang, "
    "title, url, revised_at, fetched_at, removed_at, flags, edited, line_at, line_len, approved_revision, "
    "approved_at, approved_len, conflicts, approved_time FROM records ORDER BY rid",
    "lines": "SELECT * FROM lines ORDER BY id, revision",
    "record_flags": "SELECT * FROM record_flags ORDER BY flag, id",
    "facets": "SELECT * FROM facets ORDER BY kind, value",
    "pages": "SELECT * FROM pages ORDER BY url",
    "bad_lines": "SELECT * FROM bad_lines ORDER BY line_no",
    "meta": "SELECT key, value FROM meta WHERE key IN ('indexed_to', 'indexed_lines', 'utf16') ORDER BY key",
}


def dump(index: CrawlIndex) -> dict[str, list[tuple]]:
    return {name: index.query(sql) for name, sql in TABLES.items()}


def search(index: CrawlIndex, words: str) -> list[tuple]:
    return index.query("SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid", (words,))


@pytest.fixture
def incremental(tmp_path):
    """A folder written revision by revision (edits, approvals, flags, removals, a newer crawl),
    then lines another writer appended (unreadable ones, a newer schema, a torn tail)."""
    index = CrawlIndex(tmp_path)
    for start in range(0, 60, 20):
        write(index.log, (article(n) for n in range(start, start + 20)))
        index.build_search()  # from here on every write updates the search table too
    for n in range(0, 60, 3):
        first = index.latest(article(n).id)
        revision = edited(first, {0: f"Water came back to village {n}."}, "amina")
        index.log.append_revision(revision)
        if n % 2:
            index.log.append_revision(decided(revision, Status.APPROVED, "dilan"))
    gone = datetime(2026, 3, 1, tzinfo=UTC)
    write(index.log, [article(n, status=Status.NEEDS_REVIEW, removed_at=gone if n % 4 else None)
                      for n in range(0, 60, 5)])
    newer = article(90).to_json_line().replace("werger.record/1", "werger.record/2")
    with index.log.path.open("a", encoding="utf-8") as fh:
        fh.write('{"not": "a record"}\ngarbage\n' + newer + "\n" + article(91).to_json_line()[:50])
    index.catch_up()
    expected = dump(index), search(index, "water"), search(index, "families")
    index.close()
    return tmp_path, expected


def rebuilt(folder) -> CrawlIndex:
    for path in folder.glob(INDEX_NAME + "*"):
        path.unlink()
    index = CrawlIndex(folder)
    assert index.rebuilt
    index.build_search()
    return index


def test_a_rebuild_in_this_process_equals_the_incremental_index(incremental):
    folder, (tables, water, families) = incremental
    assert len(tables["bad_lines"]) == 3 and tables["record_flags"] and tables["meta"]
    index = rebuilt(folder)
    assert dump(index) == tables
    assert (search(index, "water"), search(index, "families")) == (water, families)


def test_a_rebuild_by_worker_processes_equals_the_incremental_index(incremental, monkeypatch):
    folder, (tables, water, families) = incremental
    monkeypatch.setattr(scan, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(scan, "CHUNK_BYTES", 4096)
    size = (folder / "records.jsonl").stat().st_size
    parts = scan.ranges(folder / "records.jsonl", 0, size)
    assert len(parts) > 10
    index = rebuilt(folder)
    assert dump(index) == tables
    assert (search(index, "water"), search(index, "families")) == (water, families)


def test_ranges_cover_the_log_and_end_after_newlines(tmp_path):
    path = tmp_path / "log"
    path.write_bytes(b"".join(b"x" * (n % 97) + b"\n" for n in range(500)) + b"torn")
    size = path.stat().st_size
    parts = scan.ranges(path, 0, size, size=1000)
    assert parts[0][0] == 0 and parts[-1][1] == size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    data = path.read_bytes()
    assert all(data[end - 1 : end] == b"\n" for _, end in parts[:-1])
    chunks = [scan.scan_range(path, a, b) for a, b in parts]
    assert sum(c.lines for c in chunks) == 500 and chunks[-1].end == size - 4


def test_a_search_table_without_the_prefix_index_is_made_again_and_refilled(tmp_path):
    index = CrawlIndex(tmp_path)
    write(index.log, (article(n) for n in range(6)))
    index.build_search()
    index.query("DROP TABLE search")
    index.query("CREATE VIRTUAL TABLE search USING fts5(title, body, content='', detail=none)")
    index._db.commit()
    index.close()
    index = CrawlIndex(tmp_path)
    assert not index.search_ready
    assert index.query("SELECT count(*) FROM records WHERE search_at IS NOT NULL") == [(0,)]
    assert "prefix='3'" in index.query("SELECT sql FROM sqlite_master WHERE name = 'search'")[0][0]
    assert index.build_search()
    assert len(search(index, '"vil"*')) == 6 and search(index, "families") == [(n,) for n in range(1, 7)]


def test_a_search_table_of_unfolded_letters_is_made_again_and_refilled(tmp_path):
    """An index written before search folded letters (yo, hamza, kaf...) holds them as written:
    its search table is made again, or the words typed the other way would never be found."""
    from store.queue import QueueFilters, queue_page
    from store.record import Segment

    index = CrawlIndex(tmp_path)
    segment = Segment(index=0, lang="ru", lang_confidence=1.0, source="Вода дошла до сёл.", target=None)
    write(index.log, [article(n, segments=[segment]) for n in range(3)])
    assert index.build_search()
    rids = [row[0] for row in index.query("SELECT rid FROM records")]
    index.query("DROP TABLE search")
    index.query(
        "CREATE VIRTUAL TABLE search USING fts5(title, body, content='', detail=none, prefix='3', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    as_written = "INSERT INTO search (rowid, title, body) VALUES (?, 'Story', 'Вода дошла до сёл.')"
    for rid in rids:  # as werger wrote them before: the letters as written
        index.query(as_written, (rid,))
    index.query("DELETE FROM meta WHERE key = 'search_folding'")
    index._db.commit()
    index.close()
    index = CrawlIndex(tmp_path)
    assert not index.search_ready
    assert index.build_search()
    assert queue_page(index, QueueFilters(text="сел")).total == 3
