"""Editors, an XLIFF import and a crawl writing the same records at the same time, as separate processes.

Each round changes the last paragraph of every chosen page on a loopback copy of the fixture site,
starts ``werger crawl`` as a subprocess, and while it runs two editors save corrections through the
review app (itself ``werger review`` in a subprocess) over HTTP, and ``werger import-xliff`` brings
back a CAT tool's edit. Afterwards every save the app acknowledged ("Saved revision N") and every
import it reported as updated must be in the latest state, and no (id, revision) pair may occur
twice in the log.

Run it alone for the figures: ``uv run python tests/writers_race.py --rounds 20``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from log_support import duplicate_pairs

from ingest.demo import serve_directory
from store.log import RecordLog
from store.record import Record
from store.users import Users
from store.xliff import to_xliff

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = re.compile(r'name="base" value="(\d+)"')
SAVED = re.compile(r"saved=(\d+)")
PASSWORDS = {"amina": "amina-secret-1", "bakhtiyar": "bakhtiyar-secret-2"}
TRANSLATOR = ("translator", "translator-secret-3")  # --by of import-xliff must be a reviewer
SEGMENT_OF = {"amina": 0, "bakhtiyar": 1}


def werger(*args: str) -> list[str]:
    return [sys.executable, "-m", "ingest.cli", *args]


def sites_toml(base_url: str) -> str:
    return f"""
