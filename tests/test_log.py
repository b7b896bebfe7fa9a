"""The append-only JSONL log."""

from pathlib import Path

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


def test_the_index_is_updated_in_the_same_step_and_picks_up_a_write_it_missed(tmp_path):
    from store.index import CrawlIndex

    log = RecordLog(tmp_path)
    index = CrawlIndex(tmp_path, log)
    rid = make_record().id
    log.revise({rid: lambda latest: make_record()})
    assert index.known(rid).revision == 1
    RecordLog(tmp_path).revise({rid: lambda latest: make_record()})  # a writer without the index
    log.revise({rid: lambda latest: make_record()})
    assert index.known(rid).revision == 3
    index.close()
    reopened = CrawlIndex(tmp_path)
    assert reopened.known(rid).revision == 3 and not reopened.rebuilt  # read the appended bytes
    assert [r.revision for r in reopened.history(rid)] == [1, 2, 3]
    reopened.close()
    assert not CrawlIndex(tmp_path).rebuilt


def test_concurrent_processes_never_write_the_same_revision_twice(tmp_path):
    import subprocess
    import sys

    from log_support import duplicate_pairs

    script = (
        "import sys; sys.path.insert(0, 'tests'); from pathlib import Path\n"
        "from test_record import make_record; from store.log import RecordLog\n"
        "log = RecordLog(Path(sys.argv[1]))\n"
        "for _ in range(40): log.revise({make_record().id: lambda latest: make_record()})"
    )
    root = Path(__file__).resolve().parent.parent
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=root) for _ in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    assert [r.revision for r in RecordLog(tmp_path).read()] == list(range(1, 161))
    assert duplicate_pairs(tmp_path) == []
