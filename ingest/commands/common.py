"""What several ``werger`` commands share: option types, the data-folder check, the engine
registry, literal printing, errors and download progress.

Text printed here may come from crawled pages (URLs, titles, reasons), so it is never read as rich
markup: "[red]" in a URL stays "[red]".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
DATA_MARKERS = ("records.jsonl", "run-summary.json", "crawl.lock")  # the lock: a first run under way

out = Console(markup=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


EXIT_UNREADABLE_LOG = 3
"""Exit code when the log holds lines this werger cannot read (damaged, or from a newer werger)."""


def fail(exc: Exception | str, code: int | None = None) -> typer.Exit:
    """Print ``error: ...`` on stderr (a JSON log record under ``--log-format json``), without a
    traceback; raise the returned Exit. The exit code is ``code``, else 3 for a log this werger
    cannot read, else 1."""
    from ingest.logs import LOGGER, current_format, printable
    from store.errors import LogDamagedError, NewerLogError

    if code is None:
        code = EXIT_UNREADABLE_LOG if isinstance(exc, LogDamagedError | NewerLogError) else 1
    if current_format() == "json":
        logging.getLogger(LOGGER).error(str(exc), extra={"event": "failed", "exit_code": code})
    else:
        err.print(Text.assemble(("error:", "bold red"), " ", printable(str(exc))))
    return typer.Exit(code=code)


def warn_unreadable(report, path: Path) -> bool:
    """Tell the operator which lines of the log were skipped (``ReadReport.problems``), as
    warnings on stderr; True when any were."""
    from ingest.logs import LOGGER

    for problem in report.problems(path):
        logging.getLogger(LOGGER).warning(problem)
    return not report.clean


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


Target = Annotated[str, typer.Option("--target", help="Language to translate into.")]


NllbDir = Annotated[
    Path | None,
    typer.Option(
        "--nllb-dir",
        help="NLLB-200 CTranslate2 conversion folder for pairs without an Argos package "
        "[default: $WERGER_NLLB_DIR, or one installed in the models folder].",
    ),
]


BeamSize = Annotated[
    int, typer.Option("--beam-size", help="Beam size of the decoder (1 is greedy, fastest).")
]


RepetitionPenalty = Annotated[
    float, typer.Option("--repetition-penalty", help="Above 1.0 discourages repeated words in translations.")
]


Device = Annotated[
    str,
    typer.Option(
        "--device",
        help="Where CTranslate2 engines run: cpu, cuda, or auto (cuda when a GPU is visible).",
    ),
]


GlossaryDir = Annotated[
    Path | None,
    typer.Option(
        "--glossary-dir",
        help="Folder of <source>-<target>.toml glossaries of protected terms "
        "[default: $WERGER_GLOSSARY_DIR or MODELS_DIR/glossaries].",
    ),
]


def engine_registry(
    models_dir: Path | None,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    beam_size: int = 4,
    repetition_penalty: float = 1.0,
    device: str = "cpu",
):
    """The engines of the installed models with these decoding options (``translate.registry``);
    WergerTranslateError for an impossible option."""
    from translate.ct2 import DEVICES, DecodingOptions
    from translate.registry import build_registry

    if beam_size < 1 or repetition_penalty <= 0:
        raise WergerTranslateError("--beam-size must be at least 1 and --repetition-penalty above 0")
    if device not in DEVICES:
        raise WergerTranslateError(f"--device is one of {', '.join(DEVICES)}, not {device!r}")
    options = DecodingOptions(beam_size=beam_size, repetition_penalty=repetition_penalty, device=device)
    return build_registry(models_folder(models_dir), nllb_dir, glossary_dir, options=options)


@contextmanager
def download_progress() -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar on stderr for a model download, shown from its first byte; yields the
    callback to report (bytes done, bytes in all or None) with."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    bar = Progress("downloading", BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=err)
    task = bar.add_task("download", total=None)

    def report(done: int, total: int | None) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield report
    finally:
        if bar.live.is_started:
            bar.stop()
