"""Site template lines learned in one crawl clean every page of it, and the next crawl too."""

import json

from ingest.cleaning import TEMPLATE_LINES_NAME, SiteCleaners
from ingest.config import site_from_dict
from ingest.demo import serve_directory
from ingest.pipeline import RunOptions, run_crawl
from store.log import RecordLog
from translate.engine import EngineRegistry

SLOGAN = "Our Skill Your Growth"
STORIES = [
    "The water network reached the villages north of the city after two years of repairs.",
    "Teachers returned to the rebuilt primary school as the first pupils enrolled this week.",
    "Journalists from four provinces finished a course on digital safety and verification.",
    "Flood relief reached four hundred families in the valley before the roads closed again.",
]


def write_site(root, stories):
    links = "".join(f'<li><a href="/news/{n}.html">Story {n}</a></li>' for n in range(len(stories)))
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", encoding="utf-8")
    (root / "news").mkdir(exist_ok=True)
    for n, story in enumerate(stories):
        body = (
            f"<p>{SLOGAN}</p><h1>Story number {n}</h1><p>{story} Officials said more work is planned "
            f"for the coming months across the region.</p><p>Residents welcomed the news and asked "
            f"for regular updates from the authorities on item {n}.</p>"
        )
        head = f"<head><title>Story {n}</title></head>"
        page = f"<html lang='en'>{head}<body><article>{body}</article></body></html>"
        (root / "news" / f"{n}.html").write_text(page, encoding="utf-8")


def crawl(base_url, out):
    site = site_from_dict(
        "slogans",
        {"start_urls": [f"{base_url}/"], "allow": ["/news/"], "delay": 0, "allow_private": True},
    )
    return run_crawl([site], RunOptions(out_dir=out, batch_documents=100), EngineRegistry())


def test_records_in_a_batch_lose_lines_the_batch_revealed_as_template(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    write_site(site, STORIES)
    with serve_directory(site) as base_url:
        crawl(base_url, tmp_path / "out")
    records = RecordLog(tmp_path / "out").latest().values()
    assert len(records) == len(STORIES)
    for record in records:
        assert SLOGAN not in [s.source for s in record.segments], [
            (r.url, r.revision, [s.source[:12] for s in r.segments]) for r in records
        ]
        assert [s.index for s in record.segments] == list(range(len(record.segments)))


def test_learned_lines_are_saved_and_clean_the_first_page_of_the_next_crawl(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    write_site(site, STORIES)
    out = tmp_path / "out"
    with serve_directory(site) as base_url:
        crawl(base_url, out)
    saved = json.loads((out / TEMPLATE_LINES_NAME).read_text(encoding="utf-8"))
    assert SLOGAN in saved["slogans"]
    cleaner = SiteCleaners(out / TEMPLATE_LINES_NAME).for_site("slogans")
    assert cleaner.clean([SLOGAN, STORIES[0]], page_key="a-new-page") == [STORIES[0]]


def test_a_line_on_fewer_pages_than_the_threshold_is_kept(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    write_site(site, STORIES[:2])
    with serve_directory(site) as base_url:
        crawl(base_url, tmp_path / "out")
    records = RecordLog(tmp_path / "out").latest().values()
    assert all(record.segments[0].source == SLOGAN for record in records)


def test_a_batch_drops_the_lines_cleaning_drops_and_keeps_repeated_prose(tmp_path):
    """What a record loses when stored is what cleaning the page again would take out: a short
    line seen on three pages goes, a repeated sentence of prose (republished text) stays."""
    from test_record import make_record

    from store.record import Segment

    credit = "This story was produced with the support of the regional fund for independent journalism."
    cleaners = SiteCleaners(tmp_path / TEMPLATE_LINES_NAME)
    cleaner = cleaners.for_site("example")
    for n in range(3):
        cleaner.clean([SLOGAN, credit, STORIES[n]], page_key=f"page-{n}")
    texts = [SLOGAN, STORIES[3], credit]
    record = make_record(
        segments=[Segment(index=i, lang="en", lang_confidence=1.0, source=t) for i, t in enumerate(texts)]
    )
    kept = [s.source for s in cleaners.drop_learned_template(record).segments]
    assert kept == [STORIES[3], credit]
    assert kept == cleaner.clean(texts, page_key="page-3")
