"""``werger status``: what a data folder holds and how its last crawl went.

Read-only: it reads ``records.jsonl`` (current revision of each record), ``run-summary.json`` and
the models folder, and writes nothing, so monitoring may run it while a crawl writes.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ingest.commands.common import DataDir, ModelsDir, fail, models_folder, out
from ingest.logs import printable


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(
    data: DataDir,
    models_dir: ModelsDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, for monitoring.")] = False,
) -> None:
    """Show records per site, language and status, the last run and its outcome, models and disk use.

    Exits 0 whatever the last run did: read last_run.ok from --json to alert on it.

    Example: werger status --data data/ --json
    """
    report = gather(data, models_folder(models_dir))
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    show(report)


def gather(data: Path, models_dir: Path) -> dict:
    """Everything ``werger status`` shows, as plain JSON types (sizes in bytes)."""
    from ingest.pipeline import SUMMARY_NAME
    from ingest.runlock import running
    from store.reader import LogNotFoundError, RecordReader

    counts: Counter[tuple[str, str, str]] = Counter()
    removed = 0
    newest = None
    report: dict = {"data": str(data), "records": 0, "removed": 0}
    try:
        reader = RecordReader(data)
        for record in reader.latest():
            counts[(record.site, record.source_lang, record.status.value)] += 1
            removed += record.removed_at is not None
            newest = max(newest or record.revised_at, record.revised_at)
        report["torn_last_line"] = reader.report.torn_tail
        report["invalid_lines"] = reader.report.invalid_lines
    except LogNotFoundError:
        pass
    report["records"] = sum(counts.values())
    report["removed"] = removed
    report["last_revised_at"] = newest.isoformat() if newest else None
    report["by_site"] = [
        {"site": site, "lang": lang, "status": state, "records": n}
        for (site, lang, state), n in sorted(counts.items())
    ]
    report["running"] = running(data)
    report["last_run"] = _last_run(data / SUMMARY_NAME)
    report["models"] = _models(models_dir)
    report["disk"] = {p.name: p.stat().st_size for p in sorted(data.iterdir()) if p.is_file()}
    report["disk_total"] = sum(report["disk"].values())
    return report


def _last_run(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {path}: {exc}") from None
    outcomes: Counter[str] = Counter()
    for site in summary.get("sites", []):
        outcomes.update(site.get("outcomes", {}))
    return {
        "started_at": summary.get("started_at"),
        "finished_at": summary.get("finished_at"),
        "ok": summary.get("ok"),
        "reasons": summary.get("reasons", []),
        "outcomes": dict(outcomes),
    }


def _models(models_dir: Path) -> dict:
    from translate.ct2 import conversion_version
    from translate.models import list_installed, list_nllb

    installed = [
        {"pair": m.pair, "version": m.version, "package": m.path.name} for m in list_installed(models_dir)
    ]
    installed += [
        {"pair": "NLLB-200", "version": conversion_version(p), "package": p.name}
        for p in list_nllb(models_dir)
    ]
    return {"folder": str(models_dir), "installed": installed}


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def show(report: dict) -> None:
    from rich.table import Table

    out.print(f"data folder {report['data']}: {report['records']} records, {report['removed']} removed")
    if report["last_revised_at"]:
        out.print(f"last revision written at {report['last_revised_at']}")
    if report["by_site"]:
        table = Table("site", "lang", "status", "records")
        for row in report["by_site"]:
            table.add_row(row["site"], row["lang"], row["status"], str(row["records"]))
        out.print(table)
    if report.get("torn_last_line"):
        out.print("the last line of records.jsonl is incomplete (a crawl is writing, or one crashed)")
    if report.get("invalid_lines"):
        out.print(f"lines that are not valid records: {report['invalid_lines'][:20]}")
    if report["running"]:
        out.print(f"crawl running: {report['running']}")
    run = report["last_run"]
    if run is None:
        out.print("last run: none (no run-summary.json)")
    else:
        verdict = "ok" if run["ok"] else "NOT OK: " + printable("; ".join(run["reasons"]))
        counts = ", ".join(f"{k} {v}" for k, v in run["outcomes"].items() if v)
        out.print(f"last run: {run['started_at']} to {run['finished_at']}: {verdict}")
        out.print(f"  URLs: {counts or 'none'}")
    models = report["models"]
    names = ", ".join(f"{m['pair']} {m['version']}" for m in models["installed"]) or "none"
    out.print(f"models in {models['folder']}: {names}")
    files = ", ".join(f"{name} {_size(n)}" for name, n in report["disk"].items())
    out.print(f"disk: {_size(report['disk_total'])} ({files})")
