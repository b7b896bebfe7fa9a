"""``werger translate`` on a Ray cluster, as Ray Data batch inference.

The pipeline is Ray Data's batch-inference shape: shards are read in name order by tasks, through
fsspec (every line checked,
a bad one named by shard and line number), records flow in batches to a pool of actors each of
which loads the CTranslate2 models once (on a CPU, or on a GPU it was given) and translates with
the very code of the single-machine path (``translate.records.translate_records``), and the
translated records are written as JSONL shards by tasks. Order is preserved, so the output shards
read in name order are the single-machine output record for record.

The translation memory stays one SQLite file on the machine that runs the command: an actor
pinned to that machine owns it. Each batch's sentences are deduplicated and looked up there
before any reaches a model, and its new translations are merged back before its records are
written, so a sentence repeated across shards is translated once (more often only when several
actors meet it at the same moment), and a rerun after a crash translates only what is new.

Every node needs werger with the ``ray`` extra and the same models at the same paths (or a shared
folder); the shards and the output may be anywhere fsspec reaches.

Through Ray Client (``ray://HOST:10001``) the machine running the command is no node of the
cluster: its disk is not the workers'. The run is then handed whole to a driver task on the
cluster, which lists the shards, prepares the output and checks the models where the workers
see them (a path without a protocol names the cluster's disk); the translation memory, a file on
the command's machine, is sent to that task as a copy and the new translations come back and are
merged into the file when the run ends, even when it fails.

GPU actors: ``--device cuda`` (or ``--gpus-per-actor`` above 0) asks Ray for a GPU per actor and
decodes on CUDA; ``--device auto`` does so only when the cluster advertises GPUs. A cluster that
has none is refused at once rather than left waiting for resources that never come.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from store.errors import WergerStoreError
from translate.ct2 import DecodingOptions
from translate.errors import ModelsDifferError, RayMissingError, ShardError, WergerTranslateError
from translate.glossary import GLOSSARY_DIR_ENV
from translate.nllb import NLLB_DIR_ENV
from translate.shards import (
    Shards,
    describe,
    find_shards,
    is_storage_error,
    prepare_destination,
    shard_lines,
    storage_options,
)
from translate.stage import BATCH_RECORDS

LOCAL_CLUSTER = "local"
IO_CPUS = 0
"""CPUs reserved by the read and write tasks: none, so a pool sized to the cluster's CPUs never
starves them (they wait on storage, the actors on arithmetic); their number is bounded instead."""


def _names(pairs) -> str:
    return ", ".join("->".join(pair) for pair in pairs) or "none"


@dataclass(frozen=True)
class RegistrySpec:
    """What each actor builds its engines from (paths as every node sees them)."""

    models_dir: Path
    nllb_dir: Path | None = None
    glossary_dir: Path | None = None
    options: DecodingOptions = field(default_factory=DecodingOptions)

    @classmethod
    def on_this_machine(
        cls, models_dir: Path, nllb_dir: Path | None, glossary_dir: Path | None, options: DecodingOptions
    ) -> RegistrySpec:
        """Absolute paths, with ``$WERGER_NLLB_DIR`` and ``$WERGER_GLOSSARY_DIR`` read here: the
        actors' environment on other nodes is not this shell's."""
        from translate.registry import GLOSSARY_FOLDER, _env_path

        nllb_dir = nllb_dir or _env_path(NLLB_DIR_ENV)
        glossary_dir = glossary_dir or _env_path(GLOSSARY_DIR_ENV) or models_dir / GLOSSARY_FOLDER
        absolute = [p.resolve() if p is not None else None for p in (models_dir, nllb_dir, glossary_dir)]
        return cls(absolute[0], absolute[1], absolute[2], options)

    def build(self):
        from translate.registry import build_registry

        return build_registry(self.models_dir, self.nllb_dir, self.glossary_dir, options=self.options)


@dataclass(frozen=True)
class ClusterOptions:
    """Where and how wide to run.

    ``address`` is Ray's: ``auto`` (the cluster this machine belongs to), ``HOST:6379``,
    ``ray://HOST:10001``, or ``local`` to start a cluster on this machine for the run; None uses
    the Ray already initialised in this process. ``actors`` defaults to as many as the cluster's
    CPUs (or GPUs, when each actor takes some) allow. ``device`` is "cpu", "cuda" or "auto"
    (CUDA when the cluster advertises GPUs); ``gpus_per_actor`` above 0 means CUDA, and "cuda" or
    "auto" with GPUs takes 1 GPU per actor unless it says otherwise.
    """

    address: str | None = LOCAL_CLUSTER
    actors: int | None = None
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0
    batch_records: int = BATCH_RECORDS
    device: str = "cpu"


def gpus_per_actor(cluster: ClusterOptions, cluster_gpus: float) -> float:
    """GPUs to ask Ray for per actor, given the GPUs the cluster advertises; 0 means CPU actors.

    Raises WergerTranslateError when GPUs are asked for and the cluster has none: Ray would
    otherwise wait for them for ever.
    """
    if cluster.device not in ("cpu", "cuda", "auto"):
        raise WergerTranslateError(f"--device is one of cpu, cuda, auto, not {cluster.device!r}")
    wanted = cluster.gpus_per_actor
    if cluster.device == "cuda" or (cluster.device == "auto" and cluster_gpus > 0):
        wanted = wanted or 1.0
    if wanted > 0 and cluster_gpus <= 0:
        raise WergerTranslateError(
            f"GPU actors were asked for (--device {cluster.device}, {wanted:g} GPU each) and the cluster "
            "advertises no GPU; use --device cpu or auto, or add GPU nodes"
        )
    if wanted > cluster_gpus:
        raise WergerTranslateError(
            f"each actor asks for {wanted:g} GPUs and the cluster advertises {cluster_gpus:g}"
        )
    return wanted


@dataclass(frozen=True)
class RunSummary:
    """What a run did: records written, sentences sent to a model, sentences from memory, actors."""

    records: int
    translated: int
    from_memory: int
    actors: int

    def describe(self, destination: object) -> str:
        return (
            f"translated {self.records} records into {destination} with {self.actors} actors: "
            f"{self.translated} sentences translated, {self.from_memory} from memory"
        )


def run_from_cli(
    source: str,
    out: object,
    address: str,
    actors: int | None,
    cpus_per_actor: float,
    gpus_per_actor: float,
    device: str,
    models_dir: Path,
    nllb_dir: Path | None,
    glossary_dir: Path | None,
    beam_size: int,
    repetition_penalty: float,
    target: str,
    memory: Path | None,
) -> RunSummary:
    """``werger translate --ray-address``: the command's options, checked, turned into a run."""
    if out is None:
        raise WergerTranslateError("--ray-address needs --out: a folder or URL for the translated shards")
    if (actors is not None and actors < 1) or cpus_per_actor <= 0 or gpus_per_actor < 0:
        raise WergerTranslateError(
            "--actors must be at least 1, --cpus-per-actor above 0 and --gpus-per-actor 0 or more"
        )
    options = DecodingOptions(beam_size=beam_size, repetition_penalty=repetition_penalty)
    spec = RegistrySpec.on_this_machine(models_dir, nllb_dir, glossary_dir, options)
    cluster = ClusterOptions(address, actors, cpus_per_actor, gpus_per_actor, device=device)
    return translate_on_ray(source, str(out), spec, target, memory, cluster)