[sites.demo]
start_urls = ["{base_url}/"]
sitemaps = ["{base_url}/sitemap.xml"]
allow = ['/news/[^/]+\\.html$']
languages = ["en", "ru", "ar", "ckb", "kmr"]
concurrency = 4
delay = 0.0
allow_private = true
"""


@dataclass
class Ack:
    """A change werger told its author was saved."""

    who: str
    record_id: str
    index: int
    text: str
    revision: int | None = None


@dataclass
class Outcome:
    acks: list[Ack] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def log_in(client: httpx.Client, name: str) -> None:
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"{name} could not log in: {response.status_code}")


def edit_loop(
    base_url: str, name: str, ids: list[str], round_: int, stop: threading.Event, outcome: Outcome
) -> None:
    """One editor: open a record, correct her paragraph, save; again until told to stop."""
    index = SEGMENT_OF[name]
    with httpx.Client(base_url=base_url, timeout=60) as client:
        log_in(client, name)
        n = 0
        while not stop.is_set():
            record_id = ids[n % len(ids)]
            n += 1
            page = client.get(f"/records/{record_id}")
            token, base = CSRF.search(page.text).group(1), BASE.search(page.text).group(1)
            text = f"{name} correction {round_}.{n} of paragraph {index + 1}."
            form = {"csrf_token": token, "base": base, "action": "save", f"t{index}": text}
            response = client.post(f"/records/{record_id}", data=form)
            if response.status_code == 303 and (saved := SAVED.search(response.headers["location"])):
                outcome.acks.append(Ack(name, record_id, index, text, int(saved.group(1))))
            elif response.status_code == 409:
                outcome.conflicts += 1
            else:
                where = response.headers.get("location", "")
                outcome.errors.append(f"{name}: HTTP {response.status_code} {where} saving {record_id}")


def import_once(data: Path, records: list[Record], n: int, outcome: Outcome) -> None:
    """A CAT tool's round trip: export, change paragraph 3, ``werger import-xliff`` as a process."""
    by_pair: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        by_pair.setdefault((record.source_lang, record.target_lang), []).append(record)
    records = max(by_pair.values(), key=len)  # an XLIFF file holds one language pair
    texts = {}
    edited = []
    for record in records:
        text = f"translator correction {n} of paragraph 3."
        segments = [s.model_copy(update={"target": text}) if s.index == 2 else s for s in record.segments]
        edited.append(record.model_copy(update={"segments": segments}))
        texts[record.id] = text
    path = data.parent / f"import-{n}.xlf"
    path.write_bytes(to_xliff(edited))
    result = subprocess.run(
        werger("import-xliff", str(path), "--data", str(data), "--by", "translator"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    conflicted = set(re.findall(r"conflict: ([0-9a-f]{32})", result.stderr))
    if result.returncode not in (0, 1) or (result.returncode == 1 and not conflicted):
        outcome.errors.append(f"import-xliff exited {result.returncode}: {result.stderr[-500:]}")
        return
    outcome.conflicts += len(conflicted)
    for record in records:
        if record.id not in conflicted:
            outcome.acks.append(Ack("translator", record.id, 2, texts[record.id]))


def change_last_paragraphs(site: Path, records: list[Record], round_: int) -> int:
    """Change the last paragraph of each record's page (the editors' paragraphs stay as they are)."""
    changed = 0
    for record in records:
        page = site / record.canonical_url.split("/", 3)[3]
        html = page.read_text(encoding="utf-8")
        last = record.segments[-1].source
        if last in html:
            page.write_text(html.replace(last, f"{last} ({round_})", 1), encoding="utf-8")
            changed += 1
    return changed


def check(data: Path, outcome: Outcome) -> tuple[list[str], list[tuple[str, int]]]:
    """Lost changes and duplicate (id, revision) pairs.

    A change is lost when it never reaches the log at the revision it was acknowledged with, or
    when, after it reached the log, a later line of the record (in file order, as readers meet
    them) holds something else in its paragraph that is not a later acknowledged change of it.
    """
    lines: dict[str, list[Record]] = {}
    for record in RecordLog(data).read():
        lines.setdefault(record.id, []).append(record)
    lost = []
    for ack in outcome.acks:
        if ack.revision is None:
            continue
        at = [r for r in lines.get(ack.record_id, []) if r.revision == ack.revision]
        if not any(r.segments[ack.index].target == ack.text for r in at):
            lost.append(f"{ack.who}: revision {ack.revision} of {ack.record_id} does not hold the save")
    acked: dict[tuple[str, int], set[str]] = {}
    for ack in outcome.acks:
        acked.setdefault((ack.record_id, ack.index), set()).add(ack.text)
    for (record_id, index), texts in acked.items():
        current = None
        seen = set()
        for line in lines.get(record_id, []):
            target = line.segments[index].target if index < len(line.segments) else None
            if target in texts:
                current = target
                seen.add(target)
            elif current is not None:
                lost.append(
                    f"{record_id} paragraph {index + 1}: {current!r} replaced by {target!r} "
                    f"at revision {line.revision}"
                )
                current = None
        lost.extend(f"{record_id} paragraph {index + 1}: {text!r} never written" for text in texts - seen)
    return lost, duplicate_pairs(data)


def editable(data: Path) -> list[Record]:
    """Records with at least four paragraphs: two for the editors, one for the import, one that changes."""
    return sorted((r for r in RecordLog(data).latest().values() if len(r.segments) >= 4), key=lambda r: r.id)


def run(rounds: int, workdir: Path, models_dir: Path | None, say=print) -> dict:
    """The whole race, ``rounds`` times; returns the figures."""
    site, data = workdir / "site", workdir / "data"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    models = ["--models-dir", str(models_dir)] if models_dir else ["--models-dir", str(workdir / "no-models")]
    totals = {
        "rounds": 0,
        "crawl_revised": 0,
        "acknowledged": 0,
        "conflicts": 0,
        "lost": 0,
        "duplicates": 0,
        "errors": 0,
    }
    with serve_directory(site) as base_url:
        sites = workdir / "sites.toml"
        sites.write_text(sites_toml(base_url), encoding="utf-8")
        crawl = werger("crawl", str(sites), "--out", str(data), *models)
        subprocess.run(crawl, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        users = Users(data)
        for name, password in [*PASSWORDS.items(), TRANSLATOR]:
            users.add(name, password)
        users.add("translator", "translator-secret-3")  # imports are credited to a reviewer
        records = editable(data)
        if len(records) < 2:
            raise RuntimeError("the fixture site has too few long pages for the race")
        port = free_port()
        review = subprocess.Popen(
            werger("review", "--data", str(data), "--port", str(port)),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        review_url = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{review_url}/login")
            for round_ in range(1, rounds + 1):
                outcome = Outcome()
                current = editable(data)
                change_last_paragraphs(site, current, round_)
                stop = threading.Event()
                editors = [
                    threading.Thread(
                        target=edit_loop,
                        args=(review_url, name, [r.id for r in current], round_, stop, outcome),
                    )
                    for name in PASSWORDS
                ]
                process = subprocess.Popen(
                    crawl, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                for editor in editors:
                    editor.start()
                import_once(data, current, round_, outcome)
                _, crawl_err = process.communicate(timeout=300)
                stop.set()
                for editor in editors:
                    editor.join(timeout=120)
                if process.returncode != 0:
                    outcome.errors.append(f"crawl exited {process.returncode}: {crawl_err.decode()[-500:]}")
                lost, duplicates = check(data, outcome)
                revised = sum(
                    site["revised"] for site in json.loads((data / "run-summary.json").read_text())["sites"]
                )
                totals["crawl_revised"] += revised
                totals["rounds"] += 1
                totals["acknowledged"] += len(outcome.acks)
                totals["conflicts"] += outcome.conflicts
                totals["lost"] += len(lost)
                totals["duplicates"] = len(duplicates)  # the whole log, after this round
                totals["errors"] += len(outcome.errors)
                say(
                    f"round {round_}: crawl revised {revised}, {len(outcome.acks)} acknowledged, "
                    f"{outcome.conflicts} conflicts shown, "
                    f"{len(lost)} lost, {len(duplicates)} duplicate (id, revision) pairs, "
                    f"{len(outcome.errors)} errors"
                )
                for problem in [*lost, *map(str, duplicates), *outcome.errors][:10]:
                    say(f"  {problem}")
        finally:
            review.terminate()
            review.wait(timeout=30)
    totals["revisions"] = sum(1 for _ in RecordLog(data).read())
    return totals


def tiny_models(workdir: Path) -> Path:
    """A genuine ru->en Argos package with random weights, installed (as the test suite builds it)."""
    from conftest import site_corpus
    from tiny_argos import build_argos_package

    from translate.models import install_file

    package = build_argos_package(workdir / "argos-build", site_corpus(), "ru", "en")
    install_file(package, workdir / "models")
    return workdir / "models"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--models-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="werger-race-") as tmp:
        models = args.models_dir or tiny_models(Path(tmp))
        totals = run(args.rounds, Path(tmp), models)
    print(" ".join(f"{key}={value}" for key, value in totals.items()))
    sys.exit(0 if totals["lost"] == totals["duplicates"] == totals["errors"] == 0 else 1)


if __name__ == "__main__":
    main()
