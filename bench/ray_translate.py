"""Translation on Ray against the single-machine path, side by side on the same records in one run.

    uv run python bench/ray_translate.py [--sentences 240] [--shards 4]

Uses bench/translate.py's ru->en Argos package of the real Argos shape (6+6 layers, d_model 512,
8 heads, FFN 2048, 32k vocabulary, int8, random weights, built once into bench/.cache/), and
FLORES-200 Russian sentences (../shared/data/lid) grouped into paragraphs of 1 to 5 sentences,
six paragraphs a record, cut into JSONL shards. Every run starts with an empty translation
memory, so every sentence is decoded. Then:

  1. local: ``translate_file`` over all records in one file (what ``werger translate`` does);
  2. Ray, 1 actor with 2 CPUs (2 decoding threads), on a local cluster of this machine's CPUs;
  3. Ray, 2 actors with 1 CPU each (1 thread each).

A Ray run's time is the whole ``translate_on_ray`` call on a started cluster: reading and checking
shards, starting the actors and loading the model in each, translating, writing shards; the
cluster's own start is printed apart, and so is a run of one record (one actor) on the new
cluster, which starts its worker processes, before the measured runs, and again after them: the
fixed cost of a run. Prints sentences/s, each Ray run's time against the local one (its overhead)
and whether its shards equal the local output record for record.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import make_record  # noqa: E402


def _translation_bench():
    """bench/translate.py, loaded under another name: ``translate`` is werger's package."""
    spec = importlib.util.spec_from_file_location("bench_translate", ROOT / "bench" / "translate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_bench = _translation_bench()
package, paragraphs_of, sentences = _bench.package, _bench.paragraphs_of, _bench.sentences

PER_RECORD = 6


def write_input(work: Path, count: int, shards: int) -> tuple[Path, Path, int]:
    """One JSONL of all records and a folder of the same records in shards; returns the sentence count."""
    from translate.segment import split_sentences

    paragraphs = paragraphs_of(sentences("ru", count))
    records = [
        make_record([("ru", p) for p in paragraphs[i : i + PER_RECORD]], url=f"https://bench.example/ru/{i}")
        for i in range(0, len(paragraphs), PER_RECORD)
    ]
    lines = [record.to_json_line() + "\n" for record in records]
    whole = work / "records.jsonl"
    whole.write_text("".join(lines), encoding="utf-8")
    folder = work / "shards"
    folder.mkdir()
    size = -(-len(lines) // shards)
    for n in range(shards):
        (folder / f"records-{n:03d}.jsonl").write_text("".join(lines[n * size : (n + 1) * size]), "utf-8")
    split = sum(len(split_sentences(p, "ru") or [p]) for p in paragraphs)
    return whole, folder, split


def fixed_cost(work: Path, shards: Path, cluster, name: str) -> float:
    """Seconds a Ray run costs whatever its size: one record, one actor, one model load."""
    from translate.distributed import RegistrySpec, translate_on_ray

    one = work / f"one-{name}"
    one.mkdir()
    first = sorted(shards.glob("*.jsonl"))[0].read_text(encoding="utf-8").splitlines()[0]
    (one / "one.jsonl").write_text(first + "\n", encoding="utf-8")
    start = time.perf_counter()
    translate_on_ray(str(one), str(one / "out"), RegistrySpec(work / "models"), "en", None, cluster)
    return time.perf_counter() - start


def lines_of(path: Path) -> list[str]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=240, help="FLORES sentences to translate")
    parser.add_argument("--shards", type=int, default=4)
    args = parser.parse_args()

    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray

    from translate.argos import argos_registry
    from translate.cache import TranslationMemory
    from translate.distributed import ClusterOptions, RegistrySpec, translate_on_ray
    from translate.models import install_file
    from translate.stage import translate_file

    work = Path(tempfile.mkdtemp(prefix="werger-ray-bench-"))
    install_file(package("ru"), work / "models")
    whole, shards, count = write_input(work, args.sentences, args.shards)
    cpus = len(os.sched_getaffinity(0))
    print(f"{count} sentences in {len(lines_of(whole))} records, {args.shards} shards; {cpus} CPUs\n")

    start = time.perf_counter()
    with TranslationMemory(work / "tm-local.sqlite") as memory:
        translate_file(whole, work / "local.jsonl", argos_registry(work / "models"), "en", memory)
    local = time.perf_counter() - start
    expected = lines_of(work / "local.jsonl")

    start = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    print(f"Ray cluster start: {time.perf_counter() - start:.1f} s (not counted below)\n")
    rows = [("local (translate_file)", local, True)]
    try:
        one_actor = ClusterOptions(address=None, actors=1, cpus_per_actor=cpus)
        cold = fixed_cost(work, shards, one_actor, "cold")
        print(f"one record on the new cluster (its worker processes start): {cold:.1f} s")
        for actors in (1, 2):
            out = work / f"ray-{actors}"
            cluster = ClusterOptions(address=None, actors=actors, cpus_per_actor=cpus / actors)
            start = time.perf_counter()
            translate_on_ray(str(shards), str(out), RegistrySpec(work / "models"), "en",
                             work / f"tm-ray-{actors}.sqlite", cluster)  # fmt: skip
            rows.append((f"Ray, {actors} actor(s) x {cpus // actors} CPU", time.perf_counter() - start,
                         lines_of(out) == expected))  # fmt: skip
        fixed = fixed_cost(work, shards, one_actor, "warm")
        print(f"one record on the warm cluster (actor start, model load, write): {fixed:.1f} s\n")
    finally:
        ray.shutdown()

    print(f"{'path':26} {'seconds':>8} {'sentences/s':>11} {'time vs local':>13}  same records as local")
    for name, seconds, same in rows:
        verdict = "yes" if same else "NO"
        print(f"{name:26} {seconds:8.1f} {count / seconds:11.2f} {seconds / local:12.2f}x  {verdict}")


if __name__ == "__main__":
    main()
