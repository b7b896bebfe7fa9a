"""The append-only JSONL log."""

import pytest
from filelock import FileLock
from log_support import write_lines
from test_record import make_record

from store.errors import LogLockedError
from store.log import ReadReport, RecordLog


def test_revised_records_are_numbered_and_read_back_in_order(tmp_path):
    log = RecordLog(tmp_path)
    for _ in range(3):
        written = log.revise({make_record().id: lambda latest: make_record(revision=99)})
    assert [r.revision for r in written] == [3]
    assert [r.revision for r in log.read()] == [1, 2, 3]


def test_latest_keeps_the_highest_revision_per_id(tmp_path):
    log = RecordLog(tmp_path)
    write_lines(tmp_path, [make_record(revision=1), make_record(revision=3), make_record(revision=2)])
    other = make_record(id="f" * 32)
    write_lines(tmp_path, [other])
    latest = log.latest()
    assert latest[make_record().id].revision == 3
    assert set(latest) == {make_record().id, other.id}


def test_a_torn_last_line_is_never_read_as_data(tmp_path):
    log = RecordLog(tmp_path)
    write_lines(tmp_path, [make_record(revision=1)])
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write(make_record(revision=2).to_json_line()[:50])
    report = ReadReport()
    assert [r.revision for r in log.read(report)] == [1]
    assert report.torn_tail


def test_the_next_append_moves_a_torn_line_aside_without_losing_it(tmp_path):
    log = RecordLog(tmp_path)
    write_lines(tmp_path, [make_record(revision=1)])
    torn = make_record(revision=2).to_json_line()[:50]
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write(torn)
    log.append_revision(make_record(revision=2))
    assert [r.revision for r in log.read()] == [1, 2]
    assert (tmp_path / "records.jsonl.torn").read_text(encoding="utf-8") == torn + "\n"


def test_a_line_that_is_not_a_record_is_reported_not_returned(tmp_path):
    log = RecordLog(tmp_path)
    write_lines(tmp_path, [make_record(revision=1)])
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write('{"not": "a record"}\n')
    write_lines(tmp_path, [make_record(revision=2)])
    report = ReadReport()
    assert [r.revision for r in log.read(report)] == [1, 2]
    assert report.invalid_lines == [2]


def test_a_second_writer_waiting_on_the_lock_gets_a_clear_error(tmp_path):
    log = RecordLog(tmp_path, lock_timeout=0.1)
    with FileLock(str(log.path) + ".lock"), pytest.raises(LogLockedError, match="locked by another"):
        log.append_revision(make_record())
    assert not log.path.exists()


def test_latest_records_picks_up_appends_without_rereading(tmp_path):
    from store.log import LatestRecords

    log = RecordLog(tmp_path)
    view = LatestRecords(log)
    assert view.get() == {}
    write_lines(tmp_path, [make_record(revision=1)])
    assert view.get()[make_record().id].revision == 1
    write_lines(tmp_path, [make_record(revision=2), make_record(id="e" * 32)])
    latest = view.get()
    assert latest[make_record().id].revision == 2 and len(latest) == 2
    assert latest == log.latest()


def test_latest_records_waits_for_a_torn_line_and_survives_its_removal(tmp_path):
    from store.log import LatestRecords

    log = RecordLog(tmp_path)
    view = LatestRecords(log)
    write_lines(tmp_path, [make_record(revision=1)])
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write(make_record(revision=2).to_json_line()[:40])
    assert view.get()[make_record().id].revision == 1
    log.append_revision(make_record(revision=2))
    assert view.get()[make_record().id].revision == 2


def test_history_and_latest_of_see_only_the_asked_ids(tmp_path):
    log = RecordLog(tmp_path)
    other = "d" * 32
    write_lines(tmp_path, [make_record(revision=2), make_record(id=other), make_record(revision=1)])
    assert [r.revision for r in log.history(make_record().id)] == [1, 2]
    assert set(log.latest_of({other})) == {other}
    assert log.latest_of(set()) == {}
