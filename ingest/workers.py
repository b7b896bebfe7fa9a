"""How an extraction worker process lives and ends with the crawl that started it.

A worker is forked from a fork server, not from the crawl process, and holds both ends of its
task queue, so nothing tells it when the crawl is gone: after ``kill -9`` of the crawl (or the
OOM killer) workers and the fork server would stay for good, holding the crawl's stdout open
so that cron, a pipe or ``subprocess.communicate`` waiting for its end waits forever. Each
worker therefore watches the crawl process and exits when it ends. A terminal's Ctrl-C reaches
every process of the foreground group: workers ignore it, and the crawl stops them itself after
storing what they extracted.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time

from ingest.logs import configure, route_page_warnings

POLL_SECONDS = 1.0  # how often the crawl is looked for where the system has no process handles


def worker_started(crawl_pid: int, log_settings: tuple[str, str] | None = None) -> None:
    """Initializer of each extraction worker: ignore SIGINT, exit when ``crawl_pid`` ends, log as
    the crawl does (``log_settings``: its ``ingest.logs.current_settings``) and send warnings
    from page content to that log at debug level instead of raw to the crawl's stderr."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_settings is not None:
        configure(*log_settings)  # also routes page warnings
    route_page_warnings()
    threading.Thread(target=_exit_with, args=(crawl_pid,), name="watch-crawl", daemon=True).start()


def extractor_ready() -> None:
    """The first task of each worker, submitted with the run's start: warm (imports ``ingest.warm``).

    It lives here, not in ``ingest.pipeline``: a task's function is imported by the worker that
    runs it, and the pipeline's imports (pydantic, the store, the translation stack) cost each
    worker about 0.7 s of CPU that extraction never needs.
    """
    import ingest.warm  # noqa: F401  (warm already where the worker was forked from a warm server)


def _exit_with(crawl_pid: int) -> None:
    """Block until process ``crawl_pid`` has ended, then end this process at once."""
    try:
        handle = os.pidfd_open(crawl_pid)  # Linux 5.3+: readable once the process ends
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        poller = select.poll()
        poller.register(handle, select.POLLIN)
        poller.poll()
    else:
        while _alive(crawl_pid):
            time.sleep(POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
