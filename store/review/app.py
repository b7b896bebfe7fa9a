"""Routes of the review app: queue, record, save/decide, history, login.

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
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from store.errors import LogDamagedError, LogLockedError, NewerLogError, RevisionConflictError
from store.index import CrawlIndex
from store.queue import QueueFilters, facet_options, queue_page
from store.record import Record, Status
from store.review import auth
from store.review.headers import SecurityHeaders
from store.review.text import direction, word_diff
from store.revise import decided, edited
from store.users import Users

HERE = Path(__file__).parent
REVIEW_STATUSES = [Status.MACHINE, Status.NEEDS_REVIEW, Status.REVIEWED, Status.APPROVED, Status.REJECTED]
ACTIONS = {
    "save": Status.REVIEWED,
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "needs_review": Status.NEEDS_REVIEW,
}


@dataclass
class Context:
    """What every route needs: the index over the log, the reviewers and the templates."""

    index: CrawlIndex
    users: Users
    templates: Jinja2Templates

    def page(self, request: Request, name: str, status_code: int = 200, **values: object) -> Response:
        values.update(
            user=auth.current_user(request),
            csrf_token=auth.csrf_token(request),
            log_problems=self.index.report().problems(self.index.log.path),
        )
        return self.templates.TemplateResponse(request, name, values, status_code=status_code)


def create_app(data_dir: Path, build_search: bool = True) -> Starlette:
    """The ASGI app over the log in ``data_dir`` (``records.jsonl`` and ``users.json``).

    ``build_search`` fills the text-search table in a background thread when a rebuild left it
    empty (the queue says how far it got meanwhile).
    """
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(direction=direction, word_diff=word_diff)
    index = CrawlIndex(data_dir)
    ctx = Context(index, Users(data_dir), templates)
    if build_search and not index.search_ready:
        threading.Thread(target=index.build_search, name="werger-search-index", daemon=True).start()
    routes = [
        Route("/", _guard(ctx, queue)),
        Route("/login", partial(login, ctx), methods=["GET", "POST"]),
        Route("/logout", partial(logout, ctx), methods=["POST"]),
        Route("/records/{record_id:str}", _guard(ctx, record_page), methods=["GET", "POST"]),
        Route("/records/{record_id:str}/history", _guard(ctx, history)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=auth.session_secret(data_dir),
            session_cookie="werger_review",
            same_site="strict",
            max_age=12 * 3600,
        ),
    ]
    return Starlette(routes=routes, middleware=middleware)


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
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    if await run_in_threadpool(ctx.users.check, name, password):
        auth.log_in(request, name)
        return RedirectResponse(target, status_code=303)
    return ctx.page(request, "login.html", 401, next=target, error="Unknown name or wrong password.")


async def logout(ctx: Context, request: Request) -> Response:
    await auth.checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def queue(ctx: Context, request: Request) -> Response:
    wanted = {k: request.query_params.get(k) or None for k in ("site", "lang", "status", "flag", "q")}
    filters = QueueFilters(wanted["site"], wanted["lang"], wanted["status"], wanted["flag"], wanted["q"])
    after, before = request.query_params.get("after"), request.query_params.get("before")
    page = await run_in_threadpool(queue_page, ctx.index, filters, after, before)
    options = await run_in_threadpool(facet_options, ctx.index)
    options["status"] = [s.value for s in REVIEW_STATUSES] + [Status.UNTRANSLATED, Status.NOT_NEEDED]
    return ctx.page(
        request, "queue.html", records=page.rows, wanted=wanted, options=options, page=page,
        newer=_page_link(request, "before", page.newer), older=_page_link(request, "after", page.older),
    )


def _page_link(request: Request, key: str, cursor: str | None) -> str | None:
    """The queue URL with the same filters and another page cursor."""
    if cursor is None:
        return None
    params = {k: v for k, v in request.query_params.items() if k not in ("after", "before") and v}
    params[key] = cursor
    return "/?" + urlencode(params)


async def record_page(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    record = await run_in_threadpool(ctx.index.latest, record_id)
    if record is None:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    if request.method == "GET":
        saved = request.query_params.get("saved")
        return ctx.page(request, "record.html", record=record, drafts=None, saved=saved, error=None)
    return await _save(ctx, request, record)


async def _save(ctx: Context, request: Request, record: Record) -> Response:
    form = await auth.checked_form(request)
    action = str(form.get("action", "save"))
    if action not in ACTIONS:
        raise HTTPException(400, f"Unknown action {action!r}.")
    note = str(form.get("note", "")).strip() or None
    drafts = {s.index: str(form[f"t{s.index}"]) for s in record.segments if f"t{s.index}" in form}
    title = str(form["title"]) if "title" in form and record.title_segment is not None else None
    base = int(str(form.get("base", "0")) or 0)
    user = auth.current_user(request) or ""
    if base != record.revision:
        return _conflict(ctx, request, record, drafts, note, title)
    if action == "reject" and not note:
        error = "Say why in the note when rejecting, so the translator knows what to fix."
        page = {"record": record, "drafts": drafts, "title_draft": title, "saved": None, "error": error}
        return ctx.page(request, "record.html", 400, **page)

    def build(latest: Record | None) -> Record | None:
        """The editor's revision, on the revision the form was made from, or a conflict."""
        if latest is None or latest.revision != base:
            raise RevisionConflictError(f"record {record.id} moved on from revision {base}", latest)
        revision = edited(latest, drafts, user, note, ACTIONS[action], title=title)
        if revision is None and action == "save":
            return None
        revision = revision or decided(latest, ACTIONS[action], user, note)
        return revision.model_copy(update={"conflicts": []})

    try:
        written = await run_in_threadpool(ctx.index.log.revise, {record.id: build})
    except RevisionConflictError as exc:
        return _conflict(ctx, request, exc.latest or record, drafts, note, title)
    except (LogDamagedError, NewerLogError, LogLockedError) as exc:
        error = f"Not saved: {exc}. Your text is still in the form."
        page = {"record": record, "drafts": drafts, "title_draft": title, "saved": None, "error": error}
        return ctx.page(request, "record.html", 503, **page)
    if not written:
        return RedirectResponse(request.url.path, status_code=303)
    return RedirectResponse(f"{request.url.path}?saved={written[0].revision}", status_code=303)


def _conflict(
    ctx: Context,
    request: Request,
    latest: Record,
    drafts: dict[int, str],
    note: str | None,
    title: str | None = None,
):
    """Both versions side by side; the editor's text stays in the form, based on the newer revision."""
    return ctx.page(request, "conflict.html", 409, record=latest, drafts=drafts, note=note, title_draft=title)


async def history(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    revisions = await run_in_threadpool(ctx.index.history, record_id)
    if not revisions:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    steps = []
    for before, after in zip([None, *revisions], revisions, strict=False):
        changes = []
        title, old_title = after.title_segment, before.title_segment if before else None
        if before and title is not None and (old_title.target if old_title else None) != title.target:
            changes.append((title, word_diff(old_title.target if old_title else None, title.target)))
        for segment in after.segments if before else []:
            old = before.segments[segment.index].target if segment.index < len(before.segments) else None
            if old != segment.target:
                changes.append((segment, word_diff(old, segment.target)))
        steps.append((after, changes))
    return ctx.page(request, "history.html", record=revisions[-1], steps=list(reversed(steps)))
