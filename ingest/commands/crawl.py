"""``werger crawl`` and ``werger demo``: crawl sites into a data folder (or, with --dry-run, only
show what would be fetched)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    BeamSize,
    Device,
    GlossaryDir,
    ModelsDir,
    NllbDir,
    RepetitionPenalty,
    Target,
    download_progress,
    engine_registry,
    err,
    fail,
    models_folder,
    out,
)
from ingest.config import Config, CrawlerSettings
from ingest.logs import printable


def show_plan(config: Config) -> None:
    """Print what a crawl of ``config`` would start fetching; write nothing.

    Output: one line per URL discovery found (``fetch``, or why not, and where it came from) on
    standard output, then a count line per site. Exits 1 when a site has nothing to fetch.
    """
    from ingest.preflight import discover

    plans = discover(config.sites, config.crawler)
    empty = []
    for plan in plans:
        for planned in plan.urls:
            fields = (plan.site, planned.verdict, planned.url, planned.via)
            typer.echo("\t".join(printable(field) for field in fields))
    for plan in plans:
        verdicts: dict[str, int] = {}
        for planned in plan.urls:
            verdicts[planned.verdict] = verdicts.get(planned.verdict, 0) + 1
        counts = ", ".join(
            f"{n} {'to fetch' if verdict == 'fetch' else verdict}" for verdict, n in verdicts.items()
        )
        out.print(f"{plan.site}: {counts or 'nothing found'}; links inside pages are found only by a crawl")
        for problem in plan.problems:
            out.print(f"{plan.site}: problem: {printable(problem)}")
        if not plan.to_fetch:
            empty.append(plan.site)
    if empty:
        raise fail(f"nothing to fetch for {', '.join(empty)}")


def run_and_report(
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
    registry = engine_registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty, device)
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
            return show_plan(replace(config, crawler=crawler))
        if crawler.contact is None:
            logging.getLogger("werger").warning(
                "no contact in the User-Agent; set [crawler] contact or --contact so site "
                "owners can reach you"
            )
        ok, reasons = run_and_report(
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
        raise fail(exc) from None
    if not ok:
        raise fail("; ".join(reasons))


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
        _install_demo_models(models_folder(models_dir))
    try:
        with serve_directory(demo_site_dir()) as base_url:
            Console(markup=False).print(f"demo site served at {base_url}", highlight=False, soft_wrap=True)
            ok, reasons = run_and_report([demo_site_config(base_url)], out, target, models_dir)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    if not ok:
        raise fail("; ".join(reasons))


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


def register(app: typer.Typer) -> None:
    app.command()(crawl)
    app.command()(demo)
