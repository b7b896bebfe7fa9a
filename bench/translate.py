"""Translation throughput, side by side on the same sentences in one run.

    uv run python bench/translate.py [--sentences 500] [--languages ru ar] [--rounds 3]

Builds (once, cached in bench/.cache/) a ru->en and an ar->en Argos package of the real Argos
shape: 6+6 layers, d_model 512, 8 heads, FFN 2048, 32k vocabulary, int8, random weights. Random
weights rarely emit the end token, so every method decodes to the same cap of 1.5x the input
length, and the comparison is of how the decoder is driven, not of what it says. Then, per
language, on the same sentences from FLORES-200 (../shared/data/lid), grouped into paragraphs:

  1. werger: translate_records over records of those paragraphs (splitting, batching, mapping back);
  2. argostranslate: its own translate() called once per paragraph, as its users call it; stanza
     is stubbed out here (argostranslate imports it but uses MiniSBD), the package ships a tiny
     MiniSBD model so nothing is downloaded, and its translator gets the same decoding cap;
  3. raw CTranslate2: translate_batch on the same sentences werger's splitter produced, already
     tokenised, sorted by length, at the best batch size found by a sweep on the first sentences.

All methods are warmed up first (a few paragraphs each, untimed), then run in ``--rounds``
rounds. Each round walks the paragraphs in chunks of ``--chunk`` paragraphs and runs every method
on a chunk before moving to the next, the order of the methods turning each chunk: a load change
on a shared machine then falls on every method alike instead of on whichever method ran during
it. Each method's wall time and CPU time (this process, all threads) are summed per round; a
ratio is the median of its per-round ratios. The CPU-time ratio is the one to read when the
machine is busier than its cores (load above the CPU count, printed): wall time then measures the
other jobs as much as the method. werger runs each round with a fresh translation memory (as a
crawl does) and with a title per record, translated as a segment of its own; a fourth method,
werger without titles, gives the title's cost. The cost of sentence-level QA is timed on werger's
outputs: every check on each paragraph alone, against every check on each paragraph and each of
its sentences. Finally the same records are translated again with a warm memory, which must reach
the engine with zero sentences. Prints sentences/second and the ratios the targets are stated in.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import types
from collections import defaultdict
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import make_record  # noqa: E402
from shared_data import shared_path  # noqa: E402
from tiny_argos import build_argos_package  # noqa: E402

LID = shared_path("data", "lid")
CACHE = Path(__file__).resolve().parent / ".cache"
FLORES = {"ru": ["rus_Cyrl"], "ar": ["arb_Arab", "acm_Arab", "acq_Arab", "aeb_Arab", "ajp_Arab", "apc_Arab"]}
SHAPE = {"d_model": 512, "heads": 8, "ffn": 2048, "layers": 6, "model_vocab": 32000}
PARAGRAPH_SIZES = (3, 1, 4, 2, 5)
RATIO = 1.5
SENT_END = set(".!?؟…")


def sentences(lang: str, count: int) -> list[str]:
    """``count`` distinct sentences: FLORES dev first, then FLORES train where dev runs out."""
    found: list[str] = []
    for split in ("dev", "train"):
        for code in FLORES[lang]:
            lines = (LID / split / f"{code}.txt").read_text(encoding="utf-8").splitlines()
            found += [line.strip() for line in lines if line.strip() and line.strip() not in found]
            if len(found) >= count:
                return found[:count]
    raise SystemExit(f"only {len(found)} {lang} sentences available")


def paragraphs_of(items: list[str]) -> list[str]:
    out, i, k = [], 0, 0
    while i < len(items):
        size = PARAGRAPH_SIZES[k % len(PARAGRAPH_SIZES)]
        out.append(" ".join(items[i : i + size]))
        i, k = i + size, k + 1
    return out


def minisbd_model(corpus: str, lang: str) -> bytes:
    """A tiny MiniSBD ONNX model (split after . ! ? ؟ followed by a space), so no download happens."""
    from onnx import TensorProto, helper, numpy_helper

    chars = sorted(set(" ".join(corpus.split())) | SENT_END)
    id2unit = ["<PAD>", "<UNK>", *chars]
    unit2id = {u: i for i, u in enumerate(id2unit)}
    size, classes = len(id2unit), 5
    cur = np.zeros((size, classes), np.float32)
    cur[:, 0] = 0.5
    nxt = np.zeros((size, classes), np.float32)
    for unit, i in unit2id.items():
        if unit in SENT_END:
            cur[i, 2] = 2.0
        if unit == " ":
            nxt[i, 1] += 1.0
            nxt[i, 2] += 1.0
        elif unit not in ("<PAD>", "<UNK>") and unit not in SENT_END:
            nxt[i, 0] += 2.5
    nxt[unit2id["<PAD>"], 2] += 1.0
    nodes = [
        helper.make_node("Gather", ["E_cur", "units"], ["l_cur"], axis=0),
        helper.make_node("Slice", ["units", "one", "big", "ax1"], ["units_next0"]),
        helper.make_node("Pad", ["units_next0", "pads", "pad_val"], ["units_next"], mode="constant"),
        helper.make_node("Gather", ["E_next", "units_next"], ["l_next"], axis=0),
        helper.make_node("MatMul", ["features", "W_feat"], ["l_feat"]),
        helper.make_node("Add", ["l_cur", "l_next"], ["l_sum"]),
        helper.make_node("Add", ["l_sum", "l_feat"], ["logits"]),
    ]
    inits = [
        numpy_helper.from_array(cur, "E_cur"),
        numpy_helper.from_array(nxt, "E_next"),
        numpy_helper.from_array(np.array([[1.0, 0, 0, 0, 0]], np.float32), "W_feat"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
        numpy_helper.from_array(np.array([2**62], np.int64), "big"),
        numpy_helper.from_array(np.array([1], np.int64), "ax1"),
        numpy_helper.from_array(np.array([0, 0, 0, 1], np.int64), "pads"),
        numpy_helper.from_array(np.array(0, np.int64), "pad_val"),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_minisbd",
        [
            helper.make_tensor_value_info("units", TensorProto.INT64, ["B", "T"]),
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", "T", 1]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", "T", classes])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    config = {"skip_newline": False, "max_seqlen": 1000, "no_ssplit": False, "batch_size": 32,
              "feat_funcs": ["space_before"], "use_dictionary": False, "num_dict_feat": 0}  # fmt: skip
    vocab = {"lang": lang, "idx": 0, "cutoff": 0, "lower": False, "_unit2id": unit2id, "_id2unit": id2unit}
    helper.set_model_props(
        model,
        {"lang_code": lang, "config": json.dumps(config), "vocab": json.dumps(vocab), "lexicon": "null"},
    )
    return model.SerializeToString()


def package(lang: str) -> Path:
    """The real-shape ``lang``->en .argosmodel, built once."""
    folder = CACHE / f"real-shape-{lang}"
    built = list(folder.glob("*.argosmodel"))
    if built:
        return built[0]
    corpus = [
        line
        for code in [*FLORES[lang], "eng_Latn"]
        for split in ("train", "dev")
        for line in (LID / split / f"{code}.txt").read_text(encoding="utf-8").splitlines()
    ]
    print(f"building the real-shape {lang}->en package (once)...", flush=True)
    return build_argos_package(
        folder,
        corpus,
        lang,
        "en",
        vocab_size=8000,
        quantization="int8",
        extra_files={f"minisbd/{lang}.onnx": minisbd_model("\n".join(corpus), lang)},
        **SHAPE,
    )


def cap(longest: int) -> int:
    from translate.ct2 import decoding_cap

    return decoding_cap(longest, RATIO)


PER_RECORD = 6


def timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process over all its threads) that ``work()`` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_records(paragraphs: list[str], lang: str, titles: list[str] | None = None) -> list:
    """Records of ``PER_RECORD`` paragraphs; with ``titles``, each gets one (a sentence of its own)."""
    records = []
    for k, i in enumerate(range(0, len(paragraphs), PER_RECORD)):
        record = make_record(
            [(lang, p) for p in paragraphs[i : i + PER_RECORD]], url=f"https://bench.example/{lang}/{i}"
        )
        if titles:
            record = record.model_copy(update={"title": titles[k % len(titles)]})
        records.append(record)
    return records


def run_werger(records: list, registry, memory=None) -> tuple[float, list]:
    from translate.records import translate_records

    start = time.perf_counter()
    translated = translate_records(records, registry, "en", memory)
    return time.perf_counter() - start, translated


def qa_cost(translated: list, lang: str, outputs: dict[str, str]) -> tuple[float, float, int]:
    """Seconds for every QA check per paragraph only, and per paragraph and sentence; sentences.

    ``outputs`` maps each source sentence to what the engine returned for it (the translation
    memory of the run), as ``translate_records`` holds them.
    """
    from translate.quality import quality_flags, segment_flags
    from translate.segment import split_sentences

    segments = [s for r in translated for s in r.translatable_segments() if s.target]
    pairs = [[(x, outputs.get(x, "")) for x in split_sentences(s.source, lang)] for s in segments]
    start = time.perf_counter()
    for s in segments:
        quality_flags(s.source, s.target, "en")
    paragraph_only = time.perf_counter() - start
    start = time.perf_counter()
    for s, sentence_pairs in zip(segments, pairs, strict=True):
        segment_flags(s.source, s.target, "en", sentence_pairs)
    return paragraph_only, time.perf_counter() - start, sum(len(p) for p in pairs)


class CappedTranslator:
    """argostranslate's CTranslate2 translator with the benchmark's decoding cap added, nothing else."""

    def __init__(self, translator) -> None:
        self.translator = translator

    def translate_batch(self, tokens, **kwargs):
        kwargs["max_decoding_length"] = cap(max(len(t) for t in tokens))
        return self.translator.translate_batch(tokens, **kwargs)


def warm_argos(paragraphs: list[str], lang: str) -> None:
    """Load argostranslate's model and give its translator the benchmark's decoding cap."""
    import argostranslate.translate as argos

    translation = argos.get_translation_from_codes(lang, "en")
    for paragraph in paragraphs[:3]:
        argos.translate(paragraph, lang, "en")
    if not isinstance(translation.underlying.translator, CappedTranslator):
        translation.underlying.translator = CappedTranslator(translation.underlying.translator)


def run_argos(paragraphs: list[str], lang: str) -> float:
    import argostranslate.translate as argos

    argos.get_translation_from_codes(lang, "en").cache = {}  # it keeps the last call's paragraphs
    start = time.perf_counter()
    for paragraph in paragraphs:
        argos.translate(paragraph, lang, "en")
    return time.perf_counter() - start


def run_raw(translator, tokens: list[list[str]], batch_size: int, beam: int) -> float:
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    start = time.perf_counter()
    for first in range(0, len(order), batch_size):
        batch = [tokens[i] for i in order[first : first + batch_size]]
        translator.translate_batch(batch, beam_size=beam, max_decoding_length=cap(len(batch[-1])),
                                   replace_unknowns=True, length_penalty=0.2)  # fmt: skip
    return time.perf_counter() - start


def prepare_argos(work: Path, packages: dict[str, Path], threads: int) -> None:
    """Point argostranslate at the bench's packages and keep its files out of $HOME."""
    from translate.models import install_file

    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "packages")
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(work / variable.lower())
    os.environ["ARGOS_DEVICE_TYPE"] = "cpu"
    os.environ["ARGOS_INTRA_THREADS"] = str(threads)
    for archive in packages.values():
        install_file(archive, work / "packages")
    stub = types.ModuleType("stanza")
    stub.Pipeline = None
    sys.modules.setdefault("stanza", stub)