def translate_on_ray(
    source: str,
    destination: str,
    spec: RegistrySpec,
    target: str,
    memory: Path | None = None,
    cluster: ClusterOptions | None = None,
) -> RunSummary:
    """Translate every shard ``source`` names into shards under ``destination``.

    Raises ShardError for a source without shards or a destination that already holds some,
    RecordInvalidError naming the shard and line of a bad record, RayMissingError without Ray.
    """
    cluster = cluster or ClusterOptions()
    hint = _use_token_auth() if _is_client_address(cluster.address) else ""
    ray = _import_ray()
    if _is_client_address(cluster.address) or _client_connected():
        started = _connect(ray, cluster.address, hint)
        try:
            return _run_through_client(ray, source, destination, spec, target, memory, cluster)
        finally:
            if started:
                ray.shutdown()
    shards = find_shards(source)
    output = prepare_destination(destination)
    started = _connect(ray, cluster.address)
    try:
        summary, _ = _run(ray, shards, output, spec, target, memory, cluster)
        return summary
    finally:
        if started:
            ray.shutdown()


def _is_client_address(address: str | None) -> bool:
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS", "")
    return bool(address) and address.startswith("ray://")


def _client_connected() -> bool:
    """True when this process already talks to a cluster through Ray Client."""
    from ray.util.client import ray as client

    return client.is_connected()


