"""Log lines for cron, systemd and log shippers: plain text or one JSON object per line.

Everything werger logs goes through the ``werger`` logger (``logging`` from the standard library),
so a program embedding werger can route it with its own handlers. ``configure`` is what the
command line uses: ``--log-level`` picks the threshold (debug shows every URL's outcome, info the
progress of each site, warning only failures) and ``--log-format json`` writes one object per line
with ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and the event's own fields
(``site``, ``url``, ``outcome``, ``counts``, ...), which journald, Vector, Fluent Bit or Loki read
without a parsing rule.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

LOGGER = "werger"
LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")
# Attributes every LogRecord has; anything else was passed in ``extra`` and belongs to the event.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


# Control characters (terminal escape sequences, newlines) and bidirectional overrides in a URL
# from a crawled page must not reach the terminal, split a log line or reorder what is shown.
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_BUT_LINES = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def printable(text: object, *, keep_lines: bool = False) -> str:
    """``text`` with control characters and bidirectional overrides replaced by U+FFFD: safe for a
    terminal, and one line long unless ``keep_lines`` keeps tabs and newlines (for multi-line text
    such as a table cell).

    Rich strips only a few control codes; ESC sequences would pass through to the terminal.
    """
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub("\ufffd", str(text))


class TextFormatter(logging.Formatter):
    """``werger: message`` for info and below, ``werger: warning: message`` above; one line each."""

    def format(self, record: logging.LogRecord) -> str:
        message = printable(record.getMessage())
        if record.levelno >= logging.WARNING:
            return f"werger: {record.levelname.lower()}: {message}"
        return f"werger: {message}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a message never spans lines, whatever a crawled page held."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        event.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


def configure(level: str = "info", fmt: str = "text", stream: TextIO | None = None) -> logging.Logger:
    """Send the ``werger`` logger's records at ``level`` and above to ``stream`` (stderr) in ``fmt``.

    Replaces the handler a previous call installed, so it may be called once per command. Raises
    ValueError for a level or format not in ``LEVELS`` / ``FORMATS``.
    """
    if level not in LEVELS or fmt not in FORMATS:
        raise ValueError(f"log level must be one of {LEVELS} and format one of {FORMATS}")
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if getattr(h, "_werger", False)]:
        logger.removeHandler(handler)
    handler = _StderrHandler(stream)
    handler._werger = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    logger.werger_format = fmt  # type: ignore[attr-defined]
    route_page_warnings()
    return logger


def current_format() -> str:
    """The format ``configure`` installed last ("text" when it was never called)."""
    return getattr(logging.getLogger(LOGGER), "werger_format", "text")


def current_settings() -> tuple[str, str] | None:
    """``(level, format)`` that ``configure`` installed last, or None when it was never called
    (werger embedded in a program that routes the ``werger`` logger itself)."""
    logger = logging.getLogger(LOGGER)
    if not hasattr(logger, "werger_format"):
        return None
    return logging.getLevelName(logger.level).lower(), logger.werger_format


class _StderrHandler(logging.StreamHandler):
    """Writes to the stream given, else to whatever ``sys.stderr`` is at the time of each record
    (test runners swap it)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr
        super().emit(record)


# Libraries that parse what a crawled page holds. A warning raised inside them is about a page
# (dateutil's ``UnknownTimezoneWarning`` for "EST" in a date line, seen through htmldate in
# trafilatura's metadata), not about werger or the machine: the operator can do nothing with it,
# and printed raw it fills a cron mail with one line per odd page.
PAGE_LIBRARIES = (
    "bs4",
    "charset_normalizer",
    "courlan",
    "dateparser",
    "dateutil",
    "htmldate",
    "justext",
    "langdetect",
    "lxml",
    "trafilatura",
)
PAGE_WARNINGS_LOGGER = f"{LOGGER}.extract"


def route_page_warnings() -> None:
    """Log warnings raised inside ``PAGE_LIBRARIES`` at debug level on ``werger.extract`` instead
    of printing them raw on stderr; every other warning is shown as before.

    Wraps ``warnings.showwarning`` of this process (once; calling again does nothing), so it
    covers extraction in threads, and each extraction worker process calls it when it starts.
    The ``warnings`` filters still decide which warnings are shown at all (by default each
    message once per place). A line logged carries ``category`` and the library's ``origin``.
    """
    if getattr(warnings.showwarning, "_werger", False):
        return
    roots = tuple(_package_roots(PAGE_LIBRARIES))
    shown = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        origin = next((name for name, root in roots if str(filename).startswith(root)), None)
        if origin is None:
            shown(message, category, filename, lineno, file, line)
            return
        logging.getLogger(PAGE_WARNINGS_LOGGER).debug(
            "%s from %s: %s",
            category.__name__,
            origin,
            message,
            extra={"category": category.__name__, "origin": origin},
        )

    showwarning._werger = True  # type: ignore[attr-defined]
    warnings.showwarning = showwarning


def _package_roots(names: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """``(name, folder + separator)`` of each installed package in ``names`` (not imported here)."""
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            yield name, os.path.join(os.path.realpath(folder), "")
            if os.path.realpath(folder) != folder:
                yield name, os.path.join(folder, "")
