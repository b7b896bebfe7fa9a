"""What the Ray tests share: records of the fixture site in shards, the single-machine output to
compare with, and a real Ray head node started with ``ray start`` and stopped by its process id."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARDS = 3
HEAD_START_S = 240
"""How long a head node may take to accept Ray Client connections (a loaded 2-core machine)."""


def crawl_records(folder: Path) -> Path:
    """Records of the fixture site crawled with no model, one JSONL log (five languages)."""
    from ingest.demo import demo_site_config, serve_directory
    from ingest.pipeline import RunOptions, run_crawl
    from translate.argos import argos_registry

    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        run_crawl([demo_site_config(base_url)], RunOptions(out_dir=folder), argos_registry(folder / "none"))
    return folder / "records.jsonl"


def cut_into_shards(crawl: Path, folder: Path) -> Path:
    """The crawl cut into three shards of different sizes, as a backlog is stored."""
    lines = crawl.read_text(encoding="utf-8").splitlines(keepends=True)
    cuts = [0, len(lines) // 6, len(lines) // 2, len(lines)]
    for n in range(SHARDS):
        (folder / f"crawl-{n}.jsonl").write_text("".join(lines[cuts[n] : cuts[n + 1]]), encoding="utf-8")
    sizes = [(folder / f"crawl-{n}.jsonl").stat().st_size for n in range(SHARDS)]
    assert sizes == sorted(sizes) and len(set(sizes)) == SHARDS
    return folder


def translate_locally(crawl: Path, models_dir: Path, folder: Path) -> tuple[list[str], Path]:
    """The single-machine output (``werger translate``'s own path) and its translation memory."""
    from translate.argos import argos_registry
    from translate.cache import TranslationMemory
    from translate.stage import translate_file

    with TranslationMemory(folder / "tm.sqlite") as memory:
        translate_file(crawl, folder / "out.jsonl", argos_registry(models_dir), "en", memory)
    return (folder / "out.jsonl").read_text(encoding="utf-8").splitlines(), folder / "tm.sqlite"


def output_lines(folder: Path) -> list[str]:
    """The records of a run's output shards, read in name order."""
    return [line for part in sorted(folder.glob("*.jsonl")) for line in part.read_text("utf-8").splitlines()]


def memory_rows(path: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return set(db.execute("SELECT key, target FROM memory"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TOKEN = secrets.token_hex(32)
"""The Ray token of the head nodes these tests start, their own (not the one in ~/.ray)."""


def cli_env() -> dict[str, str]:
    """The environment for werger subprocesses: no cluster address or Ray auth mode inherited, the
    tests' token in RAY_AUTH_TOKEN (werger turns token authentication on for a ``ray://`` address)."""
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "RAY_AUTH_MODE")}
    return env | {"RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0", "RAY_AUTH_TOKEN": TOKEN}


@dataclass(frozen=True)
class Head:
    """A running head node: its GCS address and its Ray Client address."""

    address: str
    client_address: str


@contextmanager
def ray_head(cpus: int = 2, gpus: int = 0) -> Iterator[Head]:
    """A real Ray head node (``ray start --head --block``) with a Ray Client server on 127.0.0.1.

    Its temporary folder is its own, so neither its address file nor its sockets meet another
    cluster on this machine. ``gpus`` declares GPU resources without hardware (Ray schedules on
    them; nothing runs on a GPU). Stopped by signalling the ``ray start`` process, which stops
    the processes it started; its process group is killed if it does not exit in time.
    """
    temp = tempfile.mkdtemp(prefix="wr-")  # short: Ray's socket paths must fit in 107 bytes
    port, client_port = free_port(), free_port()
    env = cli_env() | {"RAY_TMPDIR": temp, "RAY_AUTH_MODE": "token"}
    command = [
        sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
        f"--port={port}", f"--ray-client-server-port={client_port}", "--node-ip-address=127.0.0.1",
        f"--num-cpus={cpus}", f"--num-gpus={gpus}", f"--temp-dir={temp}", "--include-dashboard=false",
        # Fixed ports: with none the raylet waits for its agents to write theirs to files, and on a
        # loaded machine that wait times out before they are up.
        f"--dashboard-agent-listen-port={free_port()}", f"--dashboard-agent-grpc-port={free_port()}",
        f"--runtime-env-agent-port={free_port()}", f"--metrics-export-port={free_port()}",
        f"--dashboard-port={free_port()}",  # a head starts a minimal dashboard even without the full one
        "--disable-usage-stats",
        f"--object-store-memory={150 * 2**20}",
    ]  # fmt: skip
    log = Path(temp) / "ray-start.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                                   start_new_session=True)  # fmt: skip
    try:
        _wait_for(client_port, process, log)
        yield Head(f"127.0.0.1:{port}", f"ray://127.0.0.1:{client_port}")
    finally:
        _stop(process)
        shutil.rmtree(temp, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HEAD_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ray start exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        # The client port opens before the rest of the node is up; ``ray start`` says when it is.
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0 and "Ray runtime started" in log.read_text():
                return
        time.sleep(0.5)
    raise TimeoutError(
        f"the Ray Client server did not listen within {HEAD_START_S} s:\n{log.read_text()[-3000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # what it started and left behind, by its group
    process.wait(timeout=30)


@contextmanager
def s3_bucket(shards: Path) -> Iterator[tuple[object, dict[str, str]]]:
    """A real S3 endpoint on 127.0.0.1 (moto's server) holding ``shards`` under s3://backlog/crawl/;
    yields an s3fs filesystem on it and the standard AWS variables that reach it."""
    import httpx
    import pytest

    s3fs = pytest.importorskip("s3fs", reason="s3fs (fsspec's s3://) is not installed")
    server_module = pytest.importorskip("moto.server", reason="moto's S3 server is not installed")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "AWS_ACCESS_KEY_ID": "werger",
            "AWS_SECRET_ACCESS_KEY": "werger-secret",
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_DEFAULT_REGION": "eu-central-1",
        }
        store = s3fs.S3FileSystem(
            key="werger",
            secret="werger-secret",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            client_kwargs={"region_name": "eu-central-1"},
        )
        # moto keeps its buckets in this process, whichever server serves them: start empty.
        httpx.post(f"{env['AWS_ENDPOINT_URL']}/moto-api/reset", timeout=30).raise_for_status()
        store.mkdir("backlog")
        for shard in sorted(shards.glob("*.jsonl")):
            store.put_file(str(shard), f"backlog/crawl/{shard.name}")
        yield store, env
    finally:
        server.stop()


def s3_lines(store, folder: str) -> list[str]:
    """The records of a run's output shards in a bucket folder, read in name order."""
    store.invalidate_cache()
    parts = sorted(store.ls(folder))
    assert parts and all(p.rsplit("/", 1)[1].startswith("part-") for p in parts)
    return [line for part in parts for line in store.cat_file(part).decode("utf-8").splitlines()]
