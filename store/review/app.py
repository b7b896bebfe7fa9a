"""The review app: wiring, login, the queue and the dashboard (record pages in ``record_pages``).

Everything is rendered on the server from Jinja2 templates with autoescaping on: crawled text is
untrusted and must reach the browser as text. Every change goes through ``RecordLog.revise``: the
editor's revision is built under the log's write lock on the revision the editor saw, and if
anyone (another editor, a crawl) wrote meanwhile it becomes a conflict page showing both versions
instead of overwriting anything. "Saved" is said only once the line is fsynced. Every read goes
through the index (which also answers ``revise``): the queue is a page of an SQL query, a record
page, its history and a save read that record's own lines, so neither time nor memory grows with
the log.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from store.index import CrawlIndex
from store.qa_flags import meaning
from store.queue import REMOVED, facet_options, queue_page, status_counts
from store.record import Status
from store.review import auth, charts
from store.review.dashboard import desk_figures
from store.review.glossary_hints import GlossaryHints
from store.review.headers import SecurityHeaders
from store.review.selection import Selection
from store.review.text import direction, word_diff
from store.runs import read_runs
from store.sessions import PER_ACCOUNT, PER_ADDRESS, SESSION_SECONDS, SessionStore
from store.users import Users

HERE = Path(__file__).parent
REVIEW_STATUSES = [Status.MACHINE, Status.NEEDS_REVIEW, Status.REVIEWED, Status.APPROVED, Status.REJECTED]
QUEUE_STATUSES = [s.value for s in REVIEW_STATUSES] + [Status.UNTRANSLATED, Status.NOT_NEEDED, REMOVED]
# Offered when an editor corrects a paragraph's language; a record's own codes are added to these.
PARAGRAPH_LANGUAGES = ["en", "ru", "ar", "ckb", "kmr", "uk", "fa", "tr", "und"]


@dataclass
class Context:
    """What every route needs: the index over the log, the reviewers, the glossary hints and the
    templates."""

    index: CrawlIndex
    users: Users
    templates: Jinja2Templates
    glossary: GlossaryHints

    def page(self, request: Request, name: str, status_code: int = 200, **values: object) -> Response:
        values.update(
            user=auth.current_user(request),
            csrf_token=auth.csrf_token(request),
            log_problems=self.index.report().problems(self.index.log.path),
        )
        values.setdefault("selection", Selection.from_query(request.query_params))
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)


def create_app(
    data_dir: Path, build_search: bool = True, https_only: bool = False, glossary_dir: Path | None = None
) -> Starlette:
    """The ASGI app over the log in ``data_dir`` (``records.jsonl`` and ``users.json``).

    ``build_search`` fills the text-search table in a background thread when a rebuild left it
    empty (the queue says how far it got meanwhile). ``https_only`` marks the session cookie
    ``Secure``: set it when editors reach the app through HTTPS (a reverse proxy), so the cookie is
    never sent over plain HTTP. ``glossary_dir`` holds the glossaries the translation used; their
    protected terms are shown next to each paragraph.
    """
    from store.review import record_pages

    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        direction=direction, word_diff=word_diff, meaning=meaning, paragraph_languages=PARAGRAPH_LANGUAGES
    )
    index = CrawlIndex(data_dir)
    ctx = Context(index, Users(data_dir), templates, GlossaryHints(glossary_dir))
    if build_search and not index.search_ready:
        threading.Thread(target=index.build_search, name="werger-search-index", daemon=True).start()
    routes = [
        Route("/", _guard(ctx, queue)),
        Route("/login", partial(login, ctx), methods=["GET", "POST"]),
        Route("/logout", partial(logout, ctx), methods=["POST"]),
        Route("/records/{record_id:str}", _guard(ctx, record_pages.record_page), methods=["GET", "POST"]),
        Route("/records/{record_id:str}/history", _guard(ctx, record_pages.history)),
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


async def queue(ctx: Context, request: Request) -> Response:
    selection = Selection.from_query(request.query_params)
    filters = selection.filters()
    after, before = request.query_params.get("after"), request.query_params.get("before")
    page = await run_in_threadpool(queue_page, ctx.index, filters, after, before)
    counts = await run_in_threadpool(status_counts, ctx.index, filters)
    options = await run_in_threadpool(facet_options, ctx.index)
    options["status"] = QUEUE_STATUSES
    return ctx.page(
        request,
        "queue.html",
        records=page.rows,
        selection=selection,
        options=options,
        page=page,
        counts=counts,
        newer=_page_link(selection, "before", page.newer),
        older=_page_link(selection, "after", page.older),
    )


def _page_link(selection: Selection, key: str, cursor: str | None) -> str | None:
    """The queue URL with the same selection and another page cursor."""
    if cursor is None:
        return None
    query = selection.query()
    return f"/{query}{'&' if query else '?'}{urlencode({key: cursor})}"


RUN_SERIES = ["new", "revised", "removed", "failed"]


async def dashboard(ctx: Context, request: Request) -> Response:
    """Work per site and language by status, QA flag rates, post-editing effort, crawl runs."""
    figures = await run_in_threadpool(desk_figures, ctx.index)
    runs = await run_in_threadpool(read_runs, ctx.index.log.directory)
    statuses = [s for s in QUEUE_STATUSES if any(s in c for c in figures.by_lang.values())]
    rates = figures.flag_rates
    flags = sorted({f for r in rates.values() for f in r})
    weeks, effort = figures.effort_series()
    run_rows = [(str(run.get("started_at", "?"))[:16].replace("T", " "), run) for run in runs]
    charts_ = {
        "site_chart": charts.stacked_bars(
            "Records per site by status", sorted(figures.by_site.items()), statuses
        ),
        "lang_chart": charts.stacked_bars(
            "Records per language by status", sorted(figures.by_lang.items()), statuses
        ),
        "flag_chart": charts.grouped_bars(
            "Share of records with each QA flag, per language",
            [(lang, {f: round(100 * v, 1) for f, v in r.items()}) for lang, r in sorted(rates.items())],
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
    return ctx.page(
        request,
        "dashboard.html",
        figures=figures,
        statuses=statuses,
        flags=flags,
        weeks=weeks,
        runs=run_rows,
        run_series=RUN_SERIES,
        **charts_,
    )
