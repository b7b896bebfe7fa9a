"""The review app driven in real headless Chromium over loopback, on records from a real crawl."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from review_support import PASSWORDS, crawl_review_data, serve_review

from store.log import RecordLog
from store.qa_flags import meaning
from store.record import Status
from store.review.progress import approval_problems

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"

# CI installs chromium, so there a missing browser must fail the run rather than skip it.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian chromium (.ci/run installs it)"
)


@pytest.fixture(scope="module")
def review_models(tmp_path_factory, ru_en_package) -> Path:
    """ru->en and ckb->en tiny models, so Sorani records carry machine output to post-edit."""
    from conftest import site_corpus
    from tiny_argos import build_argos_package

    from translate.models import install_file

    folder = tmp_path_factory.mktemp("review-models")
    install_file(ru_en_package, folder)
    build = tmp_path_factory.mktemp("ckb-build")
    install_file(build_argos_package(build, site_corpus(), "ckb", "en"), folder)
    return folder


@pytest.fixture(scope="module")
def crawled_data(tmp_path_factory, review_models) -> Path:
    out = tmp_path_factory.mktemp("review-crawl")
    crawl_review_data(out, review_models)
    return out


@pytest.fixture
def data(crawled_data, tmp_path) -> Path:
    """A fresh copy per test, so revisions written by one test never leak into another."""
    return Path(shutil.copytree(crawled_data, tmp_path / "data"))


@pytest.fixture(scope="module")
def browser(crawled_data):
    """Chromium; the crawl runs first because Playwright's sync API holds the thread's event loop."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def app_url(data):
    with serve_review(data) as url:
        yield url


def logged_in(browser, app_url: str, name: str):
    page = browser.new_context(locale="en").new_page()
    page.goto(f"{app_url}/")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(f"{app_url}/")
    return page


MACHINE_OUTPUT = (Status.MACHINE, Status.NEEDS_REVIEW)


def sorani_machine_record(data: Path):
    """A Sorani record translated by the engine; random-weight output may carry QA flags."""
    return next(
        r for r in RecordLog(data).latest().values() if r.source_lang == "ckb" and r.status in MACHINE_OUTPUT
    )


def without_open_problems(data: Path, record):
    """The record as a new revision whose paragraphs all have an unflagged translation."""
    clean = record.model_copy(update={"revision": record.revision + 1}, deep=True)
    for segment in clean.translatable_segments():
        segment.qa_flags = []
        segment.target = segment.target or "Filled."
    RecordLog(data).append_revision(clean)
    return clean


def test_an_editor_edits_and_approves_a_sorani_record_with_the_keyboard(browser, app_url, data):
    record = without_open_problems(data, sorani_machine_record(data))
    lines_before = RecordLog(data).path.read_text(encoding="utf-8").count("\n")
    page = logged_in(browser, app_url, "amina")
    page.select_option("select[name=lang]", "ckb")
    page.click("form.filters button")
    page.wait_for_url("**/?*lang=ckb*")
    assert {t.inner_text() for t in page.locator("table.queue tbody tr td:nth-child(3)").all()} == {"ckb"}
    page.click(f"td.title a[href^='/records/{record.id}']")
    page.wait_for_url(f"{app_url}/records/{record.id}?lang=ckb")

    source = page.locator("#seg-0 td.source")
    assert source.get_attribute("lang") == "ckb"
    assert source.get_attribute("dir") == "rtl"
    assert source.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator("#seg-0 textarea").get_attribute("dir") == "ltr"

    page.keyboard.press("j")  # the title, a row of its own
    page.keyboard.press("j")
    page.keyboard.press("e")
    page.keyboard.press("Control+a")
    page.keyboard.type("Aid reached the flooded families of Garmiyan.")
    page.keyboard.press("Control+s")
    page.wait_for_selector(f"text=Saved revision {record.revision + 1}")
    assert "lang=ckb" in page.url
    shot = SCREENSHOT_DIR / "review-record-ckb.png"
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    print(f"record page screenshot: {shot}")

    # Flags are computed on the editor's text too: whatever they say must be confirmed first.
    expected = approval_problems(RecordLog(data).latest()[record.id], meaning)
    page.keyboard.press("a")
    if expected:
        page.wait_for_selector("#confirm")
        assert page.locator("#confirm li").all_inner_texts() == expected
        page.click("#approve-anyway")
    page.wait_for_selector("text=This is the next record in your queue")
    assert f"/records/{record.id}" not in page.url and "lang=ckb" in page.url

    log = RecordLog(data)
    assert log.path.read_text(encoding="utf-8").count("\n") == lines_before + 2
    edit, approval = log.history(record.id)[-2:]
    assert edit.segments[0].target == "Aid reached the flooded families of Garmiyan."
    assert edit.segments[0].edited_by == "amina"
    assert edit.segments[0].machine_target == record.segments[0].target
    assert (edit.status, approval.status) == (Status.REVIEWED, Status.APPROVED)
    assert approval.review.by == "amina" and approval.revised_at >= record.revised_at


