"""Language routing of werger's detector against stock langdetect, side by side in one run.

    uv run python bench/langid.py --before dbad7b5 [--data ../shared/data/lid/dev]
        [--partner ../shared/data/partner-texts] [--per-lang 40] [--only CLASS] [--errors]

On the FLORES-200 dev sentences of every language in ``ingest/profiles/languages.toml`` it builds
three sets (sentences; paragraphs of five sentences; 4-word snippets), the Kurmanji dev sentences
transliterated into the Arabic script (Badini, which must not reach the Sorani model), and the
probe classes of ``bench/langid_probes.py`` (the same sentences as web text writes them: Title Case
and UPPER CASE, headlines, URLs and names inserted, text from badly made pages, long paragraphs,
quotes). With ``--partner`` it adds the lines of real partner pages, labelled by script.

For each set it prints, per detector: per-target recall and precision (a target language must
reach its model), wrong-model routes (texts sent to a model of another language, confusers
included), the share of confuser texts routed to any target model, and the ``und`` share. The
detectors are werger as it is, werger given the text's true language as the page's declared
language (``declared``: the hint a crawl takes from ``<html lang>``), werger at the git revision
``--before`` (run from a copy of that revision's ``ingest/langid.py`` and profiles, in a
subprocess), and stock langdetect. Speed is
measured on the sentences only, werger against stock: timings share one CPU with whatever else
runs, so compare the ratio, not the absolute numbers: the two detectors take turns on chunks of
100 texts so that both see the same load.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.langid import UNDETERMINED, detect, preload  # noqa: E402

sys.path.insert(0, str(ROOT / "ingest/profiles"))
sys.path.insert(0, str(ROOT / "bench"))
from build import transliterate  # noqa: E402
from langid_probes import partner_lines, probes  # noqa: E402
from shared_data import shared_path  # noqa: E402

TARGETS = ("en", "ru", "ar", "ckb", "kmr")
NONE = "-"
Sample = tuple[str, str]  # (text, true label)
Guess = Callable[[str], str]
CHUNK = 100
DETECTOR_FILES = ["ingest/__init__.py", "ingest/errors.py", "ingest/langid.py", "ingest/profiles"]
WORKER = (
    "import json, sys\n"
    "sys.path.insert(0, '.')\n"
    "import ingest.langid as langid\n"
    "assert langid.__file__.startswith(sys.argv[1]), langid.__file__\n"
    "texts = json.load(sys.stdin)\n"
    "print(json.dumps([langid.detect(text).lang for text in texts]))\n"
)


def load(data_dir: Path) -> dict[str, list[Sample]]:
    config = tomllib.loads((ROOT / "ingest/profiles/languages.toml").read_text(encoding="utf-8"))
    labels = config["labels"]
    sentences: list[Sample] = []
    paragraphs: list[Sample] = []
    snippets: list[Sample] = []
    for code, label in sorted(labels.items()):
        lines = [line.strip() for line in (data_dir / f"{code}.txt").read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line]
        sentences += [(line, label) for line in lines]
        paragraphs += [(" ".join(lines[i : i + 5]), label) for i in range(0, len(lines) - 4, 5)]
        for line in lines:
            words = line.split()
            snippets += [(" ".join(words[i : i + 4]), label) for i in (0, 4) if len(words) >= i + 4]
    badini = config["derived"]["kmr-Arab"]
    kurmanji = (data_dir / f"{badini['source']}.txt").read_text(encoding="utf-8").splitlines()
    transliterated = [(transliterate(line.strip(), badini), "kmr-Arab") for line in kurmanji if line.strip()]
    return {
        "sentences": sentences,
        "paragraphs": paragraphs,
        "4-word snippets": snippets,
        "Kurmanji in Arabic script (transliterated sentences)": transliterated,
    }


def werger_guess(text: str) -> str:
    return detect(text).lang


def declared(samples: list[Sample]) -> list[str]:
    """werger's answers when each text's page declares the text's own language (``<html lang>``
    right, as on a partner site): the hint is the true label, confusers' pages included."""
    return [detect(text, {label}).lang for text, label in samples]


