"""Turning page bytes into text when sites declare their charset wrongly or not at all.

Partner sites still serve windows-1251 Russian and windows-1256 Arabic, often with a header that
says ISO-8859-1 or nothing. Single-byte charsets decode any bytes without error, so a declaration
is only trusted when its text reads cleanly (charset_normalizer's mess ratio); otherwise the
detector's choice wins.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CLEAN_ENOUGH = 0.02
_SAMPLE_CHARS = 50_000


def decode_body(body: bytes, declared: str | None) -> str:
    """Decode by BOM, then strict UTF-8, then a declaration that reads cleanly, else detection."""
    text = decode_unicode(body)
    if text is not None:
        return text
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    for candidate in (declared, meta_charset(body)):
        text = _try_decode(body, candidate)
        if text is not None and mess_ratio(text[:_SAMPLE_CHARS], 1.0) <= _CLEAN_ENOUGH:
            return text
    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def decode_unicode(body: bytes) -> str | None:
    """The first steps of ``decode_body``, the cheap ones (a BOM, strict UTF-8); None when the body
    needs the rest (a declaration read against the text, detection: milliseconds of CPU per page)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def meta_charset(body: bytes) -> str | None:
    """The charset a page declares in its own ``<meta>``, if any."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def _try_decode(body: bytes, charset: str | None) -> str | None:
    if not charset or charset.lower().replace("_", "-") in ("utf-8", "utf8"):
        return None
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None
