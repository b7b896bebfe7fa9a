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
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.config import CrawlerSettings
from ingest.errors import WergerIngestError
from store.errors import WergerStoreError
from translate.errors import WergerTranslateError

app = typer.Typer(
    help="Crawl partner sites, clean and translate their articles offline into JSONL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(
    help="List, install and verify translation models (Argos packages, NLLB-200).", no_args_is_help=True
)
app.add_typer(models_app, name="models")
users_app = typer.Typer(help="Reviewers who may log in to `werger review`.", no_args_is_help=True)
app.add_typer(users_app, name="users")

err = Console(stderr=True)
USER_ERRORS = (WergerIngestError, WergerStoreError, WergerTranslateError)

ModelsDir = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="Folder of installed models [default: $WERGER_MODELS_DIR, "
        "$ARGOS_PACKAGES_DIR or Argos Translate's own package folder].",
    ),
]
Target = Annotated[str, typer.Option("--target", help="Language to translate into.")]
DataDir = Annotated[Path, typer.Option("--data", help="Folder holding records.jsonl (a crawl's --out).")]
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
    from rich.markup import escape

    from store.errors import LogDamagedError, NewerLogError

    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    unreadable = isinstance(exc, LogDamagedError | NewerLogError)
    return typer.Exit(code=EXIT_UNREADABLE_LOG if unreadable else 1)


def _warn_unreadable(report, path: Path) -> bool:
    """Tell the operator on stderr which lines of the log were skipped; True when any were."""
    from rich.markup import escape

    for problem in report.problems(path):
        err.print(f"[bold yellow]warning:[/] {escape(problem)}", highlight=False, soft_wrap=True)
    return not report.clean


def _registry(
    models_dir: Path | None,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    beam_size: int = 4,
    repetition_penalty: float = 1.0,
):
    from translate.ct2 import DecodingOptions
    from translate.registry import build_registry

    if beam_size < 1 or repetition_penalty <= 0:
        raise WergerTranslateError("--beam-size must be at least 1 and --repetition-penalty above 0")
    options = DecodingOptions(beam_size=beam_size, repetition_penalty=repetition_penalty)
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
) -> tuple[bool, list[str]]:
    from ingest.pipeline import RunOptions, run_crawl
    from ingest.progress import for_stream
    from ingest.summary import render

    crawler = crawler or CrawlerSettings()
    registry = _registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty)
    options = RunOptions(
        out_dir=out,
        target_lang=target,
        fetcher_options=crawler.fetcher_options(),
        max_run_time=crawler.max_run_time,
    )
    summary = run_crawl(sites, options, registry, for_stream(err.file))
    render(summary)
    Console().print(
        f"records: {out / 'records.jsonl'}   summary: {out / 'run-summary.json'}",
        highlight=False,
        soft_wrap=True,
    )
    return summary.ok, summary.reasons


@app.command()
def crawl(
    sites_file: Annotated[Path, typer.Argument(help="Sites file (TOML), see README.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder for records.jsonl and the run summary.")],
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
) -> None:
    """Crawl the sites of SITES_FILE and append new or changed records to OUT/records.jsonl.

    Safe to run from cron or a systemd timer: a second run on the same OUT exits at once with a
    message; the exit code is 0 only when every site ran (see OUT/run-summary.json for why not).
    Sentences already translated by the same model are taken from OUT/translation-memory.sqlite.

    Example: werger crawl sites.toml --out data/ --contact https://example.org/crawler
    """
    from dataclasses import replace

    from ingest.config import load_config

    try:
        config = load_config(sites_file)
        crawler = replace(
            config.crawler,
            contact=contact or config.crawler.contact,
            max_run_time=max_run_time or config.crawler.max_run_time,
        )
        if crawler.contact is None:
            err.print(
                "warning: no contact in the User-Agent; set [crawler] contact or --contact so site "
                "owners can reach you",
                highlight=False,
                soft_wrap=True,
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
) -> None:
    """Serve the bundled multilingual partner site on 127.0.0.1 and crawl it end to end.

    Example: werger demo --out demo-out
    """
    from ingest.demo import demo_site_config, demo_site_dir, serve_directory

    _clear_previous_demo(out)
    try:
        with serve_directory(demo_site_dir()) as base_url:
            Console().print(f"demo site served at {base_url}", highlight=False, soft_wrap=True)
            ok, reasons = _crawl([demo_site_config(base_url)], out, target, models_dir)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if not ok:
        raise _fail("; ".join(reasons))


