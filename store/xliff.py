"""XLIFF 2.0 out and back in, so editors can also work in CAT tools (OmegaT, Weblate, ...).

One ``<file>`` per record, one ``<unit id="title">`` for the title when it has a title segment,
and one ``<unit>`` per paragraph. The record id and the revision the
file was made from travel in the metadata module, so an import appends a new revision only when the
record has not moved on meanwhile (checked under the log's write lock); otherwise it is reported as
a conflict and nothing is written for it.

Unit and segment ids carry the record id, so they are unique in the whole document: tools that
flatten ``<file>`` elements (translate-toolkit, and through it Weblate) see no duplicates. The title
is a unit of its own (``u<record>-title``). A paragraph in another language than the file's source
carries ``xml:lang``; QA flags travel as ``<note>``s. The states map both ways: ``final`` is an
approved record, ``reviewed`` a reviewed one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from store.errors import XliffError
from store.log import RecordLog
from store.qa_flags import meaning
from store.record import Record, Status
from store.revise import decided, edited
from store.users import Users

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
NSMAP = {None: XLIFF_NS, "mda": MDA_NS}
X = f"{{{XLIFF_NS}}}"
M = f"{{{MDA_NS}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATES = {
    Status.MACHINE: "translated",
    Status.NEEDS_REVIEW: "translated",
    Status.REVIEWED: "reviewed",
    Status.APPROVED: "final",
}
IMPORTED_STATUS = {"final": Status.APPROVED, "reviewed": Status.REVIEWED}


def to_xliff(records: Iterable[Record]) -> bytes:
    """An XLIFF 2.0 document; all records must share one source and one target language."""
    records = list(records)
    pairs = {(r.source_lang, r.target_lang) for r in records}
    if len(pairs) > 1:
        listed = ", ".join(sorted(f"{s}->{t}" for s, t in pairs))
        raise XliffError(f"an XLIFF file holds one language pair, these records have {listed}; pass --lang")
    source, target = pairs.pop() if pairs else ("und", "en")
    root = etree.Element(X + "xliff", nsmap=NSMAP, version="2.0", srcLang=source, trgLang=target)
    for record in records:
        root.append(_file(record))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _file(record: Record) -> etree._Element:
    element = etree.Element(X + "file", id=f"r{record.id}", original=record.url)
    group = etree.SubElement(etree.SubElement(element, M + "metadata"), M + "metaGroup", category="werger")
    for kind, value in (
        ("record-id", record.id),
        ("revision", str(record.revision)),
        ("title", record.title),
    ):
        if value:
            etree.SubElement(group, M + "meta", type=kind).text = value
    units = [("title", record.title_segment)] if record.title_segment else []
    units += [(str(s.index), s) for s in record.segments]
    for key, segment in units:
        unit = etree.SubElement(element, X + "unit", id=f"u{record.id}-{key}")
        if segment.lang != record.source_lang:
            unit.set(XML_LANG, segment.lang)
        if segment.qa_flags:
            notes = etree.SubElement(unit, X + "notes")
            for flag in segment.qa_flags:
                explained = meaning(flag)
                note = etree.SubElement(notes, X + "note", category="werger-qa", id=f"qa-{flag}")
                note.text = f"{explained.code}: {explained.explanation}"
        attrs = {"state": STATES.get(record.status, "initial")} if segment.target else {}
        seg = etree.SubElement(unit, X + "segment", id=f"s{record.id}-{key}", **attrs)
        etree.SubElement(seg, X + "source").text = segment.source
        if segment.target is not None:
            etree.SubElement(seg, X + "target").text = segment.target
    return element


@dataclass
class ImportReport:
    """What an import did with each record in the file."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def import_xliff(path: Path, log: RecordLog, by: str) -> ImportReport:
    """Append a revision for every record whose targets, title or state changed in the XLIFF file.

    One ``RecordLog.revise`` for the whole file: each record is checked against its latest
    revision under the log's write lock, so an edit saved in the review app after the export is
    reported as a conflict, never overwritten. ``by`` must be a reviewer of the data folder
    (``werger users add``): imported revisions are credited to a person who can be asked about
    them. A record whose translated segments are all ``final`` becomes approved, all ``reviewed``
    reviewed; otherwise edits make it reviewed.

    Raises XliffError for an unknown reviewer, an unreadable file, or records of another folder.
    """
    if by not in Users(log.directory).names():
        raise XliffError(
            f"--by {by!r} is not a reviewer of {log.directory}; add one with werger users add {by}"
        )
    report = ImportReport()
    units = list(_read(path))
    if not units:
        return report
    ids = {unit.record_id for unit in units}
    known = log.lookup.latest_of(ids) if log.lookup is not None else log.latest_of(ids)
    missing = [unit.record_id for unit in units if unit.record_id not in known]
    if missing:
        raise XliffError(f"{path}: record {missing[0]} is not in {log.path}; was it exported from there?")

    def builder(unit: ImportedFile):
        def build(latest: Record | None) -> Record | None:
            if latest is None or latest.revision != unit.base:
                report.conflicts.append(unit.record_id)
                return None
            status = IMPORTED_STATUS.get(unit.state or "", Status.REVIEWED)
            revision = edited(latest, unit.targets, by, status=status, title=unit.title)
            if revision is None and unit.state in IMPORTED_STATUS and latest.status != status:
                revision = decided(latest, status, by)
            if revision is None:
                report.unchanged.append(unit.record_id)
                return None
            report.updated.append(unit.record_id)
            return revision

        return build

    log.revise({unit.record_id: builder(unit) for unit in units})
    return report


@dataclass(frozen=True)
class ImportedFile:
    """One ``<file>`` read back: the record, the revision it was made from, targets by paragraph
    index, the title's target, and the state all translated segments share (None when they
    differ or none is set)."""

    record_id: str
    base: int
    targets: dict[int, str]
    title: str | None
    state: str | None


def _read(path: Path) -> Iterable[ImportedFile]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise XliffError(f"cannot read {path} as XML: {exc}") from exc
    if root.tag != X + "xliff" or not root.get("version", "").startswith("2."):
        raise XliffError(f"{path} is not an XLIFF 2 file (root {root.tag!r}); export one with werger export")
    for element in root.iter(X + "file"):
        meta = {m.get("type"): (m.text or "") for m in element.iter(M + "meta")}
        if "record-id" not in meta or not meta.get("revision", "").isdigit():
            raise XliffError(f"{path}: <file id={element.get('id')!r}> lacks werger's record-id/revision")
        targets: dict[int, str] = {}
        title = None
        states: set[str | None] = set()
        for seg in element.iter(X + "segment"):
            target = seg.find(X + "target")
            if target is None:
                continue
            key = _segment_key(seg.get("id", ""))
            if key == "title":
                title = "".join(target.itertext())
            elif key is not None:
                targets[key] = "".join(target.itertext())
            else:
                continue
            states.add(seg.get("state"))
        state = states.pop() if len(states) == 1 else None
        yield ImportedFile(meta["record-id"], int(meta["revision"]), targets, title, state)


def _segment_key(segment_id: str) -> int | str | None:
    """The paragraph index, or "title", of ``s<record>-<key>`` (or the older ``s<index>``/``title``)."""
    tail = segment_id.rsplit("-", 1)[-1]
    if tail == "title":
        return "title"
    tail = tail.removeprefix("s")
    return int(tail) if tail.isdigit() else None
