"""What the index needs from one log line, read without parsing its paragraphs.

A line is a few hundred bytes of fields and many kilobytes of ``segments``. The index needs the
fields (id, revision, status, site, languages, dates, crawl validators), the QA flags and whether a
person edited a paragraph, so it parses the part before ``"segments"`` and the part after it as
small JSON objects and finds flags and edits by their keys. That makes a full rebuild of a
million-line log a matter of seconds per hundred thousand lines instead of minutes.

Why splitting at the keys is safe: inside a JSON string every ``"`` is escaped as ``\\"``, so the
bytes ``,"segments":[`` and ``],"status":"`` (a quote after a comma) can only be the record's own
keys, and ``Record.to_json_line`` writes keys in declaration order with nothing after ``status``
that holds a list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from store.record import Status

_SEGMENTS = b',"segments":['
_AFTER_SEGMENTS = b'],"status":"'
_FLAGS = re.compile(rb'"qa_flags":\[("[^\]]*)\]')
_EDITED = b'"edited_by":"'
_SOME_FLAG = b'"qa_flags":["'  # most lines have none: a plain search is far cheaper than the regex
_ID = re.compile(r"^[0-9a-f]{32}$")
_STATUSES = frozenset(s.value for s in Status)
_loads = json.JSONDecoder().decode


@dataclass(frozen=True, slots=True)
class LineSummary:
    """The indexed fields of one revision (one log line); dates are ISO 8601 strings as written."""

    id: str
    revision: int
    revised_at: str
    url: str
    site: str
    fetched_at: str
    title: str | None
    content_hash: str
    source_lang: str
    target_lang: str
    status: str
    removed_at: str | None
    fetch_status: int | None
    etag: str | None
    last_modified: str | None
    flags: tuple[str, ...]
    edited: bool
    conflicts: int = 0


def summarize(raw: bytes) -> LineSummary | None:
    """The summary of one complete line, or None when it is not a werger record line."""
    start = raw.find(_SEGMENTS)
    end = raw.rfind(_AFTER_SEGMENTS)
    if start < 0 or end < start:
        return None
    try:
        head = _loads(raw[:start].decode("utf-8") + "}")
        tail = _loads("{" + raw[end + 2 :].decode("utf-8"))
        found = _FLAGS.findall(raw, start, end) if raw.find(_SOME_FLAG, start, end) >= 0 else ()
        flags = sorted({f for x in found for f in _loads("[" + x.decode("utf-8") + "]")}) if found else ()
        provenance = tail.get("provenance") or {}
        summary = LineSummary(
            id=head["id"],
            revision=head["revision"],
            revised_at=head["revised_at"],
            url=head["url"],
            site=head["site"],
            fetched_at=head["fetched_at"],
            title=head.get("title"),
            content_hash=head["content_hash"],
            source_lang=head["source_lang"],
            target_lang=head["target_lang"],
            status=tail["status"],
            removed_at=tail.get("removed_at"),
            fetch_status=provenance.get("fetch_status"),
            etag=provenance.get("etag"),
            last_modified=provenance.get("last_modified"),
            flags=tuple(flags),
            edited=raw.find(_EDITED, start, end) >= 0,
            conflicts=len(tail.get("conflicts") or ()),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if head.get("schema") != "werger.record/1" or not _ID.match(str(summary.id)):
        return None
    if not isinstance(summary.revision, int) or summary.revision < 1 or summary.status not in _STATUSES:
        return None
    return summary


# Letters editors type for one another, folded alike in the search table and in queries: Russian
# yo as ye (most Russian text and keyboards write ye); Arabic alef with hamza or madda as bare alef,
# alef maksura and Arabic yeh as Farsi yeh, Arabic kaf as keheh (Sorani is written with both sets,
# keyboards give one), teh marbuta as heh; harakat and tatweel dropped. The Arabic rules are Lucene's
# ArabicNormalizer and SoraniNormalizer; SQLite's unicode61 folds case but not these.
_SEARCH_FOLDING = str.maketrans(
    {
        "\u0451": "\u0435", "\u0401": "\u0415",  # yo, ye
        "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
        "\u0649": "\u06cc", "\u064a": "\u06cc", "\u0643": "\u06a9", "\u0629": "\u0647",
        "\u0640": None, "\u0670": None,
        **{chr(mark): None for mark in range(0x064B, 0x0660)},
    }
)
SEARCH_FOLDING_VERSION = "1"  # stored in the index: a search table folded otherwise is made again


def fold_for_search(text: str) -> str:
    """``text`` with the letters of ``_SEARCH_FOLDING`` folded; the length may shrink."""
    return text.translate(_SEARCH_FOLDING)


def search_fields(raw: bytes) -> tuple[str, str] | None:
    """(title, text) the queue's full-text search looks in: the URL, every paragraph and its
    translation. None when the line is not a record."""
    try:
        line = _loads(raw.decode("utf-8"))
        parts = [line["url"]]
        for segment in line["segments"]:
            parts.append(segment["source"])
            if segment.get("target"):
                parts.append(segment["target"])
    except (ValueError, KeyError, TypeError):
        return None
    return fold_for_search(line.get("title") or ""), fold_for_search("\n".join(parts))