def _clear_previous_demo(out: Path) -> None:
    """The demo site gets a new port each run, so old demo records would never match new ones."""
    from ingest.pipeline import SUMMARY_NAME
    from store.log import LOG_NAME

    old = [out / name for name in (LOG_NAME, SUMMARY_NAME) if (out / name).exists()]
    for path in old:
        path.unlink()
    if old:
        Console().print(f"replaced the previous demo output in {out}", highlight=False, soft_wrap=True)


@models_app.command("list")
def models_list(models_dir: ModelsDir = None) -> None:
    """Show installed models and the language pairs they translate.

    Example: werger models list --models-dir ./models
    """
    from rich.table import Table

    from translate.models import list_installed, list_nllb
    from translate.nllb import nllb_version

    folder = _models_dir(models_dir)
    installed = list_installed(folder)
    nllb = list_nllb(folder)
    if not installed and not nllb:
        Console().print(
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
    Console().print(table)


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
            Console().print(f"installed NLLB-200 into {path}", highlight=False, soft_wrap=True)
            return
        if target is None:
            model = install_file(Path(source), folder)
        else:
            model = install_from_index(source, target, folder)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise _fail(f"could not install: {exc}") from None
    Console().print(
        f"installed {model.pair} {model.version} into {model.path}", highlight=False, soft_wrap=True
    )


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")],
    data: DataDir,
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
    Console().print(f"reviewer {name} saved in {data / 'users.json'}", highlight=False, soft_wrap=True)


@app.command()
def review(
    data: DataDir,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep loopback.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
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
        application = create_app(data)
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    from store.index import CrawlIndex

    index = CrawlIndex(data)
    problems = index.report()
    index.close()
    if _warn_unreadable(problems, index.log.path):
        err.print("saves are refused until the log is repaired", highlight=False, soft_wrap=True)
    Console().print(
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
    from store.log import RecordLog
    from store.xliff import import_xliff as run_import

    log = RecordLog(data)
    try:
        index = CrawlIndex(data, log)
        try:
            report = run_import(xliff_file, log, by)
        finally:
            index.close()
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    Console().print(
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
    console = Console()
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
        Path, typer.Argument(help="JSONL of werger records (a log, an export, another crawl).")
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
) -> None:
    """Translate the records of a JSONL file, as a stage on its own; the input is never changed.

    Paragraphs a person edited keep their text; the others are translated with the installed
    models, and records without a model keep status untranslated with the reason.

    Example: werger translate demo-out/records.jsonl --out translated.jsonl
    """
    from contextlib import nullcontext

    from translate.cache import TranslationMemory
    from translate.stage import translate_file

    try:
        registry = _registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty)
        with TranslationMemory(memory) if memory else nullcontext() as tm:
            count = translate_file(source, out, registry, target, tm)
    except OSError as exc:
        raise _fail(f"cannot read {source}: {exc.strerror}") from None
    except USER_ERRORS as exc:
        raise _fail(exc) from None
    if out is not None:
        Console(stderr=True).print(f"translated {count} records into {out}", highlight=False, soft_wrap=True)


@app.command()
def retranslate(
    out: Annotated[Path, typer.Argument(help="Output folder holding records.jsonl.")],
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
    Console().print(
        f"re-translated {len(revised)} records: {misses} sentences translated, {hits} from memory",
        highlight=False,
        soft_wrap=True,
    )


if __name__ == "__main__":
    app()
