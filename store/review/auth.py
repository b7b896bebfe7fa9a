"""Login with a session cookie, the CSRF token every form carries, and form fields checked.

The session cookie is signed (Starlette's SessionMiddleware) and SameSite=strict; it carries only a
session id that ``SessionStore`` must still know, so logout, a password change and removing a
reviewer end a session for good. The CSRF token is a random value kept in that session and compared
in constant time on every POST, so a page on another origin cannot make a logged-in editor's
browser approve or edit anything.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

SECRET_NAME = ".review-secret"
USER_KEY = "werger.user"  # the request's reviewer, looked up once per request


def session_secret(directory: Path) -> str:
    """A per-data-folder signing key, created owner-only on first use so restarts keep sessions."""
    path = Path(directory) / SECRET_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, or 403 when its CSRF token is missing or not this session's."""
    form = await request.form()
    sent = str(form.get("csrf_token", ""))
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "The form has expired or did not come from this site; reload and try again.")
    return form


def current_user(request: Request) -> str | None:
    """The reviewer of this request's live session, or None; a removed reviewer has none."""
    if USER_KEY not in request.scope:
        user = request.app.state.sessions.user_of(request.session.get("sid"))
        if user is not None and user not in request.app.state.users.names():
            user = None
        request.scope[USER_KEY] = user
    return request.scope[USER_KEY]


def text_field(form: FormData, name: str, default: str = "") -> str:
    """A text field of the form; 400 when it came as a file upload (never stored as text)."""
    value = form.get(name, default)
    if isinstance(value, UploadFile):
        raise HTTPException(400, f"The field {name!r} must be text, not a file.")
    return value


def int_field(form: FormData, name: str, default: int = 0) -> int:
    """A whole-number field of the form; 400 when it is not one."""
    value = text_field(form, name, str(default)).strip() or str(default)
    if not value.isdigit():
        raise HTTPException(400, f"The field {name!r} must be a whole number.")
    return int(value)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site paths, so the login form cannot bounce an editor to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def log_in(request: Request, name: str) -> None:
    """A fresh session (new id and CSRF token) for ``name``; any earlier one in this cookie ends."""
    log_out(request)
    request.session["sid"] = request.app.state.sessions.start(name)
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.scope[USER_KEY] = name


def log_out(request: Request) -> None:
    """End this browser's session on the server too, so the old cookie no longer works."""
    request.app.state.sessions.end(request.session.get("sid"))
    request.session.clear()
    request.scope[USER_KEY] = None