def _run_through_client(ray, source, destination, spec, target, memory, cluster) -> RunSummary:
    """The run as a driver task on the cluster; the memory goes there as a copy, and comes back
    as the new translations, merged here (also when the run failed, so a rerun skips them)."""
    from translate.cache import TranslationMemory

    content = None
    if memory is not None:
        content = ray.put(_memory_image(memory))  # a damaged file is named here, before the cluster
    # The storage options come from this machine's environment, not the cluster's.
    places = [(source, storage_options(source)), (destination, storage_options(destination))]
    task = ray.remote(num_cpus=0, max_retries=0)(_drive)
    try:
        summary, journal, failure = ray.get(task.remote(places, spec, target, content, cluster))
    except Exception as exc:
        raise _user_error(exc) from None
    if memory is not None and journal:
        with TranslationMemory(memory) as local:
            for translations, pair, engine in journal:
                local.store(translations, pair, engine)
    if failure is not None:
        raise failure
    return summary


def _memory_image(path: Path) -> bytes:
    """The translation memory file as one consistent image (what its WAL holds included)."""
    from translate.cache import TranslationMemory

    TranslationMemory(path).close()
    db = sqlite3.connect(path)
    try:
        return db.serialize()
    finally:
        db.close()


def _drive(places: list, spec: RegistrySpec, target: str, content, cluster: ClusterOptions):
    """The command's run on a node of the cluster (Ray Client's case): (summary, journal, failure).

    ``places`` are the source and the destination, each with its storage options; ``content`` is
    the translation memory's image; the journal lists its new translations as (translations, pair,
    engine) in the order they were stored; failure is the werger error the run stopped with, else
    None (the summary is then None).
    """
    import ray

    (source, source_options), (destination, destination_options) = places
    try:
        shards = find_shards(source, source_options)
        output = prepare_destination(destination, destination_options)
    except WergerTranslateError as exc:
        return None, [], exc
    with tempfile.TemporaryDirectory(prefix="werger-memory-") as folder:
        memory = None
        if content is not None:
            memory = Path(folder) / "translation-memory.sqlite"
            memory.write_bytes(content)
        keeper_journal: list = []
        try:
            summary, keeper_journal = _run(ray, shards, output, spec, target, memory, cluster, journal=True)
        except (WergerTranslateError, WergerStoreError) as exc:
            return None, getattr(exc, "journal", keeper_journal), exc
    return summary, keeper_journal, None


def _import_ray():
    # Ray re-runs `uv run` on every worker unless told not to; werger is installed on the nodes.
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        import ray
        import ray.data
    except ImportError:
        raise RayMissingError(
            "translation on a cluster needs Ray: install werger with the ray extra (werger[ray])"
        ) from None
    return ray


def _connect(ray, address: str | None, hint: str = "") -> bool:
    """Connect (or start a local cluster); True when this call started Ray and must stop it."""
    if address is None:
        if not ray.is_initialized():
            raise WergerTranslateError("Ray is not initialised in this process; give a cluster address")
        return False
    if ray.is_initialized():
        return False
    for attempt in range(1, CLIENT_START_ATTEMPTS + 1):
        try:
            ray.init(address=None if address == LOCAL_CLUSTER else address, log_to_driver=False)
            return True
        except (ConnectionError, RuntimeError, ValueError) as exc:
            if CLIENT_SERVER_FAILED not in str(exc) or attempt == CLIENT_START_ATTEMPTS:
                message = f"cannot reach the Ray cluster at {address}: {exc}{hint}"
                raise WergerTranslateError(message) from None
            with contextlib.suppress(Exception):
                ray.shutdown()
            time.sleep(CLIENT_RETRY_S * attempt)
    return True


CLIENT_SERVER_FAILED = "Starting Ray client server failed"
"""What a Ray Client head answers when the server process it starts for each new client exits
before it is up (``ray/util/client/server/proxier.py``). The head starts a new one for the next
connection, so werger tries again, twice, before it gives up; any other failure ends at once."""
CLIENT_START_ATTEMPTS = 3
CLIENT_RETRY_S = 2.0  # seconds before the second attempt; twice that before the third


TOKEN_PATH = Path("~/.ray/auth_token")


def _use_token_auth() -> str:
    """Sends the Ray token to a Ray Client server when this machine has one; returns what to tell
    the user when the connection fails anyway.

    Clusters started by ``ray start`` require a token by default (the Ray in uv.lock), but a Ray Client
    connection sends it only with RAY_AUTH_MODE=token; a token in RAY_AUTH_TOKEN,
    RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token turns that on, as a local ``ray.init`` does. Ray reads
    the mode when it is imported, so this comes first.
    """
    if "RAY_AUTH_MODE" in os.environ:
        return ""
    if (
        os.environ.get("RAY_AUTH_TOKEN")
        or os.environ.get("RAY_AUTH_TOKEN_PATH")
        or TOKEN_PATH.expanduser().is_file()
    ):
        os.environ["RAY_AUTH_MODE"] = "token"
        return "; check that the token in RAY_AUTH_TOKEN (or ~/.ray/auth_token) is the cluster's"
    return (
        "; a cluster with token authentication (Ray's default) needs its token here, in RAY_AUTH_TOKEN "
        "or ~/.ray/auth_token (`ray get-auth-token` on the head prints it)"
    )


