"""Routes of the review app: queue, record, save/decide, history, login.

Everything is rendered on the server from Jinja2 templates with autoescaping on: crawled text is
untrusted and must reach the browser as text. Every change goes through
``RecordLog.append_revision``; a revision based on a stale one becomes a conflict page showing both
versions instead of overwriting anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from store.errors import RevisionConflictError
from store.log import LatestRecords, RecordLog
from store.qa_flags import meaning
from store.record import Record, Status
from store.review import auth, charts
from store.review.dashboard import desk_figures
from store.review.glossary_hints import GlossaryHints
from store.review.headers import SecurityHeaders
from store.review.history import revision_changes
from store.review.progress import approval_problems, paragraph_progress
from store.review.queue import QueueFilters, neighbours, ordered, status_counts
from store.review.text import direction, word_diff
from store.revise import decided, edited
from store.runs import read_runs
from store.sessions import PER_ACCOUNT, PER_ADDRESS, SESSION_SECONDS, SessionStore
from store.users import Users

HERE = Path(__file__).parent
# Offered when an editor corrects a paragraph's language; a record's own codes are added to these.
PARAGRAPH_LANGUAGES = ["en", "ru", "ar", "ckb", "kmr", "uk", "fa", "tr", "und"]
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{4})?$")
REVIEW_STATUSES = [Status.MACHINE, Status.NEEDS_REVIEW, Status.REVIEWED, Status.APPROVED, Status.REJECTED]
ACTIONS = {
    "save": Status.REVIEWED,
    "approve": Status.APPROVED,
    "approve_anyway": Status.APPROVED,  # after the confirmation that names the open problems
    "reject": Status.REJECTED,
    "needs_review": Status.NEEDS_REVIEW,
}


@dataclass
class Context:
    """What every route needs: the log (and its latest revisions, read incrementally), the
    reviewers and the templates."""

    log: RecordLog
    users: Users
    templates: Jinja2Templates
    latest: LatestRecords
    glossary: GlossaryHints

    def page(self, request: Request, name: str, status_code: int = 200, **values: object) -> Response:
        values.update(user=auth.current_user(request), csrf_token=auth.csrf_token(request))
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)


def create_app(data_dir: Path, https_only: bool = False, glossary_dir: Path | None = None) -> Starlette:
    """The ASGI app over the log in ``data_dir`` (``records.jsonl`` and ``users.json``).

    ``https_only`` marks the session cookie ``Secure``: set it when editors reach the app through
    HTTPS (a reverse proxy), so the cookie is never sent over plain HTTP. ``glossary_dir`` holds the
    glossaries the translation used; their protected terms are shown next to each paragraph.
    """
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        direction=direction, word_diff=word_diff, meaning=meaning, paragraph_languages=PARAGRAPH_LANGUAGES
    )
    log = RecordLog(data_dir)
    ctx = Context(log, Users(data_dir), templates, LatestRecords(log), GlossaryHints(glossary_dir))
    routes = [
        Route("/", _guard(ctx, queue)),
        Route("/login", partial(login, ctx), methods=["GET", "POST"]),
        Route("/logout", partial(logout, ctx), methods=["POST"]),
        Route("/records/{record_id:str}", _guard(ctx, record_page), methods=["GET", "POST"]),
        Route("/records/{record_id:str}/history", _guard(ctx, history)),
        Route("/dashboard", _guard(ctx, dashboard)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=auth.session_secret(data_dir),
            session_cookie="werger_review",
            same_site="strict",
            max_age=SESSION_SECONDS,
            https_only=https_only,
        ),
    ]
    application = Starlette(routes=routes, middleware=middleware)
    application.state.sessions = SessionStore(data_dir)
    application.state.users = ctx.users
    return application


def _guard(ctx: Context, handler):
    """Send anyone not logged in to the login page first."""

    async def endpoint(request: Request) -> Response:
        if auth.current_user(request) is None:
            return auth.login_redirect(request)
        return await handler(ctx, request)

    return endpoint


async def login(ctx: Context, request: Request) -> Response:
    target = auth.safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return ctx.page(request, "login.html", next=target, error=None)
    form = await auth.checked_form(request)
    name, password = auth.text_field(form, "name"), auth.text_field(form, "password")
    sessions: SessionStore = request.app.state.sessions
    account, address = f"account:{name}", f"address:{request.client.host if request.client else '-'}"
    wait = max(sessions.wait_seconds(account, PER_ACCOUNT), sessions.wait_seconds(address, PER_ADDRESS))
    if wait > 0:
        minutes = max(1, round(wait / 60))
        error = f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}."
        response = ctx.page(request, "login.html", 429, next=target, error=error)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if await run_in_threadpool(ctx.users.check, name, password):
        sessions.clear_failures(account)
        auth.log_in(request, name)
        return RedirectResponse(target, status_code=303)
    sessions.record_failure(account, address)
    return ctx.page(request, "login.html", 401, next=target, error="Unknown name or wrong password.")


async def logout(ctx: Context, request: Request) -> Response:
    await auth.checked_form(request)
    auth.log_out(request)
    return RedirectResponse("/login", status_code=303)


PAGE_SIZE = 50


async def queue(ctx: Context, request: Request) -> Response:
    latest = list((await run_in_threadpool(ctx.latest.get)).values())
    filters = QueueFilters.from_query(request.query_params)
    shown = ordered(latest, filters)
    requested = request.query_params.get("page", "1")
    page = int(requested) if requested.isdigit() and int(requested) > 0 else 1
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(page, pages)
    options = {
        "site": sorted({r.site for r in latest}),
        "lang": sorted({r.source_lang for r in latest}),
        "status": [s.value for s in REVIEW_STATUSES] + [Status.UNTRANSLATED, Status.NOT_NEEDED, "removed"],
        "flag": sorted({f for r in latest for s in r.segments for f in s.qa_flags}),
    }
    return ctx.page(
        request,
        "queue.html",
        records=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        matched=len(shown),
        page=page,
        pages=pages,
        filters=filters,
        counts=status_counts(latest, filters),
        options=options,
        total=len(latest),
    )


async def record_page(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    record = (await run_in_threadpool(ctx.log.latest_of, {record_id})).get(record_id)
    if record is None:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    if request.method == "GET":
        done = request.query_params.get("done")
        return await _record(ctx, request, record, done=done)
    return await _save(ctx, request, record)


async def _record(
    ctx: Context,
    request: Request,
    record: Record,
    status_code: int = 200,
    drafts: dict[int, str] | None = None,
    langs: dict[int, str] | None = None,
    note: str | None = None,
    error: str | None = None,
    confirm: list[str] | None = None,
    done: str | None = None,
) -> Response:
    """The record page, with the editor's unsaved drafts when the save could not go through."""
    filters = QueueFilters.from_query(request.query_params)
    previous, following = await _neighbours(ctx, filters, record.id)
    return ctx.page(
        request,
        "record.html",
        status_code,
        record=record,
        drafts=drafts,
        langs=langs,
        note=note,
        saved=request.query_params.get("saved"),
        error=error,
        confirm=confirm,
        done=done,
        filters=filters,
        previous=previous,
        following=following,
        progress=paragraph_progress(record),
        hints=ctx.glossary.hints(record),
    )


