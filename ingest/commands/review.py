"""``werger review``: the editors' web app over a data folder (``store.review``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    DataDir,
    GlossaryDir,
    ModelsDir,
    err,
    fail,
    models_folder,
    warn_unreadable,
)


def _env_glossary_dir() -> Path | None:
    import os

    from translate.glossary import GLOSSARY_DIR_ENV

    return Path(os.environ[GLOSSARY_DIR_ENV]) if os.environ.get(GLOSSARY_DIR_ENV) else None


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def review(
    data: DataDir,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep loopback.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    https_only: Annotated[
        bool,
        typer.Option(
            "--https-only",
            help="Mark the session cookie Secure: set it when editors reach the app through HTTPS "
            "(a reverse proxy in front of it).",
        ),
    ] = False,
    glossary_dir: GlossaryDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Serve the editors' review app over DATA/records.jsonl; every action appends a revision.

    Example: werger users add amina --data data/ && werger review --data data/
    """
    import uvicorn

    from store.review import create_app
    from store.users import Users

    try:
        if not Users(data).names():
            raise fail(
                f"no reviewers in {data / 'users.json'}; add one with: werger users add NAME --data {data}"
            )
        glossaries = glossary_dir or _env_glossary_dir() or models_folder(models_dir) / "glossaries"
        application = create_app(data, https_only=https_only, glossary_dir=glossaries)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    if host not in LOOPBACK_HOSTS:
        typer.echo(
            f"warning: --host {host} lets every machine that can reach this one try to sign in, over "
            "plain HTTP: passwords and session cookies cross the network readable. Serve it on "
            "loopback behind an HTTPS reverse proxy and pass --https-only.",
            err=True,
        )
    from store.index import CrawlIndex

    index = CrawlIndex(data)
    problems = index.report()
    index.close()
    if warn_unreadable(problems, index.log.path):
        err.print("saves are refused until the log is repaired")
    Console(markup=False).print(
        f"review app on http://{host}:{port}/  (Ctrl+C stops it)", highlight=False, soft_wrap=True
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(review)
