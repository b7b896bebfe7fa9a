"""Imported once by the fork server that starts extraction worker processes: it warms them up.

A fresh Python process pays about 3 s of CPU before its first page is extracted at full speed:
importing trafilatura, loading werger's language profiles, and dateparser compiling its
patterns for some 200 locales on the first date string it sees (about 2 s, measured with
``htmldate.extractors._external_date``). Workers forked from a server that imported this module
start with all of that done, so a run pays it once, as a run with extraction in threads does,
not once per worker. Importing this module runs the warm-up; nothing else imports it.
"""

import signal

# A terminal's Ctrl-C reaches the whole foreground group, this process too, and most likely
# during the seconds of this warm-up: the crawl handles it and stops the workers itself.
signal.signal(signal.SIGINT, signal.SIG_IGN)

from ingest.analysis import analyse  # noqa: E402  (after SIGINT is ignored: the import is the slow part)
from ingest.langid import preload  # noqa: E402
from ingest.logs import route_page_warnings  # noqa: E402


def warm_up() -> None:
    """Extract a small dated page with language identification, as a worker would."""
    route_page_warnings()  # workers inherit it; each also routes them itself (``worker_started``)
    page = (
        "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
        "<p>Posted on 12 March 2011 by the editors of a partner site.</p>"
        "<p>The water network reached the villages north of the city after two years of work.</p>"
        "</article></body></html>"
    )
    analyse(page, "http://localhost/2011/03/12/warm-up", True, True)
    # Every script's profiles, word tables and lexicon (about 2 s): loaded here they are shared
    # by every worker; loaded on demand, each worker paid them again on its first Russian or
    # Arabic page (a worker's first 20 real news pages took twice the CPU of the rest).
    preload()
    from htmldate.extractors import _external_date

    _external_date("Posted on 12 March 2011")  # dateparser's locales: the costly first call


warm_up()
