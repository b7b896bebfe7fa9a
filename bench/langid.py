"""Language routing of werger's detector against stock langdetect, side by side in one run.

    uv run python bench/langid.py [--data ../shared/data/lid/dev] [--errors]

On the FLORES-200 dev sentences of every language in ``ingest/profiles/languages.toml`` it builds
three sets (sentences; paragraphs of five sentences; 4-word snippets), plus the Kurmanji dev
sentences transliterated into the Arabic script (Badini, which must not reach the Sorani model),
and prints, for both
detectors: routing accuracy (a target language must reach its model, anything else must reach
none), per-target precision and recall, the share of confuser texts routed to a target model, the
``und`` share and texts per second. Timings share one CPU with whatever else runs, so compare the
ratio, not the absolute numbers: the two detectors take turns on chunks of 100 texts so that
both see the same load.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.langid import UNDETERMINED, detect  # noqa: E402

sys.path.insert(0, str(ROOT / "ingest/profiles"))
from build import transliterate  # noqa: E402

TARGETS = ("en", "ru", "ar", "ckb", "kmr")
NONE = "-"
Sample = tuple[str, str]  # (text, true label)
Guess = Callable[[str], str]
CHUNK = 100


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


def route(label: str) -> str:
    return label if label in TARGETS else NONE


def run_both(ours: Guess, theirs: Guess, samples: list[Sample]) -> tuple[list[str], float, list[str], float]:
    """Both detectors over ``samples``, alternating in chunks so that both see the same CPU load."""
    predicted: tuple[list[str], list[str]] = ([], [])
    seconds = [0.0, 0.0]
    for start in range(0, len(samples), CHUNK):
        chunk = [text for text, _ in samples[start : start + CHUNK]]
        for side, guess in enumerate((ours, theirs)):
            began = time.perf_counter()
            predicted[side].extend(guess(text) for text in chunk)
            seconds[side] += time.perf_counter() - began
    return predicted[0], len(samples) / seconds[0], predicted[1], len(samples) / seconds[1]


def scores(samples: list[Sample], predicted: list[str]) -> dict[str, float]:
    truth = [route(label) for _, label in samples]
    routes = [route(p) for p in predicted]
    out = {"routing accuracy": sum(t == r for t, r in zip(truth, routes, strict=True)) / len(samples)}
    for target in TARGETS:
        hits = sum(t == r == target for t, r in zip(truth, routes, strict=True))
        out[f"{target} precision"] = hits / max(1, routes.count(target))
        out[f"{target} recall"] = hits / max(1, truth.count(target))
    confusers = [r for t, r in zip(truth, routes, strict=True) if t == NONE]
    out["confuser false-route"] = sum(r != NONE for r in confusers) / max(1, len(confusers))
    out["und rate"] = predicted.count(UNDETERMINED) / len(predicted)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/lid/dev")
    parser.add_argument("--errors", action="store_true", help="list werger's routing errors")
    args = parser.parse_args()
    sets = load(args.data)
    stock_guess = stock()
    detect("warm up the profiles")
    stock_guess("warm up the profiles")
    badini_name = next(name for name in sets if "Arabic script" in name)
    badini = sets.pop(badini_name)
    for name, samples in sets.items():
        ours, ours_rate, theirs, their_rate = run_both(werger_guess, stock_guess, samples)
        again = [werger_guess(text) for text, _ in samples]
        print(f"\n{name}: {len(samples)} texts")
        print(f"  {'':24}{'werger':>10}{'stock':>10}")
        a, b = scores(samples, ours), scores(samples, theirs)
        for key in a:
            print(f"  {key:24}{a[key]:>10.2%}{b[key]:>10.2%}")
        ratio = ours_rate / their_rate
        print(f"  {'texts/second':24}{ours_rate:>10.0f}{their_rate:>10.0f}   speed ratio {ratio:.1f}x")
        print(f"  deterministic (two runs agree): {'yes' if again == ours else 'NO'}")
        if args.errors:
            wrong = Counter(
                (label, p) for (_, label), p in zip(samples, ours, strict=True) if route(label) != route(p)
            )
            listed = ", ".join(f"{t}->{p} x{n}" for (t, p), n in wrong.most_common())
            print("  errors (true -> werger):", listed)
    ours, _, theirs, _ = run_both(werger_guess, stock_guess, badini)
    print(f"\n{badini_name}: {len(badini)} texts")
    print(f"  {'':24}{'werger':>10}{'stock':>10}")
    outcomes = (("sent to Sorani model", "ckb"), ("labelled kmr-Arab", "kmr-Arab"), ("und", UNDETERMINED))
    for key, wanted in outcomes:
        print(f"  {key:24}{ours.count(wanted) / len(ours):>10.2%}{theirs.count(wanted) / len(theirs):>10.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
