"""``werger translate --ray-address ray://...`` through Ray Client to a real head node started with
``ray start``, which also declares one GPU without hardware so GPU actors are scheduled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ray_support import (
    ROOT,
    Head,
    cli_env,
    crawl_records,
    cut_into_shards,
    memory_rows,
    output_lines,
    ray_head,
    s3_bucket,
    s3_lines,
    translate_locally,
)

pytest.importorskip("ray", reason="Ray is not installed: the ray extra (werger[ray]) is needed")
pytest.importorskip("ray.data", reason="Ray Data is not installed: the ray extra (werger[ray]) is needed")
pytestmark = pytest.mark.ray_cluster

RUN_S = 420
"""Bound of one command on the head (a loaded 2-core machine starts worker processes slowly)."""


@pytest.fixture(scope="module")
def head():
    """Two CPUs and one declared GPU, on 127.0.0.1, stopped after the module."""
    with ray_head(cpus=2, gpus=1) as started:
        yield started


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    return crawl_records(tmp_path_factory.mktemp("crawl"))


@pytest.fixture(scope="module")
def shards(crawl, tmp_path_factory) -> Path:
    return cut_into_shards(crawl, tmp_path_factory.mktemp("shards"))


@pytest.fixture(scope="module")
def local(crawl, models_dir, tmp_path_factory) -> tuple[list[str], Path]:
    return translate_locally(crawl, models_dir, tmp_path_factory.mktemp("local"))


def werger(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest.cli", "translate", *args], capture_output=True,
                          text=True, cwd=ROOT, env=cli_env() | (env or {}), timeout=RUN_S)  # fmt: skip


def test_the_command_through_ray_client_gives_the_local_output_and_merges_the_memory(
    head: Head, shards, models_dir, local, tmp_path
):
    memory = tmp_path / "tm.sqlite"
    first = werger(str(shards), "--out", str(tmp_path / "out"), "--models-dir", str(models_dir), "--memory",
                   str(memory), "--ray-address", head.client_address, "--actors", "2")  # fmt: skip
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"translated {len(local[0])} records into {tmp_path / 'out'} with 2 actors" in first.stderr
    assert output_lines(tmp_path / "out") == local[0]
    # The memory is a file on the command's machine: the cluster's new translations came back into it.
    assert memory_rows(memory) and memory_rows(memory) == memory_rows(local[1])

    # Again from S3 to S3: the AWS variables are the command's only (the head started without them),
    # and every sentence comes from the memory the first run filled.
    with s3_bucket(shards) as (store, env):
        again = werger("s3://backlog/crawl/", "--out", "s3://backlog/again", "--models-dir", str(models_dir),
                       "--memory", str(memory), "--ray-address", head.client_address, "--actors", "1",
                       env=env)  # fmt: skip
        assert again.returncode == 0, again.stderr[-3000:]
        assert " 0 sentences translated" in again.stderr and "0 from memory" not in again.stderr
        assert s3_lines(store, "backlog/again") == local[0]


def test_device_auto_puts_actors_on_the_clusters_gpu(head: Head, shards, models_dir, tmp_path):
    """The head declares a GPU that is not there: the actors are scheduled on it (Ray hands them
    GPU 0) and then say that CTranslate2 finds no CUDA device; nothing is written."""
    result = werger(str(shards), "--out", str(tmp_path / "out"), "--models-dir", str(models_dir),
                    "--ray-address", head.client_address, "--device", "auto", "--actors", "1")  # fmt: skip
    assert result.returncode == 1
    assert "Ray gave this actor GPU 0 and CTranslate2 sees no CUDA device" in result.stderr
    assert "Traceback" not in result.stderr and "Failed to apply" not in result.stderr
    assert not list((tmp_path / "out").glob("*.jsonl"))
