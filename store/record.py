"""The Record: one revision of one crawled page, paragraph-aligned with its translation.

Everything downstream (the review app, exports, other programs) reads these lines, so the type is
declared once here and the JSON Schema in ``record.schema.json`` is generated from it
(``python -m store.record``); a test keeps the two in step.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "werger.record/1"
SCHEMA_PATH = Path(__file__).with_name("record.schema.json")


class Status(StrEnum):
    """Where a record stands; the review app moves records between these."""

    MACHINE = "machine"
    NEEDS_REVIEW = "needs_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    UNTRANSLATED = "untranslated"
    NOT_NEEDED = "not_needed"


class EngineRef(BaseModel):
    """Which model produced a translation, so an upgrade can redo exactly its output."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: str


class Segment(BaseModel):
    """One paragraph of the page and its translation."""

    model_config = ConfigDict(extra="forbid")
    index: int = Field(ge=0)
    lang: str = Field(description="BCP-47-like code of this paragraph (en, ru, ar, ckb, kmr) or 'und'.")
    lang_confidence: float = Field(ge=0.0, le=1.0)
    source: str
    target: str | None = Field(
        default=None,
        description="Translation into the record's target_lang. null means not translated (no model, "
        "language undetermined or outside the site's languages, or already in the target language); "
        "only a paragraph whose lang equals target_lang may stand in with its source.",
    )
    engine: EngineRef | None = None
    qa_flags: list[str] = Field(default_factory=list)
    edited_by: str | None = None
    machine_target: str | None = Field(
        default=None,
        description="The engine's output, kept when an editor replaces the target, to measure post-editing.",
    )


class Review(BaseModel):
    """The last human decision on the record."""

    model_config = ConfigDict(extra="forbid")
    by: str
    at: datetime
    note: str | None = None


class EditConflict(BaseModel):
    """An editor's translation that a new crawl revision could not keep: its paragraph's source
    text changed on the site. Kept on the record, and shown in the review app, until an editor
    saves the record again."""

    model_config = ConfigDict(extra="forbid")
    revision: int = Field(ge=1, description="The revision that held the edit.")
    index: int = Field(ge=0, description="Index of the paragraph in that revision.")
    lang: str
    source: str = Field(description="The paragraph as the editor translated it.")
    target: str = Field(description="The editor's translation of that paragraph.")
    edited_by: str


class Provenance(BaseModel):
    """How the record came to be, for audits and for re-running a stage."""

    model_config = ConfigDict(extra="forbid")
    fetch_status: int
    etag: str | None = None
    last_modified: str | None = None
    extractor: str
    extractor_version: str
    langid_method: str
    pipeline_version: str


class Record(BaseModel):
    """One JSONL line: one revision of one page.

    Reading rules: the line with the highest revision per id is the record's current state; the
    latest approved state is, per id, the highest revision whose status is approved. ``werger
    export`` gives one line per record: the latest revision, or with ``--status approved`` the
    latest *approved* revision (so downstream keeps the last approved text while a newer revision
    awaits review; ``newer_revision`` then says so). A line that does not end in a newline is being
    written (or was torn by a crash): skip it and read it on the next pass. ``removed_at`` set means
    the site stopped serving the page at that time.
    """

    model_config = ConfigDict(extra="forbid")
    schema_: str = Field(default=SCHEMA_ID, alias="schema", pattern=r"^werger\.record/1$")
    id: str = Field(pattern=r"^[0-9a-f]{32}$")
    revision: int = Field(
        ge=1, description="1, 2, 3... per id; the highest revision of an id is its current state."
    )
    revised_at: datetime
    url: str
    canonical_url: str
    site: str
    fetched_at: datetime
    published: str | None = None
    title: str | None = None
    title_segment: Segment | None = Field(
        default=None,
        description="The title as a segment of its own (source: the title), translated, flagged and "
        "edited like a paragraph; null until the record is translated or when it has no title.",
    )
    author: str | None = None
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    source_lang: str
    source_lang_confidence: float = Field(ge=0.0, le=1.0)
    target_lang: str
    segments: list[Segment]
    status: Status
    status_reason: str | None = Field(
        default=None, description="Why the record is untranslated or flagged, in words a user can act on."
    )
    review: Review | None = None
    removed_at: datetime | None = Field(
        default=None,
        description="When the site stopped serving the page (HTTP 404/410); its text and translations "
        "are kept. Null while the page is served; a later revision without it means the page came back.",
    )
    conflicts: list[EditConflict] = Field(
        default_factory=list,
        description="Editors' translations a recrawl could not carry into this revision because "
        "their paragraph changed on the site; nothing an editor saved is dropped silently.",
    )
    provenance: Provenance
    newer_revision: int | None = Field(
        default=None,
        description="Only in `werger export --status approved` output, never in the log: that export "
        "gives each record's latest approved revision, and when the record has a newer revision that "
        "is not approved (the page changed, or an editor is still working on it) this is that newer "
        "revision's number. Absent when the exported revision is the latest.",
    )

    def translatable_segments(self) -> list[Segment]:
        """The title segment (when there is one) and then the paragraphs: all that QA and status see."""
        return [self.title_segment, *self.segments] if self.title_segment else list(self.segments)

    def to_json_line(self) -> str:
        """Serialise as one compact line (no newline), keys in declaration order.

        ``newer_revision`` appears only when set (exports), so log lines never carry it.
        """
        exclude = {"newer_revision"} if self.newer_revision is None else None
        return self.model_dump_json(by_alias=True, exclude=exclude)

    @classmethod
    def from_json_line(cls, line: str) -> Record:
        return cls.model_validate_json(line)


def record_id(canonical_url: str) -> str:
    """Stable id: the same page keeps its id across crawls and revisions."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def content_hash(paragraphs: list[str]) -> str:
    """Hash of the clean text, so an unchanged page makes no new revision."""
    return hashlib.sha256("\n".join(paragraphs).encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def json_schema() -> dict:
    """The JSON Schema of one log line, as shipped in record.schema.json."""
    schema = Record.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    return schema


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


if __name__ == "__main__":
    SCHEMA_PATH.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