def test_a_rejection_needs_a_note_and_keeps_it(browser, app_url, data):
    record = sorani_machine_record(data)
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/records/{record.id}")
    page.keyboard.press("r")
    page.keyboard.type("Paragraph 2 is mistranslated")
    page.keyboard.press("Enter")
    # The next record of the queue follows, or the same page when this one was the last.
    page.wait_for_selector("text=/Saved: rejected revision 2 of the previous record|Saved revision 2/")
    latest = RecordLog(data).latest()[record.id]
    assert latest.status == Status.REJECTED
    assert latest.review.note == "Paragraph 2 is mistranslated"
    page.goto(f"{app_url}/records/{record.id}/history")
    assert "Paragraph 2 is mistranslated" in page.locator("#rev-2").inner_text()


def test_script_in_a_crawled_page_renders_as_inert_text(browser, app_url, data):
    record = next(r for r in RecordLog(data).latest().values() if r.site == "partner")
    page = logged_in(browser, app_url, "amina")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{app_url}/records/{record.id}")
    text = page.locator("#seg-0 td.source").inner_text()
    assert '<script>window.wergerXss = "script ran"</script>' in text
    assert "onerror=" in page.locator("#seg-1 td.source").inner_text()
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("() => window.wergerXss") is None
    assert dialogs == []


def test_the_second_of_two_concurrent_saves_gets_a_conflict_page_and_loses_nothing(browser, app_url, data):
    record = sorani_machine_record(data)
    first = logged_in(browser, app_url, "amina")
    second = logged_in(browser, app_url, "bakhtiyar")
    for page in (first, second):
        page.goto(f"{app_url}/records/{record.id}")
    first.fill("textarea[name=t0]", "Amina's wording of the first paragraph.")
    second.fill("textarea[name=t0]", "Bakhtiyar's wording of the first paragraph.")
    first.click("#save")
    first.wait_for_selector("text=Saved revision 2")
    second.click("#save")
    second.wait_for_selector("h1.conflict-title")
    theirs = second.locator("table.both td.theirs").first.inner_text()
    mine = second.locator("table.both td.mine").first.inner_text()
    assert theirs == "Amina's wording of the first paragraph."
    assert mine == "Bakhtiyar's wording of the first paragraph."
    assert second.locator("textarea[name=t0]").input_value() == mine
    assert [r.revision for r in RecordLog(data).history(record.id)] == [1, 2]

    second.click("#save")
    second.wait_for_selector("text=Saved revision 3")
    assert RecordLog(data).latest()[record.id].segments[0].target == mine