def stock() -> Guess:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def guess(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            return detector.detect()
        except LangDetectException:
            return UNDETERMINED

    return guess


def second_opinion() -> Guess | None:
    """py3langid (the maintained fork of langid.py, model shipped in its wheel), labels mapped to
    werger's: its ``ku`` and ``sdh`` are Kurdish, Kurmanji in the Latin script and Sorani in the
    Arabic one; its Arabic dialects are Arabic. None when it is not installed."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    kurdish = {"ku", "sdh", "ckb", "kmr"}
    arabic = {"ar", "ary", "arz"}

    def guess(text: str) -> str:
        label = identifier.classify(text)[0]
        if label in kurdish:
            arabic_letters = sum("\u0600" <= char <= "\u06ff" for char in text)
            latin_letters = sum(char.isascii() and char.isalpha() for char in text)
            return "ckb" if arabic_letters > latin_letters else "kmr"
        if label in arabic:
            return "ar"
        return UNDETERMINED if label == "zxx" else label

    return guess


def agreement(ours: list[str], theirs: list[str]) -> list[str]:
    """werger's answer where py3langid routes the text to the same model, ``und`` elsewhere."""
    return [a if route(a) == route(b) else UNDETERMINED for a, b in zip(ours, theirs, strict=True)]


def before(revision: str, texts: list[str]) -> list[str]:
    """werger's answers for ``texts`` as the detector stood at git ``revision``."""
    archive = subprocess.run(
        ["git", "archive", revision, *DETECTOR_FILES], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        done = subprocess.run(
            [sys.executable, "-c", WORKER, folder],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
        )
    return json.loads(done.stdout)


def route(label: str) -> str:
    return label if label in TARGETS else NONE


def run_all(guesses: list[Guess], samples: list[Sample]) -> list[tuple[list[str], float]]:
    """Every detector over ``samples``, taking turns in chunks so that all see the same CPU load;
    each one's answers and texts per second."""
    predicted: list[list[str]] = [[] for _ in guesses]
    seconds = [0.0] * len(guesses)
    for start in range(0, len(samples), CHUNK):
        chunk = [text for text, _ in samples[start : start + CHUNK]]
        for side, guess in enumerate(guesses):
            began = time.perf_counter()
            predicted[side].extend(guess(text) for text in chunk)
            seconds[side] += time.perf_counter() - began
    return [(answers, len(samples) / spent) for answers, spent in zip(predicted, seconds, strict=True)]


def scores(samples: list[Sample], predicted: list[str]) -> dict[str, float]:
    """Routing figures of one detector on one set (only the targets the set holds)."""
    truth = [route(label) for _, label in samples]
    routes = [route(p) for p in predicted]
    pairs = list(zip(truth, routes, strict=True))
    out = {"routing accuracy": sum(t == r for t, r in pairs) / len(samples)}
    for target in TARGETS:
        if target in truth:
            hits = sum(t == r == target for t, r in pairs)
            out[f"{target} recall"] = hits / truth.count(target)
            out[f"{target} precision"] = hits / max(1, routes.count(target))
    out["wrong-model routes"] = sum(r not in (NONE, t) for t, r in pairs) / len(samples)
    confusers = [r for t, r in pairs if t == NONE]
    if confusers:
        out["confuser false-route"] = sum(r != NONE for r in confusers) / len(confusers)
    targets = [p for (t, _), p in zip(pairs, predicted, strict=True) if t != NONE]
    if targets:
        out["und rate (target texts)"] = targets.count(UNDETERMINED) / len(targets)
    out["und rate (all texts)"] = predicted.count(UNDETERMINED) / len(predicted)
    return out


def table(name: str, samples: list[Sample], columns: dict[str, list[str]]) -> None:
    print(f"\n{name}: {len(samples)} texts")
    print(f"  {'':26}" + "".join(f"{column:>10}" for column in columns))
    figures = {column: scores(samples, predicted) for column, predicted in columns.items()}
    for key in next(iter(figures.values())):
        print(f"  {key:26}" + "".join(f"{figures[column][key]:>10.2%}" for column in columns))


def errors(samples: list[Sample], predicted: list[str]) -> None:
    wrong = Counter(
        (label, p) for (_, label), p in zip(samples, predicted, strict=True) if route(label) != route(p)
    )
    print("  errors (true -> werger):", ", ".join(f"{t}->{p} x{n}" for (t, p), n in wrong.most_common()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=shared_path("data", "lid", "dev"))
    parser.add_argument("--partner", type=Path, help="folder of real partner texts (*.txt)")
    parser.add_argument("--before", help="git revision whose detector is printed alongside (e.g. dbad7b5)")
    parser.add_argument("--per-lang", type=int, default=40, help="dev sentences per FLORES code in probes")
    parser.add_argument("--only", help="run only the sets whose name contains this text")
    parser.add_argument("--errors", action="store_true", help="list werger's routing errors")
    args = parser.parse_args()
    config = tomllib.loads((ROOT / "ingest/profiles/languages.toml").read_text(encoding="utf-8"))
    sets = load(args.data)
    sets.update(probes(args.data, config["labels"], per_lang=args.per_lang))
    if args.partner:
        lines = partner_lines(args.partner)
        if not lines:
            parser.error(f"no partner text lines in {args.partner} (a folder of *.txt)")
        sets["real partner page lines (labelled by script)"] = lines
    if args.only:
        sets = {name: samples for name, samples in sets.items() if args.only.lower() in name.lower()}
    stock_guess = stock()
    py3 = second_opinion()
    guesses = [werger_guess, stock_guess, *([py3] if py3 else [])]
    preload()
    for guess in guesses:  # load every script's profiles before anything is timed
        for text in ("warm up the profiles", "прогреть профили", "تسخين الملفات"):
            guess(text)
    old: list[str] = []
    if args.before:
        old = before(args.before, [text for samples in sets.values() for text, _ in samples])
    for name, samples in sets.items():
        results = run_all(guesses, samples)
        columns = {"werger": results[0][0], "declared": declared(samples), "stock": results[1][0]}
        if py3:
            columns["py3langid"] = results[2][0]
            columns["agree"] = agreement(results[0][0], results[2][0])
        if old:
            columns = {f"@{args.before}"[:10]: old[: len(samples)], **columns}
            old = old[len(samples) :]
        if "Arabic script" in name:
            print(f"\n{name}: {len(samples)} texts")
            print(f"  {'':26}" + "".join(f"{column:>10}" for column in columns))
            outcomes = (
                ("sent to Sorani model", "ckb"),
                ("labelled kmr-Arab", "kmr-Arab"),
                ("und", UNDETERMINED),
            )
            for key, wanted in outcomes:
                shares = "".join(f"{p.count(wanted) / len(p):>10.2%}" for p in columns.values())
                print(f"  {key:26}{shares}")
            continue
        table(name, samples, columns)
        if name == "sentences":
            rates = {
                "werger": results[0][1],
                "stock": results[1][1],
                **({"py3langid": results[2][1]} if py3 else {}),
            }
            line = "".join(f"  {column} {rate:.0f}" for column, rate in rates.items())
            print(f"  texts/second:{line}   werger/stock speed ratio {rates['werger'] / rates['stock']:.1f}x")
            again = [werger_guess(text) for text, _ in samples]
            print(f"  deterministic (two runs agree): {'yes' if again == results[0][0] else 'NO'}")
        if args.errors:
            errors(samples, results[0][0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
