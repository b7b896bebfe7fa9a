"""`werger export` and `werger import-xliff`, run for real over records from a real crawl."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from lxml import etree
from rapidfuzz.distance import Levenshtein
from typer.testing import CliRunner

from ingest.cli import app
from ingest.demo import demo_site_config
from ingest.pipeline import RunOptions, run_crawl
from store.log import RecordLog
from store.record import Status, load_schema
from store.revise import decided, edited
from store.users import Users
from store.xliff import MDA_NS, XLIFF_NS
from translate.argos import argos_registry

ROOT = Path(__file__).resolve().parent.parent
NS = {"x": XLIFF_NS, "mda": MDA_NS}


def werger(*args: str, stdin: str | None = None):
    """The real CLI, in process (typer's runner), so the suite stays fast."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, models_dir) -> Path:
    from ingest.demo import serve_directory

    out = tmp_path_factory.mktemp("export-crawl")
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        run_crawl([demo_site_config(base_url)], RunOptions(out_dir=out), argos_registry(models_dir))
    for reviewer in ("amina", "bakhtiyar"):
        Users(out).add(reviewer, f"{reviewer}-secret-1")
    return out


@pytest.fixture
def data(crawled, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(crawled, tmp_path / "data"))


def russian(data: Path) -> list:
    return sorted((r for r in RecordLog(data).latest().values() if r.source_lang == "ru"), key=lambda r: r.id)


def approve_first_russian(data: Path):
    log = RecordLog(data)
    record = russian(data)[0]
    revision = edited(record, {0: record.segments[0].target + " extra"}, "amina")
    log.append_revision(revision)
    log.append_revision(decided(revision, Status.APPROVED, "amina"))
    return record


def test_export_keeps_the_latest_revision_of_matching_records_only(data):
    record = approve_first_russian(data)
    result = werger(
        "export", "--data", str(data), "--status", "approved", "--lang", "ru", "--format", "jsonl"
    )
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["id"], line["revision"]) for line in lines] == [(record.id, 3)]
    validator = jsonschema.Draft202012Validator(load_schema())
    for line in lines:
        validator.validate(line)


def test_export_approved_keeps_the_last_approved_revision_while_a_newer_one_awaits_review(data):
    record = approve_first_russian(data)
    log = RecordLog(data)

    def page_changed(latest):
        """What a recrawl writes after the page changed: the edit kept, back to review."""
        return latest.model_copy(
            update={"status": Status.NEEDS_REVIEW, "status_reason": "the page changed", "review": None}
        )

    log.revise({record.id: page_changed})
    result = werger("export", "--data", str(data), "--status", "approved")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["id"], line["revision"], line["newer_revision"]) for line in lines] == [(record.id, 3, 4)]
    assert lines[0]["status"] == "approved" and lines[0]["segments"][0]["target"].endswith(" extra")
    jsonschema.Draft202012Validator(load_schema()).validate(lines[0])
    latest = [json.loads(line) for line in werger("export", "--data", str(data)).stdout.splitlines()]
    mine = next(line for line in latest if line["id"] == record.id)
    assert mine["revision"] == 4 and mine["status"] == "needs_review" and "newer_revision" not in mine
    assert b"newer_revision" not in log.path.read_bytes()

    log.revise({record.id: lambda latest: decided(latest, Status.APPROVED, "amina")})
    again = [
        json.loads(line)
        for line in werger("export", "--data", str(data), "--status", "approved").stdout.splitlines()
    ]
    assert [(line["revision"], "newer_revision" in line) for line in again] == [(5, False)]


def test_a_removed_page_is_exported_with_removed_at(data):
    record = russian(data)[0]
    RecordLog(data).revise(
        {record.id: lambda latest: latest.model_copy(update={"removed_at": latest.revised_at})}
    )
    lines = [json.loads(line) for line in werger("export", "--data", str(data)).stdout.splitlines()]
    gone = [line for line in lines if line["removed_at"] is not None]
    assert [line["id"] for line in gone] == [record.id]


def test_export_since_a_date_drops_records_revised_before_it(data):
    approve_first_russian(data)
    everything = werger("export", "--data", str(data), "--since", "2000-01-01")
    future = werger("export", "--data", str(data), "--since", "2999-01-01")
    assert everything.exit_code == future.exit_code == 0
    assert len(everything.stdout.splitlines()) == 12
    assert future.stdout == ""


