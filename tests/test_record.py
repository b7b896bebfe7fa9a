"""The record type and its shipped JSON Schema."""

import json

import jsonschema
import pytest
from pydantic import ValidationError

from store.record import Provenance, Record, Segment, Status, json_schema, load_schema, record_id, utc_now


def make_record(**overrides) -> Record:
    fields = dict(
        id=record_id("https://example.org/a"),
        revision=1,
        revised_at=utc_now(),
        url="https://example.org/a",
        canonical_url="https://example.org/a",
        site="example",
        fetched_at=utc_now(),
        content_hash="0" * 64,
        source_lang="ru",
        source_lang_confidence=0.99,
        target_lang="en",
        segments=[Segment(index=0, lang="ru", lang_confidence=1.0, source="Привет.")],
        status=Status.UNTRANSLATED,
        status_reason="no model",
        provenance=Provenance(
            fetch_status=200,
            extractor="trafilatura",
            extractor_version="2",
            langid_method="x",
            pipeline_version="0.1.0",
        ),
    )
    fields.update(overrides)
    return Record(**fields)


def test_shipped_schema_matches_the_record_type():
    assert load_schema() == json.loads(json.dumps(json_schema())), "run: python -m store.record"


def test_a_serialised_record_validates_against_the_schema():
    line = make_record().to_json_line()
    jsonschema.validate(json.loads(line), load_schema(), format_checker=jsonschema.FormatChecker())
    assert json.loads(line)["schema"] == "werger.record/1"


def test_a_record_survives_a_round_trip_through_json():
    record = make_record()
    assert Record.from_json_line(record.to_json_line()) == record


def test_schema_rejects_an_unknown_status():
    line = json.loads(make_record().to_json_line())
    line["status"] = "done"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(line, load_schema())


def test_record_rejects_unknown_fields():
    with pytest.raises(ValidationError):
        make_record(colour="blue")


def test_record_id_is_stable_and_depends_only_on_the_url():
    assert record_id("https://a.org/x") == record_id("https://a.org/x")
    assert record_id("https://a.org/x") != record_id("https://a.org/y")