def screenshot(page, name: str) -> None:
    """Saved for a person to look at: both widths editors use."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)


def test_approving_over_empty_or_flagged_paragraphs_asks_first_and_names_them(browser, app_url, data):
    record = sorani_machine_record(data)
    risky = record.model_copy(update={"revision": record.revision + 1}, deep=True)
    for segment in risky.translatable_segments():
        segment.qa_flags, segment.target = [], segment.target or "Filled."
    risky.segments[0].target = ""
    risky.segments[1].qa_flags = ["wrong_script"]
    RecordLog(data).append_revision(risky)
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/records/{record.id}")
    page.keyboard.press("a")
    page.wait_for_selector("#confirm")
    problems = page.locator("#confirm li").all_inner_texts()
    assert problems == ["Paragraph 1 has no translation.", "Paragraph 2 is flagged: wrong script."]
    assert RecordLog(data).latest()[record.id].status == risky.status
    screenshot(page, "review-approve-confirm.png")
    page.click("#approve-anyway")
    page.wait_for_selector("text=/This is the next record in your queue|Saved revision/")
    assert RecordLog(data).latest()[record.id].status == Status.APPROVED


def test_next_previous_and_back_to_the_queue_keep_the_filters(browser, app_url, data):
    ru = sorted(
        (r for r in RecordLog(data).latest().values() if r.source_lang == "ru"),
        key=lambda r: (r.revised_at, r.id),
        reverse=True,
    )
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/?lang=ru")
    page.click(f"td.title a[href^='/records/{ru[0].id}']")
    page.wait_for_url(f"**/records/{ru[0].id}?lang=ru")
    page.keyboard.press("n")
    page.wait_for_url(f"**/records/{ru[1].id}?lang=ru")
    page.keyboard.press("p")
    page.wait_for_url(f"**/records/{ru[0].id}?lang=ru")
    page.keyboard.press("u")
    page.wait_for_url(f"{app_url}/?lang=ru")
    assert page.locator("select[name=lang]").input_value() == "ru"


def test_leaving_a_record_with_typed_unsaved_text_asks_first(browser, app_url, data):
    record = sorani_machine_record(data)
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/records/{record.id}")
    page.fill("textarea[name=t0]", "Typed but not saved.")
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.click("#queue-link")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert f"/records/{record.id}" in page.url


def test_search_finds_records_by_text_in_source_or_translation(browser, app_url, data):
    record = sorani_machine_record(data)
    word = max(record.segments[0].source.split(), key=len)
    page = logged_in(browser, app_url, "amina")
    page.fill("input[name=q]", word)
    page.click("form.filters button")
    page.wait_for_url("**/?*q=*")
    hrefs = page.locator("td.title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    latest = RecordLog(data).latest()
    found = [latest[h.split("/")[2].split("?")[0]] for h in hrefs]
    assert found and all(word in " ".join(s.source for s in r.segments) for r in found)
    assert any(h.startswith(f"/records/{record.id}") for h in hrefs)
    counts = page.locator("nav.progress a").all_inner_texts()
    assert counts and all(c.split()[-1].isdigit() for c in counts)


def test_an_editor_corrects_a_paragraphs_language(browser, app_url, data):
    record = sorani_machine_record(data)
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/records/{record.id}")
    assert page.locator("select[name=l1]").input_value() == record.segments[1].lang
    page.select_option("select[name=l1]", "ar")
    page.click("#save")
    page.wait_for_selector(f"text=Saved revision {record.revision + 1}")
    saved = RecordLog(data).latest()[record.id]
    assert (saved.segments[1].lang, saved.segments[1].lang_confidence) == ("ar", 1.0)
    assert page.locator("#seg-1 .lang-differs").inner_text() == f"not {record.source_lang}"


def test_history_shows_changed_source_paragraphs_and_a_page_that_is_gone(browser, app_url, data):
    from datetime import UTC, datetime

    record = sorani_machine_record(data)
    recrawled = record.model_copy(
        update={"revision": record.revision + 1, "removed_at": datetime.now(UTC)}
    )
    recrawled.segments[0].source = recrawled.segments[0].source + " نوێ"
    RecordLog(data).append_revision(recrawled)
    page = logged_in(browser, app_url, "amina")
    page.goto(f"{app_url}/records/{record.id}/history")
    change = page.locator(f"#rev-{recrawled.revision} p.diff-source")
    assert change.count() == 1 and change.locator("ins").inner_text().strip() == "نوێ"
    assert page.locator(".gone-notice").count() == 1
    page.goto(f"{app_url}/?q=")
    assert page.locator(f"tr.removed td.title a[href^='/records/{record.id}']").count() == 1


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_queue_record_and_dashboard_fit_the_screen(browser, app_url, data, width, height):
    record = sorani_machine_record(data)
    context = browser.new_context(locale="en", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{app_url}/login")
    page.fill("input[name=name]", "amina")
    page.fill("input[name=password]", PASSWORDS["amina"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{app_url}/")
    for path, name in [
        ("/", "queue"),
        (f"/records/{record.id}", "record"),
        (f"/records/{record.id}/history", "history"),
        ("/dashboard", "dashboard"),
    ]:
        page.goto(f"{app_url}{path}")
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} is {overflow}px wide at {width}px"
        screenshot(page, f"review-{name}-{width}.png")
    page.goto(f"{app_url}/records/{record.id}")
    source = page.locator("#seg-0 td.source").bounding_box()
    target = page.locator("#seg-0 td.target").bounding_box()
    stacked = target["y"] >= source["y"] + source["height"] - 1
    assert stacked == (width < 700)
    context.close()
