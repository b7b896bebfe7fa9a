"""The ``werger`` command.

Examples::

    werger demo                                  # crawl the bundled fixture site into demo-out/
    werger crawl sites.toml --out data/          # crawl partner sites into data/records.jsonl
    werger models list                           # installed translation models
    werger models install ru en                  # from the Argos package index (online)
    werger models install translate-ru_en.argosmodel   # from a file (air-gapped machines)
    werger users add amina --data data/          # a reviewer for the review app
    werger review --data data/                   # the editors' web app on 127.0.0.1:8765
    werger export --data data/ --status approved --lang ckb --format xliff --out ckb.xlf
    werger import-xliff ckb.xlf --data data/ --by amina
    werger models install nllb-200-ct2/          # an NLLB-200 CTranslate2 folder (Sorani, Kurmanji)
    werger models verify                         # installed files still match their recorded SHA-256
    werger retranslate data/ --model argos:translate-ru_en   # redo what an upgraded model produced
    werger translate records.jsonl --out translated.jsonl    # translation alone, over any JSONL
    werger translate s3://bucket/crawl/ --out s3://bucket/en/ --ray-address auto   # on a Ray cluster
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands import check as check_commands
from ingest.commands import crawl as crawl_commands
from ingest.commands import root as root_options
from ingest.commands import status as status_commands
from ingest.commands.common import DataArgument, DataDir, ModelsDir, UsersDataDir
from ingest.config import CrawlerSettings
from ingest.errors import WergerIngestError
from store.errors import WergerStoreError
from translate.errors import WergerTranslateError

# Help texts are shown exactly as written: with rich markup on, "[crawler]" or "[sites.<name>]"
# in a help text would be taken for a style tag and vanish.
app = typer.Typer(
    help="Crawl partner sites, clean and translate their articles offline into JSONL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
models_app = typer.Typer(
    help="List, install and verify translation models (Argos packages, NLLB-200).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(models_app, name="models")
users_app = typer.Typer(
    help="Reviewers who may log in to `werger review`.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(users_app, name="users")
root_options.register(app)
status_commands.register(app)
check_commands.register(app)

err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
USER_ERRORS = (WergerIngestError, WergerStoreError, WergerTranslateError)

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


def _models_dir(models_dir: Path | None) -> Path:
    from translate.models import default_models_dir

    return models_dir or default_models_dir()


EXIT_UNREADABLE_LOG = 3
"""Exit code when the log holds lines this werger cannot read (damaged, or from a newer werger)."""


def _fail(exc: Exception | str) -> typer.Exit:
    from ingest.commands.common import fail
    from store.errors import LogDamagedError, NewerLogError

    unreadable = isinstance(exc, LogDamagedError | NewerLogError)
    return fail(exc, EXIT_UNREADABLE_LOG if unreadable else 1)


def _warn_unreadable(report, path: Path) -> bool:
    """Tell the operator on stderr which lines of the log were skipped; True when any were."""
    from ingest.summary import terminal_text

    for problem in report.problems(path):  # err prints without markup: the text stays as it is
        err.print(f"warning: {terminal_text(problem)}", highlight=False, soft_wrap=True)
    return not report.clean


def _registry(
    models_dir: Path | None,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    beam_size: int = 4,
    repetition_penalty: float = 1.0,
    device: str = "cpu",
):
    from translate.ct2 import DEVICES, DecodingOptions
    from translate.registry import build_registry

    if beam_size < 1 or repetition_penalty <= 0:
        raise WergerTranslateError("--beam-size must be at least 1 and --repetition-penalty above 0")
    if device not in DEVICES:
        raise WergerTranslateError(f"--device is one of {', '.join(DEVICES)}, not {device!r}")
    options = DecodingOptions(beam_size=beam_size, repetition_penalty=repetition_penalty, device=device)
    return build_registry(_models_dir(models_dir), nllb_dir, glossary_dir, options=options)


def _crawl(
    sites: list,
    out: Path,
    target: str,
    models_dir: Path | None,
    crawler: CrawlerSettings | None = None,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    beam_size: int = 4,
    repetition_penalty: float = 1.0,
    device: str = "cpu",
    all_languages: bool = False,
) -> tuple[bool, list[str]]:
    from ingest.pipeline import RunOptions, run_crawl
    from ingest.progress import for_stream
    from ingest.summary import log_run, render

    crawler = crawler or CrawlerSettings()
    registry = _registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty, device)
    options = RunOptions(
        out_dir=out,
        target_lang=target,
        fetcher_options=crawler.fetcher_options(),
        max_run_time=crawler.max_run_time,
        extract_processes=crawler.extract_processes,
        all_languages=all_languages,
    )
    summary = run_crawl(sites, options, registry, for_stream(err.file))
    log_run(summary, out)
    render(summary)
    Console(markup=False).print(
        f"records: {out / 'records.jsonl'}   summary: {out / 'run-summary.json'}",
        highlight=False,
        soft_wrap=True,
    )
    return summary.ok, summary.reasons


@app.command()
def crawl(
    sites_file: Annotated[Path, typer.Argument(help="Sites file (TOML), see README.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder for records.jsonl and the run summary [required]."),
    ] = None,
    target: Target = "en",
    models_dir: ModelsDir = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="URL or e-mail for the User-Agent [default: [crawler] contact]."),
    ] = None,
    max_run_time: Annotated[
        float | None,
        typer.Option("--max-run-time", help="Seconds for the whole run [default: [crawler] max_run_time]."),
    ] = None,
    nllb_dir: NllbDir = None,
    glossary_dir: GlossaryDir = None,
    beam_size: BeamSize = 4,
    repetition_penalty: RepetitionPenalty = 1.0,
    device: Device = "cpu",
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Discovery only: read robots.txt, sitemaps and feeds and list what would be "
            "fetched (tab-separated: site, verdict, URL, where found); write nothing.",
        ),
    ] = False,
    all_languages: Annotated[
        bool,
        typer.Option(
            "--all-languages",
            help="Translate paragraphs in every language, not only those in a site's languages list.",
        ),
    ] = False,
) -> None:
    """Crawl the sites of SITES_FILE and append new or changed records to OUT/records.jsonl.

    Safe to run from cron or a systemd timer: a second run on the same OUT exits at once with a
    message; the exit code is 0 only when every site ran (see OUT/run-summary.json for why not).
    Sentences already translated by the same model are taken from OUT/translation-memory.sqlite.

    Example: werger crawl sites.toml --out data/ --contact https://example.org/crawler
    """
    from dataclasses import replace

    from ingest.config import load_config

    if out is None and not dry_run:
        raise typer.BadParameter("give the output folder (not needed with --dry-run)", param_hint="--out")
    try:
        config = load_config(sites_file)
        crawler = replace(
            config.crawler,
            contact=contact or config.crawler.contact,
            max_run_time=max_run_time or config.crawler.max_run_time,
        )
        if dry_run:
            return crawl_commands.show_plan(replace(config, crawler=crawler))
        if crawler.contact is None:
            logging.getLogger("werger").warning(
                "no contact in the User-Agent; set [crawler] contact or --contact so site "
                "owners can reach you"
            )
        ok, reasons = _crawl(
            config.sites,
            out,
            target,
            models_dir,
            crawler,
            nllb_dir,
            glossary_dir,
            beam_size,
            repetition_penalty,
            device,
            all_languages,
        )
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if not ok:
        raise _fail("; ".join(reasons))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("demo-out"),
    target: Target = "en",
    models_dir: ModelsDir = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Do not try the Argos package index for the demo's models."),
    ] = False,
) -> None:
    """Serve the bundled multilingual partner site on 127.0.0.1 and crawl it end to end.

    Unless --offline, the ru->en and ar->en models are first installed from the Argos package
    index when missing (once; a few seconds' wait at most when the index cannot be reached).

    Example: werger demo --out demo-out
    """
    from ingest.demo import demo_site_config, demo_site_dir, serve_directory

    _clear_previous_demo(out)
    if not offline and target == "en":
        _install_demo_models(_models_dir(models_dir))
    try:
        with serve_directory(demo_site_dir()) as base_url:
            Console(markup=False).print(f"demo site served at {base_url}", highlight=False, soft_wrap=True)
            ok, reasons = _crawl([demo_site_config(base_url)], out, target, models_dir)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if not ok:
        raise _fail("; ".join(reasons))


DEMO_PAIRS = [("ru", "en"), ("ar", "en")]


def _install_demo_models(folder: Path) -> None:
    """Install the demo's models from the index; without it the demo goes on and says why."""
    from translate.models import install_pairs

    console = Console()
    try:
        with download_progress() as progress:
            for model in install_pairs(DEMO_PAIRS, folder, progress):
                note = f"installed {model.pair} {model.version} into {model.path}"
                console.print(note, markup=False, highlight=False, soft_wrap=True)
    except (*USER_ERRORS, OSError) as exc:
        note = f"demo models not installed, going on without them: {exc}"
        console.print(note, markup=False, highlight=False, soft_wrap=True)


def _clear_previous_demo(out: Path) -> None:
    """The demo site gets a new port each run, so old demo records would never match new ones."""
    from ingest.pipeline import SUMMARY_NAME
    from store.log import LOG_NAME

    old = [out / name for name in (LOG_NAME, SUMMARY_NAME) if (out / name).exists()]
    for path in old:
        path.unlink()
    if old:
        Console(markup=False).print(
            f"replaced the previous demo output in {out}", highlight=False, soft_wrap=True
        )


@models_app.command("list")
def models_list(models_dir: ModelsDir = None) -> None:
    """Show installed models and the language pairs they translate.

    Example: werger models list --models-dir ./models
    """
    from rich.table import Table

    from translate.madlad import madlad_version
    from translate.models import list_installed, list_madlad, list_nllb
    from translate.nllb import nllb_version

    folder = _models_dir(models_dir)
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
        table.add_row("NLLB-200: any of en ru ar ckb kmr", nllb_version(path), path.name)
    for path in madlad:
        table.add_row("MADLAD-400: any of en ru ar ckb kmr", madlad_version(path), path.name)
    Console(markup=False).print(table)


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


@models_app.command("install")
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

    folder = _models_dir(models_dir)
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
        raise _fail(exc) from None
    except OSError as exc:
        raise _fail(f"could not install: {exc}") from None
    Console(markup=False).print(
        f"installed {model.pair} {model.version} into {model.path}", highlight=False, soft_wrap=True
    )


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")],
    data: UsersDataDir,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Add a reviewer (or set a new password) in DATA/users.json; the password is stored hashed.

    Example: werger users add amina --data data/
    """
    import sys

    from store.users import Users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        Users(data).add(name, password)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    Console(markup=False).print(
        f"reviewer {name} saved in {data / 'users.json'}", highlight=False, soft_wrap=True
    )


@users_app.command("list")
def users_list(data: DataDir) -> None:
    """List the reviewers in DATA/users.json with when each was added and last given a password.

    Example: werger users list --data data/
    """
    from store.users import Users

    try:
        entries = Users(data).entries()
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    for name, entry in sorted(entries.items()):
        changed = entry.get("changed", "-")
        typer.echo(f"{_printable(name)}\tadded {entry.get('added', '-')}\tpassword changed {changed}")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")], data: DataDir
) -> None:
    """Remove a reviewer; their open review sessions end at once (their revisions stay in the log).

    Example: werger users remove amina --data data/
    """
    from store.users import Users

    try:
        Users(data).remove(name)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    typer.echo(f"reviewer {_printable(name)} removed; their sessions are ended")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")],
    data: DataDir,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Give an existing reviewer a new password; their open review sessions end at once.

    Example: werger users passwd amina --data data/
    """
    import sys

    from store.users import Users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        Users(data).set_password(name, password)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    typer.echo(f"new password saved for {_printable(name)}; their sessions are ended")


def _env_glossary_dir() -> Path | None:
    import os

    from translate.glossary import GLOSSARY_DIR_ENV

    return Path(os.environ[GLOSSARY_DIR_ENV]) if os.environ.get(GLOSSARY_DIR_ENV) else None


def _printable(text: str) -> str:
    """Text safe for a terminal: control characters shown as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@app.command()
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
            raise _fail(
                f"no reviewers in {data / 'users.json'}; add one with: werger users add NAME --data {data}"
            )
        glossaries = glossary_dir or _env_glossary_dir() or _models_dir(models_dir) / "glossaries"
        application = create_app(data, https_only=https_only, glossary_dir=glossaries)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
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
    if _warn_unreadable(problems, index.log.path):
        err.print("saves are refused until the log is repaired", highlight=False, soft_wrap=True)
    Console(markup=False).print(
        f"review app on http://{host}:{port}/  (Ctrl+C stops it)", highlight=False, soft_wrap=True
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def export(
    data: DataDir,
    status: Annotated[str | None, typer.Option("--status", help="Only records with this status.")] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only records revised on or after this date (YYYY-MM-DD, UTC)."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Only records in this source language.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only records of this site.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl, xliff (2.0) or effort (edit distances).")
    ] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Export the latest revision of each record, filtered, as JSONL, XLIFF 2.0 or post-edit effort.

    Examples: werger export --data data/ --status approved --since 2026-01-01 --lang ckb --format xliff
    """
    import sys
    from datetime import datetime

    from store.export import FORMATS, Filters, select, select_lines, since_datetime, write_effort, write_lines
    from store.index import CrawlIndex
    from store.log import ReadReport
    from store.record import Status
    from store.xliff import to_xliff

    if fmt not in FORMATS:
        raise _fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    try:
        filters = Filters(
            status=Status(status) if status else None,
            since=since_datetime(datetime.fromisoformat(since)) if since else None,
            lang=lang,
            site=site,
        )
    except ValueError as exc:
        raise _fail(
            f"{exc}; --status is one of {', '.join(s.value for s in Status)}, --since YYYY-MM-DD"
        ) from None
    report = ReadReport()
    try:
        index = CrawlIndex(data)
        index.fill_report(report)
        if fmt == "jsonl":
            with out.open("wb") if out else _stdout(binary=True) as fh:
                write_lines(select_lines(index, filters), fh)
        else:
            records = select(index, filters)
            if fmt == "xliff":
                body = to_xliff(records)
                _ = out.write_bytes(body) if out else sys.stdout.buffer.write(body)
            else:
                with out.open("w", encoding="utf-8") if out else _stdout() as fh:
                    write_effort(records, fh)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if _warn_unreadable(report, data / "records.jsonl"):
        raise typer.Exit(code=EXIT_UNREADABLE_LOG)


def _stdout(binary: bool = False):
    import contextlib
    import sys

    return contextlib.nullcontext(sys.stdout.buffer if binary else sys.stdout)


@app.command("import-xliff")
def import_xliff(
    xliff_file: Annotated[Path, typer.Argument(help="An XLIFF 2 file made by werger export.")],
    data: DataDir,
    by: Annotated[str, typer.Option("--by", help="Reviewer the new revisions are credited to.")],
) -> None:
    """Bring edits made in a CAT tool back as new revisions (records changed meanwhile are skipped).

    Example: werger import-xliff ckb.xlf --data data/ --by amina
    """
    from store.index import CrawlIndex
    from store.xliff import import_xliff as run_import

    try:
        index = CrawlIndex(data)
        try:
            report = run_import(xliff_file, index.log, by)
        finally:
            index.close()
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    Console(markup=False).print(
        f"updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"conflicts {len(report.conflicts)}",
        highlight=False,
        soft_wrap=True,
    )
    for record_id in report.conflicts:
        err.print(f"conflict: {record_id} changed since the export; export it again", highlight=False)
    if report.conflicts:
        raise typer.Exit(code=1)


@app.command()
def repair(data: DataDir) -> None:
    """Move unreadable lines of DATA/records.jsonl aside to DATA/records.jsonl.quarantine.

    Nothing is deleted: each unreadable line is appended, byte for byte, to the quarantine file and
    the log is rewritten without it (under the log's lock, through a rename). A log re-saved as
    UTF-16, or lines with a UTF-8 byte-order mark, are converted back instead. Lines written by a
    newer werger are left alone: upgrade werger for those. Run it when another command reports
    unreadable lines (exit code 3).

    Example: werger repair --data data/
    """
    from store.log import RecordLog
    from store.repair import describe
    from store.repair import repair as run_repair

    log = RecordLog(data)
    try:
        report = run_repair(log)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    Console().print(describe(report, log.path), highlight=False, soft_wrap=True)


@models_app.command("verify")
def models_verify(models_dir: ModelsDir = None) -> None:
    """Check every installed model against the SHA-256 checksums recorded when it was installed.

    Exits non-zero when a file changed, went missing or was never recorded.

    Example: werger models verify --models-dir ./models
    """
    from translate.models import verify_installed

    folder = _models_dir(models_dir)
    try:
        results = verify_installed(folder)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    console = Console(markup=False)
    if not results:
        console.print(f"no models installed in {folder}", highlight=False, soft_wrap=True)
    for result in results:
        verdict = "ok" if result.ok else "FAILED: " + "; ".join(result.problems)
        console.print(f"{result.name}: {verdict}", highlight=False, soft_wrap=True)
    if not all(result.ok for result in results):
        raise _fail(f"some models in {folder} do not match {folder / 'manifest.json'}; reinstall them")


@app.command("translate")
def translate_jsonl(
    source: Annotated[
        str,
        typer.Argument(
            help="JSONL of werger records (a log, an export, another crawl); with --ray-address, a file, "
            "folder or glob of .jsonl shards, local or any fsspec URL (s3://bucket/crawl/)."
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    target: Target = "en",
    models_dir: ModelsDir = None,
    nllb_dir: NllbDir = None,
    glossary_dir: GlossaryDir = None,
    memory: Annotated[
        Path | None, typer.Option("--memory", help="Translation memory (SQLite) to read and extend.")
    ] = None,
    beam_size: BeamSize = 4,
    repetition_penalty: RepetitionPenalty = 1.0,
    device: Device = "cpu",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Translate on a Ray cluster: auto, HOST:6379, ray://HOST:10001, or local (a cluster on "
            "this machine); --out is then a folder or URL for the translated shards (werger's ray extra).",
        ),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option("--actors", help="Model copies on the cluster (default: as many as fit)."),
    ] = None,
    cpus_per_actor: Annotated[
        float, typer.Option("--cpus-per-actor", help="CPUs (decoding threads) each model copy takes.")
    ] = 1.0,
    gpus_per_actor: Annotated[
        float, typer.Option("--gpus-per-actor", help="GPUs each model copy takes (above 0: decode on CUDA).")
    ] = 0.0,
) -> None:
    """Translate the records of a JSONL file, as a stage on its own; the input is never changed.

    Paragraphs a person edited keep their text; the others are translated with the installed
    models, and records without a model keep status untranslated with the reason.

    Example: werger translate demo-out/records.jsonl --out translated.jsonl

    On a cluster: werger translate s3://bucket/crawl/ --out s3://bucket/translated/ --ray-address auto
    """
    from contextlib import nullcontext

    from translate.cache import TranslationMemory
    from translate.stage import translate_file

    try:
        registry = _registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty, device)
        if ray_address is not None:
            from translate.distributed import run_from_cli

            summary = run_from_cli(source, out, ray_address, actors, cpus_per_actor, gpus_per_actor,
                                   _models_dir(models_dir), nllb_dir, glossary_dir, beam_size,
                                   repetition_penalty, target, memory)  # fmt: skip
            Console(stderr=True).print(summary.describe(out), highlight=False, soft_wrap=True, markup=False)
            return
        with TranslationMemory(memory) if memory else nullcontext() as tm:
            count = translate_file(Path(source), out, registry, target, tm)
    except OSError as exc:
        raise _fail(f"cannot read {source}: {exc.strerror}") from None
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if out is not None:
        Console(stderr=True, markup=False).print(
            f"translated {count} records into {out}", highlight=False, soft_wrap=True
        )


