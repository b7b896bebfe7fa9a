"""What several ``werger`` commands share: the data-folder check, literal printing, errors.

Text printed here may come from crawled pages (URLs, titles, reasons), so it is never read as rich
markup: "[red]" in a URL stays "[red]".
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from ingest.errors import WergerIngestError
from store.errors import WergerStoreError
from translate.errors import WergerTranslateError

USER_ERRORS = (WergerIngestError, WergerStoreError, WergerTranslateError)

# Files only werger writes into a data folder (a crawl's --out): one of them marks the folder.
DATA_MARKERS = ("records.jsonl", "run-summary.json")

out = Console(markup=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def fail(exc: Exception | str, code: int = 1) -> typer.Exit:
    """Print ``error: ...`` on stderr (a JSON log record under ``--log-format json``), without a
    traceback; raise the returned Exit."""
    from ingest.logs import LOGGER, current_format, printable

    if current_format() == "json":
        logging.getLogger(LOGGER).error(str(exc), extra={"event": "failed", "exit_code": code})
    else:
        err.print(Text.assemble(("error:", "bold red"), " ", printable(str(exc))))
    return typer.Exit(code=code)


def data_folder_problem(path: Path, markers: tuple[str, ...] = DATA_MARKERS) -> str | None:
    """Why ``path`` is not a werger data folder, or None when it is one."""
    expected = " or ".join(markers)
    if not path.exists():
        return f"{path} does not exist; expected a werger data folder (the --out of `werger crawl`)"
    if not path.is_dir():
        return f"{path} is not a folder; expected a werger data folder holding {expected}"
    if not any((path / name).exists() for name in markers):
        return (
            f"{path} is not a werger data folder: it holds no {expected}; give the folder a "
            "`werger crawl --out` wrote to"
        )
    return None


def _check_data(value: Path) -> Path:
    problem = data_folder_problem(value)
    if problem:
        raise typer.BadParameter(problem)
    return value


def _check_users_data(value: Path) -> Path:
    problem = data_folder_problem(value, (*DATA_MARKERS, "users.json"))
    if problem:
        raise typer.BadParameter(problem)
    return value


DataDir = Annotated[
    Path,
    typer.Option("--data", help="Folder holding records.jsonl (a crawl's --out).", callback=_check_data),
]
UsersDataDir = Annotated[
    Path,
    typer.Option(
        "--data",
        help="Data folder (a crawl's --out) whose users.json to change.",
        callback=_check_users_data,
    ),
]
DataArgument = Annotated[
    Path, typer.Argument(help="Output folder holding records.jsonl.", callback=_check_data)
]
ModelsDir = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="Folder of installed models [default: $WERGER_MODELS_DIR, "
        "$ARGOS_PACKAGES_DIR or Argos Translate's own package folder].",
    ),
]


def models_folder(models_dir: Path | None) -> Path:
    """``--models-dir``, else the default models folder (see ``translate.models``)."""
    from translate.models import default_models_dir

    return models_dir or default_models_dir()
