"""The index over the log: what it knows per record, how it keeps up, and what it reads."""

from __future__ import annotations

import os

import pytest
from test_record import make_record

from store.errors import NewerLogError, RevisionConflictError
from store.export import Filters, select, select_lines
from store.index import CrawlIndex
from store.log import RecordLog
from store.queue import QueueFilters, facet_options, queue_page, search_query, status_counts
from store.record import Segment, Status, record_id
from store.revise import decided, edited


def article(n: int, revision: int = 1, **overrides):
    url = f"https://partner.example/news/{n}"
    fields = dict(
        id=record_id(url),
        url=url,
        canonical_url=url,
        revision=revision,
        title=f"Story {n}",
        site="north" if n % 2 else "south",
        source_lang="ru" if n % 3 else "ckb",
        segments=[
            Segment(index=0, lang="ru", lang_confidence=1.0, source=f"Вода пришла в деревню {n}.",
                    target=f"Water reached village {n}.", qa_flags=["length_ratio"] if n % 5 == 0 else []),
            Segment(index=1, lang="ru", lang_confidence=1.0, source="Семьи вернулись.",
                    target="Families returned."),
        ],
        status=Status.MACHINE,
        status_reason=None,
    )
    fields.update(overrides)
    return make_record(**fields)


def write(log: RecordLog, records) -> list:
    """Append each record as the next revision of its id, through the one revision protocol."""
    return log.revise({r.id: (lambda latest, r=r: r) for r in records})


@pytest.fixture
def folder(tmp_path):
    index = CrawlIndex(tmp_path)
    write(index.log, (article(n) for n in range(12)))
    index.close()
    return tmp_path


def test_the_index_returns_what_the_log_holds_reading_only_that_record(folder):
    index = CrawlIndex(folder)
    assert not index.rebuilt
    latest = RecordLog(folder).latest()
    for rid, record in latest.items():
        assert index.latest(rid) == record
        assert index.history(rid) == RecordLog(folder).history(rid)
    assert index.latest("0" * 32) is None
    assert index.latest_of(set(latest)) == latest


def test_a_save_is_indexed_in_the_same_step_and_the_approved_revision_is_kept(folder):
    index = CrawlIndex(folder)
    first = index.latest(article(4).id)
    revision = edited(first, {0: "Water finally reached village 4."}, "amina")
    index.log.append_revision(revision)
    index.log.append_revision(decided(revision, Status.APPROVED, "amina"))
    crawl = article(4, revision=4, status=Status.NEEDS_REVIEW)
    write(index.log, [crawl])
    size = os.path.getsize(folder / "records.jsonl")
    other = CrawlIndex(folder)
    assert not other.rebuilt and other.catch_up() == 0
    assert other.query("SELECT value FROM meta WHERE key = 'indexed_to'") == [(str(size),)]
    known = other.known(crawl.id)
    assert (known.revision, known.edited) == (4, False)
    approved = other.latest_approved(crawl.id)
    assert approved.revision == 3 and approved.status is Status.APPROVED
    assert [r.revision for r in other.history(crawl.id)] == [1, 2, 3, 4]


def test_a_stale_save_is_refused_with_the_revision_that_won(folder):
    index = CrawlIndex(folder)
    first = index.latest(article(1).id)
    index.log.append_revision(edited(first, {0: "One."}, "amina"))
    with pytest.raises(RevisionConflictError) as conflict:
        index.log.append_revision(edited(first, {0: "Two."}, "bakhtiyar"))
    assert conflict.value.latest.segments[0].target == "One."
    assert index.known(first.id).revision == 2


def test_lines_appended_by_another_writer_are_read_from_where_the_index_stopped(folder):
    index = CrawlIndex(folder)
    write(RecordLog(folder), [article(3, revision=2, status=Status.REVIEWED), article(40)])
    assert index.catch_up() == 2
    assert not index.rebuilt
    assert index.known(article(3).id).revision == 2
    assert index.latest(article(40).id).title == "Story 40"


