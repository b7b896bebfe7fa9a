"""XLIFF 2.0 out and back in, so editors can also work in CAT tools (OmegaT, Weblate, ...).

One ``<file>`` per record, one ``<unit id="title">`` for the title when it has a title segment,
and one ``<unit>`` per paragraph. The record id and the revision the
file was made from travel in the metadata module, so an import appends a new revision only when the
record has not moved on meanwhile (checked under the log's write lock); otherwise it is reported as
a conflict and nothing is written for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from store.errors import XliffError
from store.log import RecordLog
from store.record import Record, Status
from store.revise import edited

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
NSMAP = {None: XLIFF_NS, "mda": MDA_NS}
X = f"{{{XLIFF_NS}}}"
M = f"{{{MDA_NS}}}"
STATES = {
    Status.MACHINE: "translated",
    Status.NEEDS_REVIEW: "translated",
    Status.REVIEWED: "reviewed",
    Status.APPROVED: "final",
}


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
    units = [("title", "title", record.title_segment)] if record.title_segment else []
    units += [(f"p{s.index}", f"s{s.index}", s) for s in record.segments]
    for unit_id, segment_id, segment in units:
        unit = etree.SubElement(element, X + "unit", id=unit_id)
        attrs = {"state": STATES.get(record.status, "initial")} if segment.target else {}
        seg = etree.SubElement(unit, X + "segment", id=segment_id, **attrs)
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
    """Append a revision for every record whose targets changed in the XLIFF file.

    One ``RecordLog.revise`` for the whole file: each record is checked against its latest
    revision under the log's write lock, so an edit saved in the review app after the export is
    reported as a conflict, never overwritten.
    """
    report = ImportReport()
    units = list(_read(path))
    if not units:
        return report
    ids = {unit[0] for unit in units}
    known = log.lookup.latest_of(ids) if log.lookup is not None else log.latest_of(ids)
    missing = [unit[0] for unit in units if unit[0] not in known]
    if missing:
        raise XliffError(f"{path}: record {missing[0]} is not in {log.path}; was it exported from there?")

    def builder(record_id: str, base: int, targets: dict[int, str], title: str | None):
        def build(latest: Record | None) -> Record | None:
            if latest is None or latest.revision != base:
                report.conflicts.append(record_id)
                return None
            revision = edited(latest, targets, by, title=title)
            if revision is None:
                report.unchanged.append(record_id)
                return None
            report.updated.append(record_id)
            return revision

        return build

    log.revise({unit[0]: builder(*unit) for unit in units})
    return report


def _read(path: Path) -> Iterable[tuple[str, int, dict[int, str], str | None]]:
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
        for seg in element.iter(X + "segment"):
            target = seg.find(X + "target")
            seg_id = seg.get("id", "")
            if target is not None and seg_id == "title":
                title = "".join(target.itertext())
            elif target is not None and seg_id[1:].isdigit():
                targets[int(seg_id[1:])] = "".join(target.itertext())
        yield meta["record-id"], int(meta["revision"]), targets, title