async def _neighbours(ctx: Context, filters: QueueFilters, record_id: str) -> tuple[str | None, str | None]:
    latest = await run_in_threadpool(ctx.latest.get)
    return neighbours([r.id for r in ordered(latest.values(), filters)], record_id)


async def _save(ctx: Context, request: Request, record: Record) -> Response:
    form = await auth.checked_form(request)
    action = auth.text_field(form, "action", "save")
    if action not in ACTIONS:
        raise HTTPException(400, f"Unknown action {action!r}.")
    note = auth.text_field(form, "note").strip() or None
    drafts = {s.index: auth.text_field(form, f"t{s.index}") for s in record.segments if f"t{s.index}" in form}
    langs = {s.index: auth.text_field(form, f"l{s.index}") for s in record.segments if f"l{s.index}" in form}
    if any(not LANGUAGE_CODE.match(code) for code in langs.values()):
        raise HTTPException(400, "A paragraph language must be a language code such as ckb or en.")
    base = auth.int_field(form, "base")
    user = auth.current_user(request) or ""
    if base != record.revision:
        return _conflict(ctx, request, record, drafts, note)
    if action == "reject" and not note:
        error = "Say why in the note when rejecting, so the translator knows what to fix."
        return await _record(ctx, request, record, 400, drafts, langs, note, error)
    revision = edited(record, drafts, user, note, ACTIONS[action], langs=langs)
    if action == "approve":
        problems = approval_problems(revision or record, meaning)
        if problems:
            return await _record(ctx, request, record, 409, drafts, langs, note, confirm=problems)
    filters = QueueFilters.from_query(request.query_params)
    if revision is None and action == "save":
        return RedirectResponse(request.url.path + filters.query(), status_code=303)
    revision = revision or decided(record, ACTIONS[action], user, note)
    _, following = await _neighbours(ctx, filters, record.id)
    try:
        await run_in_threadpool(ctx.log.append_revision, revision)
    except RevisionConflictError as exc:
        return _conflict(ctx, request, exc.latest, drafts, note)
    if ACTIONS[action] in (Status.APPROVED, Status.REJECTED) and following:
        done = f"{revision.status} revision {revision.revision} of the previous record"
        return RedirectResponse(f"/records/{following}{filters.query(done=done)}", status_code=303)
    return RedirectResponse(request.url.path + filters.query(saved=str(revision.revision)), status_code=303)