def _run(
    ray, shards: Shards, output: Shards, spec: RegistrySpec, target: str, memory, cluster, journal=False
) -> tuple[RunSummary, list]:
    """The pipeline on a connected cluster: (summary, journal); the journal lists the memory's new
    translations when ``journal`` is set (a failure carries it as the error's ``journal``)."""
    from ray.data import DataContext
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from translate.shard_sink import JsonlShardSink

    gpus = gpus_per_actor(cluster, ray.cluster_resources().get("GPU", 0))
    cluster = replace(cluster, gpus_per_actor=gpus)
    actors = cluster.actors or _fitting_actors(ray, cluster)
    if actors < 1:
        raise WergerTranslateError("--actors must be at least 1")
    keeper = None
    if memory is not None:
        from translate.cache import TranslationMemory

        TranslationMemory(memory).close()  # a damaged file is named here, not inside an actor
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        keeper = ray.remote(num_cpus=0, scheduling_strategy=here)(MemoryKeeper).remote(str(memory), journal)
    threads = max(1, math.floor(cluster.cpus_per_actor))
    device = "cuda" if cluster.gpus_per_actor > 0 else "cpu"
    actor_spec = replace(spec, options=replace(spec.options, threads=threads, device=device))
    sink = JsonlShardSink(output.paths[0], filesystem=output.arrow_filesystem())
    io_tasks = max(2, actors)
    # A dataset takes the data context as it is when built, so these come first (and are restored).
    context = DataContext.get_current()
    saved = context.execution_options.preserve_order, context.raise_original_map_exception
    context.execution_options.preserve_order = True
    context.raise_original_map_exception = True  # a bad record reaches the user as werger's own error
    try:
        dataset = (
            # One block per shard, in name order, each read whole by a task through fsspec.
            ray.data.from_items([{"path": p} for p in shards.paths], override_num_blocks=len(shards.paths))
            .flat_map(
                _shard_records,
                fn_kwargs={"filesystem": shards.filesystem},
                num_cpus=IO_CPUS,
                compute=ray.data.TaskPoolStrategy(size=min(io_tasks, len(shards.paths))),
            )
            .map_batches(
                ShardTranslator,
                fn_constructor_kwargs={
                    "spec": actor_spec,
                    "target": target,
                    "keeper": keeper,
                    "pairs": spec.build().pairs(),
                },
                batch_size=cluster.batch_records,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=actors),
                num_cpus=cluster.cpus_per_actor,
                num_gpus=cluster.gpus_per_actor,
            )
        )
        dataset.write_datasink(sink, ray_remote_args={"num_cpus": IO_CPUS}, concurrency=io_tasks)
        hits, misses = ray.get(keeper.counts.remote()) if keeper is not None else (0, 0)
    except Exception as exc:
        _remove_parts(output)
        error = _user_error(exc)
        if keeper is not None:
            error.journal = _close(ray, keeper)
            keeper = None
        raise error from None
    finally:
        context.execution_options.preserve_order, context.raise_original_map_exception = saved
        new = _close(ray, keeper) if keeper is not None else []
    summary = RunSummary(records=int(sink.rows), translated=misses, from_memory=hits, actors=actors)
    return summary, new


def _close(ray, keeper) -> list:
    """Closes the keeper's memory and stops it; returns its journal (empty when it kept none)."""
    journal: list = []
    with contextlib.suppress(ray.exceptions.RayError):  # a dead keeper: SQLite's journal has the rest
        journal = ray.get(keeper.close.remote())
    ray.kill(keeper)
    return journal


def _remove_parts(output: Shards) -> None:
    """A failed run leaves no shards behind (the destination held none when it started)."""
    fs, folder = output.filesystem, output.paths[0]
    for path in fs.glob(f"{folder.rstrip('/')}/part-*.jsonl"):
        fs.rm(path)