@app.command()
def retranslate(
    out: DataArgument,
    model: Annotated[
        str, typer.Option("--model", help="Engine id whose output to redo, as in a segment's engine.id.")
    ],
    models_dir: ModelsDir = None,
    nllb_dir: NllbDir = None,
    glossary_dir: GlossaryDir = None,
) -> None:
    """Re-translate what MODEL produced, after a newer version of it (or another model) was installed.

    Only records with a segment from MODEL in a version other than the one installed now get a new
    revision; their other sentences come from the translation memory.

    Example: werger retranslate data/ --model argos:translate-ru_en-1_9
    """
    from store.index import CrawlIndex
    from store.log import ReadReport, RecordLog
    from translate.cache import MEMORY_NAME, TranslationMemory
    from translate.retranslate import onto_latest
    from translate.retranslate import retranslate as redo

    log, report = RecordLog(out), ReadReport()
    try:
        registry = _registry(models_dir, nllb_dir, glossary_dir)
        with TranslationMemory(out / MEMORY_NAME) as memory:
            redone = redo(log.latest(report=report), registry, model, memory)
            index = CrawlIndex(out, log)
            try:
                revised = log.revise({r.id: onto_latest(r, registry, model) for r in redone})
            finally:
                index.close()
            hits, misses = memory.hits, memory.misses
    except USER_ERRORS as exc:
        _warn_unreadable(report, log.path)
        raise _fail(exc) from None
    Console(markup=False).print(
        f"re-translated {len(revised)} records: {misses} sentences translated, {hits} from memory",
        highlight=False,
        soft_wrap=True,
    )


if __name__ == "__main__":
    app()