def test_effort_export_measures_the_edit_distance_from_machine_output(data):
    record = approve_first_russian(data)
    result = werger("export", "--data", str(data), "--format", "effort")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    machine = record.segments[0].target
    assert rows == [
        {
            "record_id": record.id,
            "index": 0,
            "lang": "ru",
            "edited_by": "amina",
            "machine": machine,
            "final": machine + " extra",
            "distance": 6,
            "normalized": round(Levenshtein.normalized_distance(machine, machine + " extra"), 4),
        }
    ]


def test_xliff_export_is_xliff_2_with_one_file_per_record(data, tmp_path):
    out = tmp_path / "ru.xlf"
    result = werger("export", "--data", str(data), "--lang", "ru", "--format", "xliff", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    root = etree.parse(str(out)).getroot()
    assert root.tag == f"{{{XLIFF_NS}}}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "ru", "en")
    files = root.findall("x:file", NS)
    records = russian(data)
    assert [f.get("id") for f in files] == [f"r{r.id}" for r in records]
    first = files[0]
    assert first.findtext(".//mda:meta[@type='record-id']", namespaces=NS) == records[0].id
    units = first.findall("x:unit", NS)
    assert [u.findtext("x:segment/x:source", namespaces=NS) for u in units] == [
        records[0].title,
        *(s.source for s in records[0].segments),
    ]
    assert units[0].get("id") == f"u{records[0].id}-title"
    assert units[0].findtext("x:segment/x:target", namespaces=NS) == records[0].title_segment.target


def test_edits_made_in_a_cat_tool_come_back_as_a_new_revision(data, tmp_path):
    xlf = tmp_path / "ru.xlf"
    werger("export", "--data", str(data), "--lang", "ru", "--format", "xliff", "--out", str(xlf))
    tree = etree.parse(str(xlf))
    target = tree.find(f".//x:file/x:unit[@id='u{russian(data)[0].id}-0']/x:segment/x:target", NS)
    machine = target.text
    target.text = "Fixed in OmegaT."
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")

    result = werger("import-xliff", str(xlf), "--data", str(data), "--by", "bakhtiyar")
    assert result.exit_code == 0, result.stderr
    assert "updated 1, unchanged 2, conflicts 0" in result.stdout
    record = russian(data)[0]
    assert record.revision == 2 and record.status == Status.REVIEWED
    assert record.segments[0].target == "Fixed in OmegaT."
    assert (record.segments[0].edited_by, record.segments[0].machine_target) == ("bakhtiyar", machine)


def test_an_xliff_made_before_a_newer_revision_is_refused_as_a_conflict(data, tmp_path):
    xlf = tmp_path / "ru.xlf"
    werger("export", "--data", str(data), "--lang", "ru", "--format", "xliff", "--out", str(xlf))
    approve_first_russian(data)
    lines_before = RecordLog(data).path.read_text(encoding="utf-8")
    tree = etree.parse(str(xlf))
    tree.find(".//x:target", NS).text = "Stale edit."
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = werger("import-xliff", str(xlf), "--data", str(data), "--by", "bakhtiyar")
    assert result.exit_code == 1
    assert "changed since the export" in result.stderr
    assert RecordLog(data).path.read_text(encoding="utf-8") == lines_before


def test_xliff_of_several_language_pairs_is_refused_with_a_hint(data):
    result = werger("export", "--data", str(data), "--format", "xliff")
    assert result.exit_code == 1
    assert "pass --lang" in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_is_not_xliff_is_refused_without_a_traceback(data, tmp_path):
    bogus = tmp_path / "notes.xml"
    bogus.write_text("<notes/>", encoding="utf-8")
    result = werger("import-xliff", str(bogus), "--data", str(data), "--by", "amina")
    assert result.exit_code == 1
    assert "not an XLIFF 2 file" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_status_is_refused_with_the_valid_ones(data):
    result = werger("export", "--data", str(data), "--status", "done")
    assert result.exit_code == 1 and "approved" in result.stderr


def test_the_title_travels_in_jsonl_and_comes_back_from_xliff(data, tmp_path):
    out = tmp_path / "ru.jsonl"
    assert werger("export", "--data", str(data), "--lang", "ru", "--out", str(out)).exit_code == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["title_segment"]["source"] == r["title"] and r["title_segment"]["target"] for r in exported)
    xlf = tmp_path / "ru.xlf"
    werger("export", "--data", str(data), "--lang", "ru", "--format", "xliff", "--out", str(xlf))
    tree = etree.parse(str(xlf))
    title_unit = f".//x:file/x:unit[@id='u{russian(data)[0].id}-title']/x:segment/x:target"
    tree.find(title_unit, NS).text = "Water for the camp"
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = werger("import-xliff", str(xlf), "--data", str(data), "--by", "bakhtiyar")
    assert "updated 1, unchanged 2, conflicts 0" in result.stdout
    title = russian(data)[0].title_segment
    assert (title.target, title.edited_by) == ("Water for the camp", "bakhtiyar")


