"""Login with a session cookie, and the CSRF token every form carries.

The session cookie is signed (Starlette's SessionMiddleware) and SameSite=strict; the CSRF token
is a random value kept in that session and compared in constant time on every POST, so a page on
another origin cannot make a logged-in editor's browser approve or edit anything.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

SECRET_NAME = ".review-secret"


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
    return request.session.get("user")


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def safe_next(value: str | None) -> str:
    """Only same-site paths, so the login form cannot bounce an editor to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def log_in(request: Request, name: str) -> None:
    request.session.clear()
    request.session["user"] = name
    request.session["csrf"] = secrets.token_urlsafe(32)
