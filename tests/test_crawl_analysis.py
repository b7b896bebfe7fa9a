"""Page analysis: one parse gives links, main text and languages; fetching runs ahead of it."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, controlled_site
from test_crawl_limits import crawl, hub, news, records, site_of

from ingest import pipeline
from ingest.analysis import analyse
from ingest.config import ConfigError, parse_config
from ingest.discover import page_links
from ingest.extract import extract
from ingest.langid import detect, hint_labels
from ingest.pipeline import extract_process_count, usable_cores

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extraction"
XHTML = (
    '<?xml version="1.0" encoding="windows-1251"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Новости</title></head><body>'
    '<ul><li><a href="/news/0">Первая новость</a></li><li><a href="/news/1">Вторая</a></li></ul>'
    "<p>Главные новости региона за неделю.</p></body></html>"
)


def fixture_pages() -> list[tuple[str, str]]:
    entries = json.loads((FIXTURES / "index.json").read_text(encoding="utf-8"))
    return [
        (
            f"https://{e['site']}.example/{e['page']}",
            (FIXTURES / "pages" / f"{e['page']}.html").read_text("utf-8"),
        )
        for e in entries
    ]


@pytest.mark.parametrize("lang", ["en", "ru", "ar", "ckb", "kmr"])
def test_one_parse_gives_what_the_separate_steps_give(lang):
    pages = [(url, html) for url, html in fixture_pages() if f"/{lang}-" in url]
    assert pages
    for url, html in pages:
        found = analyse(html, url, extract_text=True, identify=True, declared=("ru",))
        assert found.links == page_links(html, url)
        assert found.extracted == extract(html, url)
        assert found.extracted is not None and found.extracted.paragraphs
        hints = hint_labels([found.extracted.lang, "ru"])  # what record_from gives detect
        assert found.languages == {p: detect(p, hints) for p in found.extracted.paragraphs}


def test_links_keep_characters_the_extractor_loader_deletes():
    # trafilatura's loader deletes C0 controls before parsing; a browser percent-encodes them.
    html = (
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        '<a href="/news/a\x1bb.html">x</a><p>Some text of the page.</p></body></html>'
    )
    found = analyse(html, "http://partner.example/", extract_text=False)
    assert (
        found.links
        == ["http://partner.example/news/a%1Bb.html"]
        == page_links(html, "http://partner.example/")
    )
    assert found.extracted is None and found.languages == {}


def test_links_of_an_xhtml_page_with_an_xml_declaration_are_found():
    # lxml refuses decoded text that declares an encoding; such pages gave no links at all.
    expected = ["http://a.example/news/0", "http://a.example/news/1"]
    assert page_links(XHTML, "http://a.example/") == expected
    assert analyse(XHTML, "http://a.example/", extract_text=False).links == expected


def test_a_crawl_follows_the_links_of_an_xhtml_start_page(tmp_path):
    with controlled_site() as server:
        server.route("/", Reply(body=XHTML.encode("cp1251"), content_type="application/xhtml+xml"))
        for n in range(2):
            server.route(f"/news/{n}", Reply(body=news(n)))
        summary = crawl([site_of("a", server.base)], tmp_path)
    assert summary.sites[0].records_written == 2
    assert sorted(r["url"] for r in records(tmp_path)) == [f"{server.base}/news/{n}" for n in range(2)]


def slow_analysis(monkeypatch, seconds: float) -> dict:
    """Make every page's analysis take ``seconds`` longer; returns the peak of pages in analysis."""
    real = pipeline.analyse
    state = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def slow(*args, **kwargs):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(seconds)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(pipeline, "analyse", slow)
    return state


def test_fetching_runs_ahead_of_slow_extraction(tmp_path, monkeypatch):
    # Two workers (concurrency 1); a worker that waited for its page's extraction (0.6 s) could
    # fetch the eighth article no sooner than 1.8 s after the first. The delay spaces them 0.05 s.
    slow_analysis(monkeypatch, 0.6)
    paths = [f"/news/{n}" for n in range(8)]
    with controlled_site() as server:
        hub(server, paths)
        crawl([site_of("a", server.base, concurrency=1, delay=0.05)], tmp_path, extract_processes=0)
        times = sorted(r.at for r in server.requests if r.path.startswith("/news/"))
    assert len(times) == 8 and len(records(tmp_path)) == 8
    assert times[-1] - times[0] < 1.2


def test_pages_waiting_for_analysis_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BACKLOG_CHARS", 1)  # any page waiting holds fetching back
    state = slow_analysis(monkeypatch, 0.2)
    with controlled_site() as server:
        hub(server, [f"/news/{n}" for n in range(8)])
        crawl([site_of("a", server.base, concurrency=1)], tmp_path, extract_processes=0)
    assert len(records(tmp_path)) == 8
    assert state["peak"] <= 2  # one page per worker at most, not all eight


def test_auto_uses_a_process_per_core_for_several_sites_and_threads_for_one():
    several = usable_cores() if usable_cores() >= 2 else 0
    assert extract_process_count("auto", 1) == 0
    assert extract_process_count("auto", 3) == several
    assert extract_process_count(2, 1) == min(2, usable_cores()) and extract_process_count(0, 5) == 0


def test_a_worker_count_above_the_cores_is_capped_at_the_cores():
    assert extract_process_count(1000, 3) == usable_cores()


def test_extract_processes_is_auto_or_a_whole_number():
    site = '[sites.a]\nstart_urls = ["https://a.example/"]\n'
    assert parse_config(site).crawler.extract_processes == "auto"
    assert parse_config('[crawler]\nextract_processes = "auto"\n' + site).crawler.extract_processes == "auto"
    assert parse_config("[crawler]\nextract_processes = 3\n" + site).crawler.extract_processes == 3
    for bad in ('"3"', "-1", "true", '"many"'):
        with pytest.raises(ConfigError, match='extract_processes must be "auto" or a whole number'):
            parse_config(f"[crawler]\nextract_processes = {bad}\n" + site)
