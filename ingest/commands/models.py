"""``werger models``: list, install and verify translation models (``translate.models``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    ModelsDir,
    download_progress,
    fail,
    models_folder,
)

models_app = typer.Typer(
    help="List, install and verify translation models (Argos packages, NLLB-200).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def models_list(models_dir: ModelsDir = None) -> None:
    """Show installed models and the language pairs they translate.

    Example: werger models list --models-dir ./models
    """
    from rich.table import Table

    from translate.ct2 import conversion_version
    from translate.models import list_installed, list_madlad, list_nllb

    folder = models_folder(models_dir)
    installed = list_installed(folder)
    nllb = list_nllb(folder)
    madlad = list_madlad(folder)
    if not installed and not nllb and not madlad:
        Console(markup=False).print(
            f"no models installed in {folder}; see `werger models install --help`",
            highlight=False,
            soft_wrap=True,
        )
        return
    table = Table(title=f"models in {folder}")
    for column in ("pair", "version", "package"):
        table.add_column(column)
    for model in installed:
        table.add_row(model.pair, model.version, model.path.name)
    for path in nllb:
        table.add_row("NLLB-200: any of en ru ar ckb kmr", conversion_version(path), path.name)
    for path in madlad:
        table.add_row("MADLAD-400: any of en ru ar ckb kmr", conversion_version(path), path.name)
    Console(markup=False).print(table)


def models_install(
    source: Annotated[
        str, typer.Argument(help="An .argosmodel file, an NLLB-200 folder, or a source language code.")
    ],
    target: Annotated[str | None, typer.Argument(help="Target language code (with a source code).")] = None,
    models_dir: ModelsDir = None,
) -> None:
    """Install a model from an .argosmodel file or NLLB-200 folder (offline) or the Argos index (online).

    The SHA-256 of the archive and of every installed file is recorded in MODELS_DIR/manifest.json.

    Examples: werger models install translate-ru_en-1_9.argosmodel;  werger models install ru en;
    werger models install nllb-200-ct2/
    """
    from translate.models import install_file, install_from_index, install_nllb_dir

    folder = models_folder(models_dir)
    try:
        if target is None and Path(source).is_dir():
            path = install_nllb_dir(Path(source), folder)
            Console(markup=False).print(f"installed {path.name} into {path}", highlight=False, soft_wrap=True)
            return
        if target is None:
            model = install_file(Path(source), folder)
        else:
            with download_progress() as progress:
                model = install_from_index(source, target, folder, progress)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    except OSError as exc:
        raise fail(f"could not install: {exc}") from None
    Console(markup=False).print(
        f"installed {model.pair} {model.version} into {model.path}", highlight=False, soft_wrap=True
    )


def models_verify(models_dir: ModelsDir = None) -> None:
    """Check every installed model against the SHA-256 checksums recorded when it was installed.

    Exits non-zero when a file changed, went missing or was never recorded.

    Example: werger models verify --models-dir ./models
    """
    from translate.models import verify_installed

    folder = models_folder(models_dir)
    try:
        results = verify_installed(folder)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    console = Console(markup=False)
    if not results:
        console.print(f"no models installed in {folder}", highlight=False, soft_wrap=True)
    for result in results:
        verdict = "ok" if result.ok else "FAILED: " + "; ".join(result.problems)
        console.print(f"{result.name}: {verdict}", highlight=False, soft_wrap=True)
    if not all(result.ok for result in results):
        raise fail(f"some models in {folder} do not match {folder / 'manifest.json'}; reinstall them")


def register(app: typer.Typer) -> None:
    models_app.command("list")(models_list)
    models_app.command("install")(models_install)
    models_app.command("verify")(models_verify)
    app.add_typer(models_app, name="models")
