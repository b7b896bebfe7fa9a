"""The record page (edit, decide), the conflict page and a record's history.

The editor's queue selection comes along in the URL (``store.review.selection``): previous and next
record are the neighbours in that selection, and after an approval or a rejection the editor lands
on the next record of it. Approving a record whose segments are empty or flagged needs a second,
explicit "approve anyway" that names them.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from store.errors import LogDamagedError, LogLockedError, NewerLogError, RevisionConflictError
from store.qa_flags import meaning
from store.queue import neighbours
from store.record import Record, Status
from store.review import auth
from store.review.app import Context
from store.review.history import revision_changes
from store.review.progress import approval_problems, paragraph_progress
from store.review.selection import Selection
from store.revise import decided, edited

ACTIONS = {
    "save": Status.REVIEWED,
    "approve": Status.APPROVED,
    "approve_anyway": Status.APPROVED,  # after the confirmation that names the open problems
    "reject": Status.REJECTED,
    "needs_review": Status.NEEDS_REVIEW,
}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{4})?$")


async def record_page(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    record = await run_in_threadpool(ctx.index.latest, record_id)
    if record is None:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    if request.method == "GET":
        return await _record(ctx, request, record, done=request.query_params.get("done"))
    return await _save(ctx, request, record)


async def _record(
    ctx: Context,
    request: Request,
    record: Record,
    status_code: int = 200,
    draft: dict | None = None,
    error: str | None = None,
    confirm: list[str] | None = None,
    done: str | None = None,
) -> Response:
    """The record page, with the editor's unsaved text (``draft``) when a save did not go through."""
    selection = Selection.from_query(request.query_params)
    newer, older = await run_in_threadpool(neighbours, ctx.index, selection.filters(), record.id)
    draft = draft or {}
    return ctx.page(
        request,
        "record.html",
        status_code,
        record=record,
        drafts=draft.get("drafts"),
        title_draft=draft.get("title"),
        langs=draft.get("langs"),
        note=draft.get("note"),
        saved=request.query_params.get("saved"),
        error=error,
        confirm=confirm,
        done=done,
        previous=newer,
        following=older,
        progress=paragraph_progress(record),
        hints=ctx.glossary.hints(record),
    )


def _draft(form: FormData, record: Record) -> dict:
    """What the editor typed: targets, title, corrected languages and note (400 on a bad field)."""
    fields = {s.index for s in record.segments}
    drafts = {i: auth.text_field(form, f"t{i}") for i in fields if f"t{i}" in form}
    langs = {i: auth.text_field(form, f"l{i}") for i in fields if f"l{i}" in form}
    if any(not LANGUAGE_CODE.match(code) for code in langs.values()):
        raise HTTPException(400, "A paragraph language must be a language code such as ckb or en.")
    title = auth.text_field(form, "title") if "title" in form and record.title_segment is not None else None
    note = auth.text_field(form, "note").strip() or None
    return {"drafts": drafts, "langs": langs, "title": title, "note": note}


async def _save(ctx: Context, request: Request, record: Record) -> Response:
    form = await auth.checked_form(request)
    action = auth.text_field(form, "action", "save")
    if action not in ACTIONS:
        raise HTTPException(400, f"Unknown action {action!r}.")
    draft = _draft(form, record)
    base = auth.int_field(form, "base")
    user = auth.current_user(request) or ""
    status = ACTIONS[action]
    if base != record.revision:
        return _conflict(ctx, request, record, draft)
    if action == "reject" and not draft["note"]:
        error = "Say why in the note when rejecting, so the translator knows what to fix."
        return await _record(ctx, request, record, 400, draft, error)

    def build(latest: Record | None) -> Record | None:
        """The editor's revision, on the revision the form was made from, or a conflict."""
        if latest is None or latest.revision != base:
            raise RevisionConflictError(f"record {record.id} moved on from revision {base}", latest)
        revision = edited(
            latest, draft["drafts"], user, draft["note"], status, title=draft["title"], langs=draft["langs"]
        )
        if revision is None and action == "save":
            return None
        revision = revision or decided(latest, status, user, draft["note"])
        return revision.model_copy(update={"conflicts": []})

    if action == "approve":
        problems = approval_problems(build(record) or record, meaning)
        if problems:
            return await _record(ctx, request, record, 409, draft, confirm=problems)
    selection = Selection.from_query(request.query_params)
    _, following = await run_in_threadpool(neighbours, ctx.index, selection.filters(), record.id)
    try:
        written = await run_in_threadpool(ctx.index.log.revise, {record.id: build})
    except RevisionConflictError as exc:
        return _conflict(ctx, request, exc.latest or record, draft)
    except (LogDamagedError, NewerLogError, LogLockedError) as exc:
        error = f"Not saved: {exc}. Your text is still in the form."
        return await _record(ctx, request, record, 503, draft, error)
    if not written:
        return RedirectResponse(request.url.path + selection.query(), status_code=303)
    revision = written[0]
    if status in (Status.APPROVED, Status.REJECTED) and following:
        done = f"{revision.status} revision {revision.revision} of the previous record"
        return RedirectResponse(f"/records/{following}{selection.query(done=done)}", status_code=303)
    return RedirectResponse(request.url.path + selection.query(saved=str(revision.revision)), status_code=303)


def _conflict(ctx: Context, request: Request, latest: Record, draft: dict) -> Response:
    """Both versions side by side; the editor's text stays in the form, based on the newer revision."""
    return ctx.page(
        request,
        "conflict.html",
        409,
        record=latest,
        drafts=draft["drafts"],
        note=draft["note"],
        title_draft=draft["title"],
        langs=draft["langs"],
        hints=ctx.glossary.hints(latest),
    )


async def history(ctx: Context, request: Request) -> Response:
    record_id = request.path_params["record_id"]
    revisions = await run_in_threadpool(ctx.index.history, record_id)
    if not revisions:
        raise HTTPException(404, f"No record {record_id} in this data folder.")
    steps = [
        (after, revision_changes(before, after))
        for before, after in zip([None, *revisions], revisions, strict=False)
    ]
    return ctx.page(request, "history.html", record=revisions[-1], steps=list(reversed(steps)))