def exported_ru(data: Path, tmp_path: Path) -> tuple[Path, etree._ElementTree]:
    xlf = tmp_path / "ru.xlf"
    result = werger("export", "--data", str(data), "--lang", "ru", "--format", "xliff", "--out", str(xlf))
    assert result.exit_code == 0, result.stderr
    return xlf, etree.parse(str(xlf))


def test_unit_and_segment_ids_are_unique_in_the_whole_document(data, tmp_path):
    _, tree = exported_ru(data, tmp_path)
    for tag in ("unit", "segment"):
        ids = [e.get("id") for e in tree.iter(f"{{{XLIFF_NS}}}{tag}")]
        assert len(ids) > len(russian(data)) and len(set(ids)) == len(ids)


def test_a_paragraph_in_another_language_carries_xml_lang(data, tmp_path):
    record = russian(data)[0]
    foreign = record.model_copy(update={"revision": record.revision + 1})
    foreign.segments[1].lang = "en"
    RecordLog(data).append_revision(foreign)
    _, tree = exported_ru(data, tmp_path)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    units = tree.find(f"x:file[@id='r{record.id}']", NS).findall("x:unit", NS)
    by_id = {u.get("id"): u.get(lang) for u in units}
    assert (by_id[f"u{record.id}-0"], by_id[f"u{record.id}-1"]) == (None, "en")


def test_qa_flags_travel_as_notes_with_their_meaning(data, tmp_path):
    record = russian(data)[0]
    flagged = record.model_copy(update={"revision": record.revision + 1})
    flagged.segments[0].qa_flags = ["length_ratio"]
    flagged.segments[0].lang = "ru"
    RecordLog(data).append_revision(flagged)
    _, tree = exported_ru(data, tmp_path)
    unit = tree.find(f"x:file[@id='r{record.id}']/x:unit[@id='u{record.id}-0']", NS)
    notes = unit.findall("x:notes/x:note", NS)
    assert [n.get("category") for n in notes] == ["werger-qa"]
    assert notes[0].text.startswith("length_ratio: ") and "shorter or longer" in notes[0].text


def test_import_credits_only_a_registered_reviewer(data, tmp_path):
    xlf, _ = exported_ru(data, tmp_path)
    before = RecordLog(data).path.read_bytes()
    result = werger("import-xliff", str(xlf), "--data", str(data), "--by", "mallory")
    assert result.exit_code == 1 and "not a reviewer" in result.stderr
    assert RecordLog(data).path.read_bytes() == before


def test_final_state_imported_means_approved_as_export_writes_it(data, tmp_path):
    xlf, tree = exported_ru(data, tmp_path)
    first = tree.find("x:file", NS)
    for segment in first.iter(f"{{{XLIFF_NS}}}segment"):
        segment.set("state", "final")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = werger("import-xliff", str(xlf), "--data", str(data), "--by", "amina")
    assert result.exit_code == 0, result.stderr
    record = russian(data)[0]
    assert record.status == Status.APPROVED and record.review.by == "amina"
    _, again = exported_ru(data, tmp_path)
    states = {s.get("state") for s in again.find("x:file", NS).iter(f"{{{XLIFF_NS}}}segment")}
    assert states == {"final"}


@pytest.mark.parametrize("fmt", ["jsonl", "xliff", "effort"])
def test_a_data_folder_whose_crawl_stored_nothing_exports_no_records(tmp_path, fmt):
    """A first crawl that fetched nothing (site down, or stopped early) leaves a run summary and
    no log: the export is empty, not a traceback."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from crawl_server import Reply, controlled_site

    with controlled_site() as server:
        server.route("/", Reply(status=503))
        site = demo_site_config(server.base)
        options = RunOptions(out_dir=tmp_path, fetcher_options={"retries": 0, "timeout": 5.0})
        summary = run_crawl([site], options, argos_registry(tmp_path / "m"))
    assert not summary.ok and not (tmp_path / "records.jsonl").exists()
    result = werger("export", "--data", str(tmp_path), "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        assert result.output == ""
    elif fmt == "xliff":
        assert etree.fromstring(result.stdout_bytes).findall(".//x:file", NS) == []