def bench_language(lang: str, args, registry, package_file: Path, work: Path, options) -> tuple:
    """Warm-up, interleaved timed rounds, QA cost and the warm-memory check for one language."""
    import ctranslate2
    import sentencepiece

    from translate.cache import TranslationMemory
    from translate.segment import split_sentences

    threads = options.thread_count()
    items = sentences(lang, args.sentences)
    paragraphs = paragraphs_of(items)
    titles = sentences(lang, args.sentences + 40)[args.sentences :]
    folder = work / "packages" / package_file.stem
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
    split = [s for p in paragraphs for s in split_sentences(p, lang)]
    tokens = tokenizer.encode(split, out_type=str)
    translator = ctranslate2.Translator(
        str(folder / "model"), device="cpu", compute_type="int8", inter_threads=1, intra_threads=threads
    )
    sweep = {
        b: timed(lambda b=b: run_raw(translator, tokens[: args.sweep], b, options.beam_size))[1]
        for b in (8, 16, 32, 64)
    }
    best = min(sweep, key=sweep.get)
    print(f"{lang}: raw batch-size sweep on {args.sweep} sentences (CPU s): "
          + ", ".join(f"{b}: {t:.2f}" for b, t in sweep.items()) + f" -> {best}")  # fmt: skip
    with_titles = bench_records(paragraphs, lang, titles)
    without_titles = bench_records(paragraphs, lang)
    # warm-up, untimed: every method loads its model and runs a few paragraphs
    run_werger(bench_records(paragraphs[:4], lang, titles[:1]), registry)
    warm_argos(paragraphs, lang)
    run_raw(translator, tokens[:16], best, options.beam_size)

    chunk = max(PER_RECORD, args.chunk - args.chunk % PER_RECORD)  # whole records per chunk
    starts = range(0, len(paragraphs), chunk)
    records_per_chunk = chunk // PER_RECORD
    sentence_counts = [len(split_sentences(p, lang)) for p in paragraphs]
    times: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    for r in range(args.rounds):
        memories = {
            "werger": TranslationMemory(work / f"tm-{lang}-{r}.sqlite"),
            "werger, no titles": TranslationMemory(work / f"tm-{lang}-{r}-nt.sqlite"),
        }
        round_wall: dict[str, float] = defaultdict(float)
        round_cpu: dict[str, float] = defaultdict(float)
        for c, first in enumerate(starts):
            part = paragraphs[first : first + chunk]
            k = first // PER_RECORD
            lo = sum(sentence_counts[:first])
            part_tokens = tokens[lo : lo + sum(sentence_counts[first : first + chunk])]
            methods = {
                "werger": partial(
                    run_werger, with_titles[k : k + records_per_chunk], registry, memories["werger"]
                ),
                "werger, no titles": partial(
                    run_werger,
                    without_titles[k : k + records_per_chunk],
                    registry,
                    memories["werger, no titles"],
                ),
                "argos": partial(run_argos, part, lang),
                "raw": partial(run_raw, translator, part_tokens, best, options.beam_size),
            }
            names = list(methods)
            turn = (r + c) % len(names)
            for name in names[turn:] + names[:turn]:
                wall, used = timed(methods[name])
                round_wall[name] += wall
                round_cpu[name] += used
        for memory in memories.values():
            memory.close()
        for name, seconds in round_wall.items():
            times[name].append(seconds)
            cpu[name].append(round_cpu[name])
    row = (lang, len(items), len(paragraphs), times, cpu, best)

    with TranslationMemory(work / f"tm-{lang}-warm.sqlite") as memory:
        _, translated = run_werger(with_titles, registry, memory)
        cold_misses = memory.misses
        memory.hits = memory.misses = 0
        again, _ = run_werger(with_titles, registry, memory)
        warm_row = (lang, cold_misses, memory.misses, memory.hits, again)
        engine = registry.find(lang, "en")
        segments = [s for r in translated for s in r.translatable_segments()]
        sources = [x for s in segments for x in split_sentences(s.source, lang)]
        outputs = memory.lookup(sources, f"{lang}->en", engine.ref)
    qa_row = (lang, *qa_cost(translated, lang, outputs), statistics.median(times["werger"]))

    return row, qa_row, warm_row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sentences", type=int, default=500, help="sentences per language")
    parser.add_argument("--languages", nargs="+", default=["ru", "ar"])
    parser.add_argument("--sweep", type=int, default=120, help="sentences used to pick raw's batch size")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timed rounds per language")
    parser.add_argument("--chunk", type=int, default=48, help="paragraphs per interleaving step")
    args = parser.parse_args()

    from translate.ct2 import DecodingOptions
    from translate.registry import build_registry

    load_start = os.getloadavg()[0]
    options = DecodingOptions()
    threads = options.thread_count()
    packages = {lang: package(lang) for lang in args.languages}
    work = Path(tempfile.mkdtemp(prefix="werger-bench-"))
    prepare_argos(work, packages, threads)
    registry = build_registry(work / "packages", glossary_dir=work / "none", options=options)
    print(f"CPU threads {threads}, beam {options.beam_size}, int8, decoding cap {RATIO}x input, "
          f"{args.rounds} interleaved rounds\n")  # fmt: skip

    rows, warm, qa = [], [], []
    for lang in args.languages:
        row, qa_row, warm_row = bench_language(lang, args, registry, packages[lang], work, options)
        rows.append(row)
        qa.append(qa_row)
        warm.append(warm_row)

    def ratio(times: dict[str, list[float]], slow: str, fast: str) -> float:
        return statistics.median(a / b for a, b in zip(times[slow], times[fast], strict=True))

    for label, column in (("wall time", 3), ("CPU time of this process", 4)):
        print(f"\n{label}: {'lang':4} {'sents':>5} {'paras':>5} {'werger s/s':>10} {'argos loop s/s':>14} "
              f"{'raw ct2 s/s':>11} {'werger/argos':>12} {'werger/raw':>10} {'title cost':>10}")  # fmt: skip
        pad = " " * (len(label) + 2)
        for row in rows:
            lang, n, paras, best, times = row[0], row[1], row[2], row[5], row[column]
            ours, argos, raw = (statistics.median(times[k]) for k in ("werger", "argos", "raw"))
            title_cost = ratio(times, "werger", "werger, no titles") - 1
            print(f"{pad}{lang:4} {n:5d} {paras:5d} {n / ours:10.2f} {n / argos:14.2f} {n / raw:11.2f} "
                  f"{ratio(times, 'argos', 'werger'):11.2f}x {ratio(times, 'raw', 'werger'):9.2f}x "
                  f"{title_cost:+9.1%}   (raw batch {best})")  # fmt: skip
        merged = {
            k: [sum(r[column][k][i] for r in rows) for i in range(args.rounds)] for k in rows[0][column]
        }
        n = sum(r[1] for r in rows)
        ours, argos, raw = (statistics.median(merged[k]) for k in ("werger", "argos", "raw"))
        print(f"{pad}{'all':4} {n:5d} {'':5} {n / ours:10.2f} {n / argos:14.2f} {n / raw:11.2f} "
              f"{ratio(merged, 'argos', 'werger'):11.2f}x {ratio(merged, 'raw', 'werger'):9.2f}x "
              f"{ratio(merged, 'werger', 'werger, no titles') - 1:+9.1%}   "
              "targets: >= 3x argos, >= 0.9x raw")  # fmt: skip
        print(f"{pad}per-round werger/argos: " + ", ".join(
            f"{a / w:.2f}" for a, w in zip(merged["argos"], merged["werger"], strict=True)))  # fmt: skip
        print(f"{pad}per-round werger/raw:   " + ", ".join(
            f"{r / w:.2f}" for r, w in zip(merged["raw"], merged["werger"], strict=True)))  # fmt: skip
    print(
        f"\nload average (1 min) at the start {load_start:.1f}, at the end {os.getloadavg()[0]:.1f}, "
        f"on {os.cpu_count()} CPUs"
    )
    print("  title cost: werger with a title per record of 6 paragraphs against the same without titles")
    print("\nsentence-level QA (every check on each paragraph and each of its sentences):")
    for lang, paragraph_only, with_sentences, count, translation in qa:
        print(f"  {lang}: paragraphs only {paragraph_only * 1000:.1f} ms, with {count} sentences "
              f"{with_sentences * 1000:.1f} ms: +{(with_sentences - paragraph_only) * 1000:.1f} ms, "
              f"{(with_sentences - paragraph_only) / translation:.2%} of werger's translation")  # fmt: skip
    print("\nwarm translation memory (same records translated again):")
    for lang, cold, misses, hits, seconds in warm:
        print(f"  {lang}: cold run sent {cold} sentences to the engine; warm run sent {misses}, "
              f"took {hits} from memory in {seconds:.3f} s")  # fmt: skip
    ok = all(m == 0 for _, _, m, _, _ in warm)
    print("  warm memory translates nothing:", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
