"""Options of ``werger`` itself, before any command: ``--version``, ``--log-level``, ``--log-format``."""

from __future__ import annotations

from typing import Annotated

import typer

from ingest.logs import FORMATS, LEVELS, configure


def register(app: typer.Typer) -> None:
    app.callback()(main)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"werger {version('werger')}")
        for problem in shared_packages():
            typer.echo(f"warning: {problem}", err=True)
        raise typer.Exit()


def shared_packages() -> list[str]:
    """werger's top-level packages that another installed distribution provides too.

    translate-toolkit also installs ``translate``: in one environment one overwrites the other's
    files. Empty when werger has its packages to itself.
    """
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    return [
        f"the package {name!r} is also installed by {', '.join(sorted(others))}; install werger "
        "with `uv tool install` (README: Installing the command)"
        for name in ("ingest", "translate", "store")
        if (others := set(owners.get(name, [])) - {"werger"})
    ]


def _choice(allowed: tuple[str, ...], what: str):
    def check(value: str) -> str:
        if value.lower() not in allowed:
            raise typer.BadParameter(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
        return value.lower()

    return check


def main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print werger's version and exit.", callback=_version, is_eager=True),
    ] = False,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            envvar="WERGER_LOG_LEVEL",
            callback=_choice(LEVELS, "--log-level"),
            help="debug (every URL), info (progress per site), warning (failures only) or error.",
        ),
    ] = "info",
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            envvar="WERGER_LOG_FORMAT",
            callback=_choice(FORMATS, "--log-format"),
            help="text, or json: one JSON object per line on stderr for journald and log shippers "
            "(also turns the live progress display off).",
        ),
    ] = "text",
) -> None:
    """Crawl partner sites, clean and translate their articles offline into JSONL.

    Example: werger --log-format json --log-level info crawl sites.toml --out data/
    """
    configure(log_level, log_format)
