"""Translation on a real local Ray cluster gives the single-machine output, record for record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
ray = pytest.importorskip("ray", reason="Ray is not installed: the ray extra (werger[ray]) is needed")
pytest.importorskip("ray.data", reason="Ray Data is not installed: the ray extra (werger[ray]) is needed")
pytestmark = pytest.mark.ray_cluster

from ray_support import (  # noqa: E402
    ROOT,
    SHARDS,
    crawl_records,
    cut_into_shards,
    memory_rows,
    output_lines,
    s3_bucket,
    s3_lines,
    translate_locally,
)

from store.errors import RecordInvalidError  # noqa: E402
from translate.distributed import (  # noqa: E402
    ClusterOptions,
    MemoryKeeper,
    RegistrySpec,
    ShardTranslator,
    gpus_per_actor,
    translate_on_ray,
)
from translate.errors import ModelsDifferError, ShardError, WergerTranslateError  # noqa: E402
from translate.shards import find_shards, prepare_destination, storage_options  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    """A real two-CPU Ray cluster on this machine, stopped after the module."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=150 * 2**20)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    return crawl_records(tmp_path_factory.mktemp("crawl"))


@pytest.fixture(scope="module")
def shards(crawl, tmp_path_factory) -> Path:
    return cut_into_shards(crawl, tmp_path_factory.mktemp("shards"))


@pytest.fixture(scope="module")
def local(crawl, models_dir, tmp_path_factory) -> tuple[list[str], Path]:
    return translate_locally(crawl, models_dir, tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="module")
def first_run(cluster, shards, models_dir, tmp_path_factory):
    """Two actors, batches of three records, a fresh translation memory."""
    folder = tmp_path_factory.mktemp("ray")
    summary = translate_on_ray(
        str(shards), str(folder / "out"), RegistrySpec(models_dir), "en", folder / "tm.sqlite",
        ClusterOptions(address=None, actors=2, batch_records=3),
    )  # fmt: skip
    return summary, folder


def test_ray_output_is_the_local_output_record_for_record(first_run, local):
    summary, folder = first_run
    lines = output_lines(folder / "out")
    assert lines == local[0]
    assert summary.records == len(lines) and summary.actors == 2
    assert sorted(p.name for p in (folder / "out").iterdir())[0] == "part-00000.jsonl"
    assert any('"target":' in line and '"target":null' not in line for line in lines)


def test_new_translations_are_merged_into_the_memory(first_run, local):
    summary, folder = first_run
    rows = memory_rows(folder / "tm.sqlite")
    assert rows and rows == memory_rows(local[1])
    assert summary.translated >= len(rows)


def test_a_rerun_takes_every_sentence_from_the_memory_through_fsspec_urls(first_run, shards, models_dir):
    _, folder = first_run
    again = translate_on_ray(
        f"file://{shards}/*.jsonl", f"file://{folder}/again", RegistrySpec(models_dir), "en",
        folder / "tm.sqlite", ClusterOptions(address=None, actors=1),
    )  # fmt: skip
    assert again.translated == 0 and again.from_memory > 0
    assert output_lines(folder / "again") == output_lines(folder / "out")


