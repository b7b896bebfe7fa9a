"""``werger translate`` and ``werger retranslate``: translation as a stage on its own, and again
after a model upgrade (``translate.stage``, ``translate.retranslate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    BeamSize,
    DataArgument,
    Device,
    GlossaryDir,
    ModelsDir,
    NllbDir,
    RepetitionPenalty,
    Target,
    engine_registry,
    fail,
    models_folder,
    warn_unreadable,
)


def translate_jsonl(
    source: Annotated[
        str,
        typer.Argument(
            help="JSONL of werger records (a log, an export, another crawl); with --ray-address, a file, "
            "folder or glob of .jsonl shards, local or any fsspec URL (s3://bucket/crawl/)."
        ),
    ],
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="Write here instead of standard output; with --ray-address, a folder or fsspec URL.",
        ),
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
        registry = engine_registry(models_dir, nllb_dir, glossary_dir, beam_size, repetition_penalty, device)
        if ray_address is not None:
            from translate.distributed import run_from_cli

            summary = run_from_cli(source, out, ray_address, actors, cpus_per_actor, gpus_per_actor, device,
                                   models_folder(models_dir), nllb_dir, glossary_dir, beam_size,
                                   repetition_penalty, target, memory)  # fmt: skip
            Console(stderr=True).print(summary.describe(out), highlight=False, soft_wrap=True, markup=False)
            return
        with TranslationMemory(memory) if memory else nullcontext() as tm:
            count = translate_file(Path(source), Path(out) if out is not None else None, registry, target, tm)
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc.strerror}") from None
    except USER_ERRORS as exc:
        raise fail(exc) from None
    if out is not None:
        Console(stderr=True, markup=False).print(
            f"translated {count} records into {out}", highlight=False, soft_wrap=True
        )


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
        registry = engine_registry(models_dir, nllb_dir, glossary_dir)
        with TranslationMemory(out / MEMORY_NAME) as memory:
            redone = redo(log.latest(report=report), registry, model, memory)
            index = CrawlIndex(out, log)
            try:
                revised = log.revise({r.id: onto_latest(r, registry, model) for r in redone})
            finally:
                index.close()
            hits, misses = memory.hits, memory.misses
    except USER_ERRORS as exc:
        warn_unreadable(report, log.path)
        raise fail(exc) from None
    Console(markup=False).print(
        f"re-translated {len(revised)} records: {misses} sentences translated, {hits} from memory",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("translate")(translate_jsonl)
    app.command()(retranslate)