def _fitting_actors(ray, cluster: ClusterOptions) -> int:
    resources = ray.cluster_resources()
    if cluster.gpus_per_actor > 0:
        return max(1, int(resources.get("GPU", 0) // cluster.gpus_per_actor))
    return max(1, int(resources.get("CPU", 1) // max(cluster.cpus_per_actor, 1e-9)))


def _user_error(exc: BaseException) -> BaseException:
    """The werger error a failed Ray task raised (the innermost of Ray's wrappers), else ``exc``.

    Ray wraps a task's exception in its own types, carried in ``cause``, ``__cause__`` or
    ``__context__`` depending on where it was raised (driver, task or actor); all three are walked.
    Ray Data appends its retry advice to the message on a line of its own: werger's messages are
    one line, so only the first is kept.
    """
    found: BaseException = exc
    storage: BaseException | None = None
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending and len(seen) < 32:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, WergerTranslateError | WergerStoreError):
            found = current
        elif is_storage_error(current):
            storage = current
        for link in (getattr(current, "cause", None), current.__cause__, current.__context__):
            if isinstance(link, BaseException):
                pending.append(link)
    if found is exc and storage is not None:
        return ShardError(f"cannot read or write the shards: {describe(storage)}")
    if found is not exc and found.args and isinstance(found.args[0], str) and "\n" in found.args[0]:
        found.args = (found.args[0].split("\n", 1)[0], *found.args[1:])
    return found


def _shard_records(row: dict[str, Any], filesystem) -> list[dict[str, str]]:
    with filesystem.open(row["path"], "rb") as handle:
        content = handle.read()
    return [{"line": line} for line in shard_lines(row["path"], content)]


class MemoryKeeper:
    """The translation memory, owned by one actor on the machine whose disk holds it."""

    def __init__(self, path: str, journal: bool = False) -> None:
        from translate.cache import TranslationMemory

        self.memory = TranslationMemory(Path(path))
        self.journal: list | None = [] if journal else None

    def lookup(self, sentences, pair, engine):
        return self.memory.lookup(sentences, pair, engine)

    def store(self, translations, pair, engine) -> None:
        self.memory.store(translations, pair, engine)
        if self.journal is not None:
            self.journal.append((translations, pair, engine))

    def counts(self) -> tuple[int, int]:
        return self.memory.hits, self.memory.misses

    def close(self) -> list:
        """Closes the memory; returns the translations stored since it opened, when journaling."""
        self.memory.close()
        return self.journal or []


class RemoteMemory:
    """The keeper as ``translate_records`` expects a memory: lookup and store, waited for."""

    def __init__(self, keeper) -> None:
        self.keeper = keeper

    def lookup(self, sentences, pair, engine):
        import ray

        return ray.get(self.keeper.lookup.remote(sentences, pair, engine))

    def store(self, translations, pair, engine) -> None:
        import ray

        ray.get(self.keeper.store.remote(translations, pair, engine))


def _cuda_problem(device: str) -> WergerTranslateError | None:
    """Why an actor meant to decode on CUDA cannot (None when it can, or decodes on a CPU).

    Ray hands an actor the GPUs it asked for by setting CUDA_VISIBLE_DEVICES; a node that
    advertises a GPU resource CTranslate2 cannot use (no device, no driver, a CPU-only build) is
    said here by name, before a model load fails with CUDA's own words.
    """
    if device != "cuda":
        return None
    import socket

    import ctranslate2
    import ray

    if ctranslate2.get_cuda_device_count() > 0:
        return None
    given = ", ".join(str(gpu) for gpu in ray.get_gpu_ids()) or "none"
    return WergerTranslateError(
        f"{socket.gethostname()}: Ray gave this actor GPU {given} and CTranslate2 sees no CUDA device "
        "there; check the node's NVIDIA driver and CUDA libraries, or translate with --device cpu"
    )


class ShardTranslator:
    """One actor of the pool: builds its engines once, then translates batch after batch."""

    def __init__(self, spec: RegistrySpec, target: str, keeper=None, pairs: list | None = None) -> None:
        self.registry = spec.build()
        self.target = target
        self.memory = RemoteMemory(keeper) if keeper is not None else None
        self.problem: WergerTranslateError | None = _cuda_problem(spec.options.device)
        if pairs is not None and self.registry.pairs() != list(pairs):
            import socket

            here = _names(self.registry.pairs())
            self.problem = ModelsDifferError(
                f"{socket.gethostname()} finds models for {here} in {spec.models_dir}, the machine "
                f"running the command finds {_names(pairs)}; install the same models at the same path "
                "on every node (or on a shared folder)"
            )

    def __call__(self, batch):
        import pyarrow as pa

        from store.record import Record
        from translate.records import translate_records

        if self.problem is not None:
            raise self.problem

        records = [Record.from_json_line(line) for line in batch.column("line").to_pylist()]
        done = translate_records(records, self.registry, self.target, self.memory)
        return pa.table({"line": [record.to_json_line() for record in done]})