def test_a_bad_line_is_named_by_shard_and_number_and_leaves_no_shards(cluster, crawl, models_dir, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    lines = crawl.read_text(encoding="utf-8").splitlines()
    (source / "broken.jsonl").write_text("\n".join([lines[0], '{"id": "nope"}', *lines[1:]]) + "\n", "utf-8")
    with pytest.raises(RecordInvalidError, match=r"broken\.jsonl:2: not a werger record"):
        translate_on_ray(str(source), str(tmp_path / "out"), RegistrySpec(models_dir), "en",
                         cluster=ClusterOptions(address=None, actors=1))  # fmt: skip
    assert not list((tmp_path / "out").glob("*.jsonl"))


def test_the_command_runs_on_a_cluster_given_by_address(cluster, shards, models_dir, local, tmp_path):
    """``--device auto`` on a cluster without GPUs: CPU actors, the same records."""
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "translate", str(shards), "--out", str(tmp_path / "out"),
         "--models-dir", str(models_dir), "--ray-address", cluster, "--actors", "1", "--device", "auto"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"translated {len(local[0])} records into {tmp_path / 'out'} with 1 actors" in result.stderr
    assert output_lines(tmp_path / "out") == local[0]


def test_the_command_refuses_a_cluster_run_without_an_output_folder(shards, models_dir):
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "translate", str(shards), "--models-dir", str(models_dir),
         "--ray-address", "local"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "--ray-address needs --out" in result.stderr and "Traceback" not in result.stderr


def test_sources_are_files_folders_and_globs(shards, tmp_path):
    names = [Path(p).name for p in find_shards(str(shards)).paths]
    assert names == [f"crawl-{n}.jsonl" for n in range(SHARDS)]
    assert [Path(p).name for p in find_shards(f"{shards}/crawl-[12].jsonl").paths] == names[1:]
    assert len(find_shards(f"file://{shards}/crawl-0.jsonl").paths) == 1
    with pytest.raises(ShardError, match="no such file or folder"):
        find_shards(str(tmp_path / "missing"))
    with pytest.raises(ShardError, match=r"holds no \.jsonl shards"):
        find_shards(str(tmp_path))


def test_a_destination_that_holds_shards_is_refused(shards):
    with pytest.raises(ShardError, match=r"already holds \.jsonl shards"):
        prepare_destination(str(shards))


def test_an_actor_that_sees_other_models_than_the_command_refuses_to_translate(crawl, tmp_path):
    import pyarrow as pa

    actor = ShardTranslator(RegistrySpec(tmp_path / "no-models"), "en", pairs=[("ru", "en")])
    batch = pa.table({"line": crawl.read_text(encoding="utf-8").splitlines()[:2]})
    with pytest.raises(ModelsDifferError, match=r"finds models for none .* finds ru->en; install the same"):
        actor(batch)


def test_a_damaged_memory_is_named_before_anything_runs(cluster, shards, models_dir, tmp_path):
    damaged = tmp_path / "tm.sqlite"
    damaged.write_bytes(b"not a database, " * 64)
    with pytest.raises(WergerTranslateError, match="cannot open the translation memory"):
        translate_on_ray(str(shards), str(tmp_path / "out"), RegistrySpec(models_dir), "en", damaged,
                         ClusterOptions(address=None, actors=1))  # fmt: skip
    assert damaged.read_bytes() == b"not a database, " * 64
    assert not list((tmp_path / "out").glob("*.jsonl"))


def test_cuda_on_a_cluster_without_gpus_is_refused_before_anything_runs(
    cluster, shards, models_dir, tmp_path
):
    """Ray would wait for ever for a GPU the cluster does not have; the run says so at once."""
    assert ray.cluster_resources().get("GPU", 0) == 0
    with pytest.raises(
        WergerTranslateError, match=r"--device cuda, 1 GPU each\) and the cluster advertises no GPU"
    ):
        translate_on_ray(str(shards), str(tmp_path / "out"), RegistrySpec(models_dir), "en",
                         cluster=ClusterOptions(address=None, actors=1, device="cuda"))  # fmt: skip
    assert not list((tmp_path / "out").glob("*.jsonl"))


@pytest.mark.parametrize(
    ("device", "asked", "cluster_gpus", "expected"),
    [
        ("cpu", 0.0, 4.0, 0.0),  # the default: CPU actors, whatever the cluster has
        ("auto", 0.0, 0.0, 0.0),  # auto without GPUs: CPU actors
        ("auto", 0.0, 2.0, 1.0),  # auto with GPUs: one each
        ("auto", 0.5, 2.0, 0.5),  # two actors share a GPU
        ("cuda", 0.0, 1.0, 1.0),
        ("cpu", 1.0, 1.0, 1.0),  # --gpus-per-actor alone means CUDA, as it always did
    ],
)
def test_gpus_asked_per_actor_follow_the_device_and_the_cluster(device, asked, cluster_gpus, expected):
    options = ClusterOptions(address=None, gpus_per_actor=asked, device=device)
    assert gpus_per_actor(options, cluster_gpus) == expected


def test_more_gpus_per_actor_than_the_cluster_has_is_refused():
    with pytest.raises(WergerTranslateError, match="asks for 2 GPUs and the cluster advertises 1"):
        gpus_per_actor(ClusterOptions(address=None, gpus_per_actor=2, device="cuda"), 1.0)


@pytest.fixture(scope="module")
def s3(shards):
    """A real S3 endpoint on 127.0.0.1 holding the shards under s3://backlog/crawl/."""
    with s3_bucket(shards) as served:
        yield served


def test_shards_are_read_from_and_written_to_s3(cluster, s3, models_dir, local):
    """Only the command has the AWS variables (the cluster's workers started without them): the
    bucket is reached through the options that travel with the tasks."""
    store, env = s3
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "translate", "s3://backlog/crawl/", "--out", "s3://backlog/translated",
         "--models-dir", str(models_dir), "--ray-address", cluster, "--actors", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"translated {len(local[0])} records into s3://backlog/translated with 1 actors" in result.stderr
    assert s3_lines(store, "backlog/translated") == local[0]
    assert "AWS_ENDPOINT_URL" not in os.environ  # the workers could not have found the store by themselves


def test_aws_variables_become_s3_storage_options_and_nothing_else_does():
    env = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL": "http://a",
           "AWS_ENDPOINT_URL_S3": "http://b", "AWS_REGION": "eu-west-1"}  # fmt: skip
    assert storage_options("s3://bucket/x", env) == {
        "key": "k", "secret": "s", "endpoint_url": "http://b", "client_kwargs": {"region_name": "eu-west-1"}
    }  # fmt: skip
    assert storage_options("/data/shards", env) == {} and storage_options("gs://b/x", env) == {}


def test_a_bucket_without_credentials_is_a_message_not_a_traceback(cluster, s3, models_dir, tmp_path):
    _, env = s3
    nowhere = str(tmp_path / "none")
    bare = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "AWS_ENDPOINT_URL": env["AWS_ENDPOINT_URL"], "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_SHARED_CREDENTIALS_FILE": nowhere, "AWS_CONFIG_FILE": nowhere,
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "translate", "s3://backlog/crawl/", "--out", nowhere,
         "--models-dir", str(models_dir), "--ray-address", cluster, "--actors", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=bare,
    )  # fmt: skip
    assert result.returncode == 1
    message = "cannot list s3://backlog/crawl/: NoCredentialsError: Unable to locate credentials"
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_keeper_on_a_copy_of_the_memory_gives_back_what_it_stored_in_order(tmp_path):
    """Through Ray Client the keeper works on a copy; its journal is what is merged into the file."""
    from store.record import EngineRef

    engine = EngineRef(id="argos:translate-ru_en", version="1.9")
    keeper = MemoryKeeper(str(tmp_path / "copy.sqlite"), journal=True)
    keeper.store({"Привет.": "Hello."}, "ru-en", engine)
    keeper.store({"Мир.": "Peace."}, "ru-en", engine)
    assert keeper.lookup(["Мир.", "Дом."], "ru-en", engine) == {"Мир.": "Peace."}
    assert keeper.close() == [({"Привет.": "Hello."}, "ru-en", engine), ({"Мир.": "Peace."}, "ru-en", engine)]
    assert MemoryKeeper(str(tmp_path / "file.sqlite")).close() == []  # on the file itself: no journal