def _conflict(ctx: Context, request: Request, latest: Record, drafts: dict[int, str], note: str | None):
    """Both versions side by side; the editor's text stays in the form, based on the newer revision."""
    filters = QueueFilters.from_query(request.query_params)
    hints = ctx.glossary.hints(latest)
    values = {"record": latest, "drafts": drafts, "note": note, "filters": filters, "hints": hints}
    return ctx.page(request, "conflict.html", 409, **values)


async def history(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    revisions = await run_in_threadpool(ctx.log.history, record_id)
    if not revisions:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    steps = [
        (after, revision_changes(before, after))
        for before, after in zip([None, *revisions], revisions, strict=False)
    ]
    filters = QueueFilters.from_query(request.query_params)
    return ctx.page(
        request, "history.html", record=revisions[-1], steps=list(reversed(steps)), filters=filters
    )


STATUS_ORDER = [s.value for s in REVIEW_STATUSES] + [Status.UNTRANSLATED, Status.NOT_NEEDED, "removed"]
RUN_SERIES = ["new", "revised", "removed", "failed"]


async def dashboard(ctx: Context, request: Request) -> Response:
    """Work per site and language by status, QA flag rates, post-editing effort, crawl runs."""
    latest = await run_in_threadpool(ctx.latest.get)
    figures = await run_in_threadpool(desk_figures, latest.values())
    runs = await run_in_threadpool(read_runs, ctx.log.directory)
    statuses = [s for s in STATUS_ORDER if any(s in c for c in figures.by_lang.values())]
    rates = figures.flag_rates()
    flags = sorted({f for r in rates.values() for f in r})
    weeks, effort = figures.effort_series()
    run_rows = [(str(run.get("started_at", "?"))[:16].replace("T", " "), run) for run in runs]
    values = {
        "figures": figures,
        "statuses": statuses,
        "rates": rates,
        "flags": flags,
        "weeks": weeks,
        "effort": effort,
        "runs": run_rows,
        "run_series": RUN_SERIES,
        "site_chart": charts.stacked_bars(
            "Records per site by status", sorted(figures.by_site.items()), statuses
        ),
        "lang_chart": charts.stacked_bars(
            "Records per language by status", sorted(figures.by_lang.items()), statuses
        ),
        "flag_chart": charts.grouped_bars(
            "Share of segments with each QA flag, per language",
            [(lang, {f: round(100 * v, 1) for f, v in r.items()}) for lang, r in sorted(rates.items()) if r],
            flags,
            unit="%",
        ),
        "effort_chart": charts.line_chart("Mean post-editing effort per week", weeks, effort),
        "runs_chart": charts.stacked_bars(
            "Crawl runs: new, revised, removed and failed pages",
            [(label, {k: run.get(k, 0) for k in RUN_SERIES}) for label, run in run_rows],
            RUN_SERIES,
        ),
    }
    return ctx.page(request, "dashboard.html", **values)