def test_a_replaced_log_is_noticed_and_the_index_rebuilt(folder):
    log = RecordLog(folder)
    lines = log.path.read_bytes().splitlines(keepends=True)
    replacement = folder / "restored.jsonl"
    replacement.write_bytes(b"".join(lines[:5]))
    os.replace(replacement, log.path)
    index = CrawlIndex(folder)
    assert index.rebuilt
    assert index.query("SELECT count(*) FROM records") == [(5,)]


def test_a_torn_line_is_not_indexed_and_the_next_append_continues(folder):
    log = RecordLog(folder)
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write(article(50).to_json_line()[:60])
    index = CrawlIndex(folder)
    assert index.known(article(50).id) is None
    new = article(51)
    write(index.log, [new])
    assert index.known(new.id).revision == 1 and not index.rebuilt
    assert index.latest(new.id) == new


def test_unreadable_and_newer_lines_are_reported_by_number_without_reading_the_log_again(folder):
    newer = article(61).to_json_line().replace("werger.record/1", "werger.record/2")
    with (folder / "records.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"not": "a record"}\ngarbage\n' + newer + "\n")
    index = CrawlIndex(folder)
    report = index.report()
    assert (report.invalid_lines, report.newer_lines) == ([13, 14], [15])
    assert report.invalid_lines == RecordLog(folder).check().invalid_lines
    assert index.query("SELECT count(*) FROM records") == [(12,)]
    with pytest.raises(NewerLogError):
        write(index.log, [article(60)])


def test_the_queue_pages_through_every_match_once_newest_first(folder):
    index = CrawlIndex(folder)
    seen, cursor = [], None
    while True:
        page = queue_page(index, QueueFilters(site="north"), after=cursor, size=4)
        seen.extend(page.rows)
        if page.older is None:
            break
        cursor = page.older
    assert page.total == 6 and len(seen) == 6 and len({r.id for r in seen}) == 6
    assert [(r.revised_at, r.id) for r in seen] == sorted(((r.revised_at, r.id) for r in seen), reverse=True)
    back = queue_page(index, QueueFilters(site="north"), before=page.newer, size=4)
    assert [r.id for r in back.rows] == [r.id for r in seen[:4]] and back.newer is None


def test_the_queue_filters_by_language_status_and_flag(folder):
    index = CrawlIndex(folder)
    assert {r.source_lang for r in queue_page(index, QueueFilters(lang="ckb")).rows} == {"ckb"}
    flagged = queue_page(index, QueueFilters(flag="length_ratio")).rows
    assert sorted(r.title for r in flagged) == ["Story 0", "Story 10", "Story 5"]
    assert queue_page(index, QueueFilters(status="approved")).total == 0
    assert facet_options(index)["flag"] == ["length_ratio"]


def test_text_search_finds_words_of_the_latest_revision_only(folder):
    index = CrawlIndex(folder)
    assert index.build_search()
    assert [r.title for r in queue_page(index, QueueFilters(text="village 7")).rows] == ["Story 7"]
    first = index.latest(article(7).id)
    index.log.append_revision(edited(first, {0: "The pipeline reached the hamlet."}, "amina"))
    assert queue_page(index, QueueFilters(text="village 7")).total == 0
    assert [r.title for r in queue_page(index, QueueFilters(text="hamle")).rows] == ["Story 7"]
    assert queue_page(index, QueueFilters(text="деревню 3")).total == 1
    assert search_query('"); DROP TABLE records; --') == '"DROP" AND "TABLE" AND "records"*'


def test_search_built_after_a_rebuild_misses_nothing_written_meanwhile(folder):
    (folder / "index.sqlite").unlink()
    index = CrawlIndex(folder)
    assert not index.search_ready
    assert queue_page(index, QueueFilters(text="village")).search_pending == (0, 12)
    calls = iter(range(100))
    index.build_search(chunk=5, stop=lambda: next(calls) >= 1)
    write(index.log, [article(2, revision=2, segments=[Segment(index=0, lang="ru", lang_confidence=1.0,
                                                          source="Мост открыт.", target="Bridge open.")])])
    assert index.build_search(chunk=5)
    assert [r.title for r in queue_page(index, QueueFilters(text="bridge")).rows] == ["Story 2"]
    assert queue_page(index, QueueFilters(text="village")).total == 11


def test_export_streams_the_latest_matching_revisions_in_id_order(folder):
    index = CrawlIndex(folder)
    write(RecordLog(folder), [article(3, revision=2, status=Status.APPROVED)])
    everything = list(select(index, Filters()))
    assert [r.id for r in everything] == sorted(RecordLog(folder).latest())
    approved = list(select_lines(index, Filters(status=Status.APPROVED)))
    assert approved == [article(3, revision=2, status=Status.APPROVED).to_json_line().encode() + b"\n"]
    assert [r.site for r in select(index, Filters(site="south", lang="ckb"))] == ["south"] * 2


def test_search_results_page_newest_record_first_and_counts_are_capped(folder, monkeypatch):
    import store.queue

    index = CrawlIndex(folder)
    index.build_search()
    seen, cursor = [], None
    while True:
        page = queue_page(index, QueueFilters(text="village", site="north"), after=cursor, size=4)
        seen.extend(r.title for r in page.rows)
        if page.older is None:
            break
        cursor = page.older
    assert seen == [f"Story {n}" for n in (11, 9, 7, 5, 3, 1)]
    monkeypatch.setattr(store.queue, "COUNT_LIMIT", 5)
    capped = queue_page(index, QueueFilters())
    assert (capped.total, capped.more_than_total, len(capped.rows)) == (5, True, 12)


def test_status_counts_of_a_search_read_its_newest_matches_once(folder, monkeypatch):
    import store.queue

    index = CrawlIndex(folder)
    index.build_search()
    first = index.latest(article(7).id)
    index.log.append_revision(decided(first, Status.APPROVED, "amina"))
    counts = status_counts(index, QueueFilters(text="village", site="north"))
    assert dict(counts) == {"machine": 5, "approved": 1} and not counts.capped
    assert dict(status_counts(index, QueueFilters(site="north"))) == dict(counts)
    monkeypatch.setattr(store.queue, "SEARCH_COUNT_LIMIT", 3)
    newest = status_counts(index, QueueFilters(text="village"))
    assert counts is not newest and newest.capped and sum(newest.values()) == 3
    assert newest == {"machine": 3}  # records 11, 10 and 9, the newest three (story 7 is older)


def test_counting_removed_records_walks_their_own_index_not_the_table(folder):
    index = CrawlIndex(folder)
    gone = article(5, revision=2, removed_at=article(5).revised_at)
    write(index.log, [gone])
    plan = " ".join(str(row[-1]) for row in index.query(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM (SELECT 1 FROM records r WHERE r.removed = 1 LIMIT 10)"
    ))
    assert "records_removed" in plan
    assert status_counts(index, QueueFilters())["removed"] == 1
    assert [r.id for r in queue_page(index, QueueFilters(status="removed")).rows] == [gone.id]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Новая сеть дошла до сёл к северу.", "сел"),  # yo typed as ye, as Russian readers do
        ("Ёлки вдоль дороги.", "елки"),
        ("ويقول التقرير إن أكثر من نصف العائلات", "اكثر"),  # hamza forms of alef typed bare
        ("للاطلاع على نص التقرير الكامل", "الكامل للإطلاع"),
        ("النَّازِحَة في المخيمات", "النازحة"),  # harakat
        ("ئەم هەواڵە لە كوردستان", "کوردستان"),  # Arabic kaf typed with the Kurdish keyboard
        ("هاوڵاتیان لە شاری هەولێر", "هاوڵاتيان"),  # Farsi yeh typed as Arabic yeh
    ],
)
def test_search_finds_letters_editors_type_interchangeably(tmp_path, stored, typed):
    index = CrawlIndex(tmp_path)
    segment = Segment(index=0, lang="ru", lang_confidence=1.0, source=stored, target=None)
    write(index.log, [article(1, segments=[segment])])
    assert index.build_search()
    assert queue_page(index, QueueFilters(text=typed)).total == 1, search_query(typed)
