"""One crawl at a time per output folder, so overlapping cron or timer runs never interleave.

The lock is an OS file lock (released by the kernel if the process dies, so a crash never leaves
a stale lock behind); a small note beside it says who holds it, for the message the second run
prints.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.errors import OutputFolderError, RunLockedError

LOCK_NAME = "crawl.lock"


class RunLock:
    """Held for a whole run; entering raises RunLockedError at once when another run holds it."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.note = self.directory / (LOCK_NAME + ".holder")
        self._lock = FileLock(str(self.directory / LOCK_NAME), timeout=0)

    def __enter__(self) -> RunLock:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise RunLockedError(
                f"another werger crawl is writing to {self.directory} ({self._holder()}); this run "
                "exits without touching it. If runs overlap routinely, space the timer further apart "
                "or lower max_run_time in the [crawler] table"
            ) from None
        except OSError as exc:  # after Timeout, itself an OSError: a file in the way, no permission
            raise OutputFolderError(
                f"cannot use {self.directory} as the output folder: {exc.strerror or exc}"
            ) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        self.note.write_text(f"pid {os.getpid()} since {started}\n", encoding="utf-8")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.note.unlink(missing_ok=True)
        self._lock.release()

    def _holder(self) -> str:
        try:
            return self.note.read_text(encoding="utf-8").strip()
        except OSError:
            return "holder unknown"


def running(directory: Path) -> str | None:
    """Who holds ``directory``'s run lock (``pid N since T``), or None when no crawl runs there.

    Read from the note beside the lock, without taking the lock (a crawl starting that moment
    must not find it held); a note left by a crawl that was killed names a process that is gone.
    """
    try:
        note = (Path(directory) / (LOCK_NAME + ".holder")).read_text(encoding="utf-8").strip()
        pid = int(note.split()[1])
    except (OSError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # another user's process: it exists
    return note
