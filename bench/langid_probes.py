# ruff: noqa: RUF001, RUF002 - the names are in the scripts they test
"""Probe sets for language identification: FLORES-200 sentences made to look like web text.

    from langid_probes import probes
    sets = probes(Path("../shared/data/lid/dev"), labels, per_lang=40)

Clean FLORES sentences are the easy case. News pages write headlines in Title Case or UPPER CASE,
quote Kurdish and Turkish place names in English, drop URLs and e-mail addresses into Arabic and
Russian sentences, mix English terms into Russian and Sorani, and run to paragraphs of twenty
sentences. Each probe class takes FLORES-200 dev sentences (NLLB Team et al., 2022, via SIB-200,
Adelani et al., 2024; CC BY-SA 4.0), read at run time and never copied into the repository, and
applies one such transformation; the true label stays that of the sentence. The inserted names and
terms are written here by hand; they are the kind of token that carries foreign letters, not a
list the detector is fitted to. Everything is seeded, so two runs build the same texts.

Shapes: ``probes`` returns ``{class name: [(text, true label), ...]}``.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

Sample = tuple[str, str]

# Tokens that are not language: they must not move a text's language or its script count.
NON_LANGUAGE = [
    "https://www.example-agency.org/en/news/2024/06/water-network-north",
    "http://example.net/index.php?id=7&section=economy",
    "www.partner-news.com/ar/2024/report.html",
    "press@example-agency.org",
    "info.desk@news-example.net",
    "@PartnerNews",
    "#Kurdistan",
    "#breaking",
    "2024",
    "12,5%",
    "+964 750 123 4567",
    "15.06.2024",
]
# Latin-script names and terms met in Arabic, Sorani, Russian and other non-Latin news.
LATIN_TERMS = [
    "Google",
    "Facebook",
    "Human Rights Watch",
    "UNICEF",
    "COVID-19",
    "iPhone",
    "Wi-Fi",
    "startup",
    "machine learning",
    "online",
    "Reuters",
    "John Smith",
    "NATO",
    "YouTube",
    "big data",
    "Amnesty International",
]
# Kurdish (Kurmanji) and Turkish place and person names as English news writes them.
KURDISH_TURKISH_NAMES = [
    "Serêkaniyê",
    "Şırnak",
    "Qamişlo",
    "Kobanê",
    "Hesekê",
    "Diyarbakır",
    "Erdoğan",
    "Öcalan",
    "Çiya Cudî",
    "Şengal",
    "Efrîn",
    "Dêrik",
    "Cizîr",
    "Gümüşhane",
    "Mehmet Öztürk",
    "Amêd",
]
# Sorani-spelt names (letters Arabic lacks) as Arabic and Persian news write them.
SORANI_NAMES = [
    "هەولێر",
    "سلێمانی",
    "دهۆک",
    "کۆیە",
    "ڕانیە",
    "شەقڵاوە",
    "هەڵەبجە",
    "پێنجوێن",
    "چەمچەماڵ",
    "کەلار",
]
# Arabic names (letters Sorani rarely uses) as Sorani news writes them.
ARABIC_NAMES = [
    "الموصل",
    "البصرة",
    "محافظة نينوى",
    "صلاح الدين",
    "الناصرية",
    "الفلوجة",
    "مؤسسة",
    "الأمم المتحدة",
]
# Kazakh and Ukrainian names (letters Russian lacks) as Russian news writes them.
CYRILLIC_NAMES = [
    "Тоқаев",
    "Шымкент",
    "Өскемен",
    "Қарағанды",
    "Київ",
    "Запоріжжя",
    "Львів",
    "Ірпінь",
    "Євгенія",
    "Їжакевич",
]
ZERO_WIDTH = ["\u200c", "\u200d", "\u200b", "\u00ad", "\u2060"]
ARABIC_MARKS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b"]


def script_of(code: str) -> str:
    return code.rsplit("_", 1)[1]


def read(data_dir: Path, code: str) -> list[str]:
    lines = (data_dir / f"{code}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def insert(rng: random.Random, sentence: str, tokens: list[str], count: int) -> str:
    """``sentence`` with ``count`` of ``tokens`` put between its words at random places."""
    words = sentence.split()
    for token in rng.sample(tokens, count):
        words.insert(rng.randrange(len(words) + 1), token)
    return " ".join(words)


def title(sentence: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in sentence.split())


def presentation_forms() -> dict[str, str]:
    """Each Arabic letter's isolated presentation form, the way some legacy pages encode text."""
    table = {}
    for code in range(0xFE70, 0xFF00):
        char = chr(code)
        name = unicodedata.name(char, "")
        if name.endswith("ISOLATED FORM"):
            base = unicodedata.normalize("NFKC", char)
            if len(base) == 1:
                table.setdefault(base, char)
    for code in range(0xFB50, 0xFDFF):
        char = chr(code)
        if unicodedata.name(char, "").endswith("ISOLATED FORM"):
            base = unicodedata.normalize("NFKC", char)
            if len(base) == 1:
                table.setdefault(base, char)
    return table


def page_noise(rng: random.Random, sentence: str, forms: dict[str, str]) -> str:
    """``sentence`` as badly made pages deliver it: zero-width characters, soft hyphens, no-break
    spaces; in the Arabic script also tatweel, vowel marks and presentation forms."""
    out = []
    arabic = any("\u0600" <= char <= "\u06ff" for char in sentence)
    use_forms = arabic and rng.random() < 0.5
    for char in sentence:
        if char == " " and rng.random() < 0.3:
            out.append("\u00a0")
            continue
        out.append(forms.get(char, char) if use_forms else char)
        if char.isalpha() and rng.random() < 0.1:
            out.append(rng.choice(ZERO_WIDTH))
        if arabic and char.isalpha() and rng.random() < 0.15:
            out.append(rng.choice(["\u0640", *ARABIC_MARKS]))
    return "".join(out)


def old_keyboard(sentence: str) -> str:
    """Arabic-script text typed on an Arabic keyboard: Arabic yeh and kaf, heh doachashmee for
    Sorani h, and Sorani ە as heh + zero-width non-joiner (the pre-Unicode habit)."""
    return sentence.replace("ی", "ي").replace("ک", "ك").replace("ە", "ه\u200c").replace("ھ", "ه")


def probes(
    data_dir: Path, labels: dict[str, str], per_lang: int = 40, seed: int = 12
) -> dict[str, list[Sample]]:
    """Probe classes over every FLORES code in ``labels`` (FLORES code -> werger label)."""
    rng = random.Random(seed)
    forms = presentation_forms()
    sets: dict[str, list[Sample]] = {}

    def add(name: str, text: str, label: str) -> None:
        sets.setdefault(name, []).append((text, label))

    for code, label in sorted(labels.items()):
        lines = read(data_dir, code)
        script = script_of(code)
        picked = lines[:per_lang]
        for sentence in picked:
            words = sentence.split()
            if script in ("Latn", "Cyrl"):
                add("Title Case sentences", title(sentence), label)
                add("UPPER CASE sentences", sentence.upper(), label)
                add("Title Case headlines (8 words)", title(" ".join(words[:8])), label)
            add("headlines (3-8 words)", " ".join(words[: 3 + rng.randrange(6)]), label)
            add(
                "URL, e-mail, handle or number inserted (1-2)",
                insert(rng, sentence, NON_LANGUAGE, rng.randint(1, 2)),
                label,
            )
            add(
                "from real pages (zero-width, tatweel, marks, forms)", page_noise(rng, sentence, forms), label
            )
            if script == "Arab":
                add("Arabic keyboard (yeh, kaf, heh + ZWNJ)", old_keyboard(sentence), label)
            if script != "Latn":
                add("4 Latin names or terms inserted", insert(rng, sentence, LATIN_TERMS, 4), label)
            if script == "Latn":
                add(
                    "Kurdish and Turkish names inserted (1-2)",
                    insert(rng, sentence, KURDISH_TURKISH_NAMES, rng.randint(1, 2)),
                    label,
                )
            if script == "Arab" and label != "ckb":
                add(
                    "Sorani-spelt names inserted (1-2)",
                    insert(rng, sentence, SORANI_NAMES, rng.randint(1, 2)),
                    label,
                )
            if label == "ckb":
                add(
                    "Arabic names inserted (1-2)",
                    insert(rng, sentence, ARABIC_NAMES, rng.randint(1, 2)),
                    label,
                )
            if script == "Cyrl" and label not in ("kaz", "ukr"):
                add(
                    "Kazakh and Ukrainian names inserted (1-2)",
                    insert(rng, sentence, CYRILLIC_NAMES, rng.randint(1, 2)),
                    label,
                )
        for size, step, count in ((10, 7, 10), (20, 4, 8)):
            for start in range(0, count * step, step):
                window = [lines[(start + i) % len(lines)] for i in range(size)]
                add(f"paragraphs of {size} sentences", " ".join(window), label)
    quoted = _quotes(data_dir, labels, rng, per_lang)
    sets["a quoted sentence in another language inside a paragraph"] = quoted
    return sets


def _quotes(data_dir: Path, labels: dict[str, str], rng: random.Random, per_lang: int) -> list[Sample]:
    """Four sentences of one language with one quoted sentence of another in the middle."""
    codes = sorted(labels)
    samples = []
    for code in codes:
        lines = read(data_dir, code)
        for start in range(0, min(per_lang, len(lines) - 4), 4):
            other = rng.choice([c for c in codes if labels[c] != labels[code]])
            quote = rng.choice(read(data_dir, other))
            body = lines[start : start + 4]
            body.insert(2, f"«{quote}»")
            samples.append((" ".join(body), labels[code]))
    return samples


def partner_lines(folder: Path) -> list[Sample]:
    """Lines of at least five words of the real partner texts, labelled by their script: Latin
    lines are English and Cyrillic lines Russian on these pages (a proxy truth, see its README)."""
    samples = []
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.split()) < 5:
                continue
            latin = sum("a" <= char.lower() <= "z" for char in line)
            cyrillic = sum("\u0400" <= char <= "\u04ff" for char in line)
            samples.append((line.strip(), "ru" if cyrillic > latin else "en"))
    return samples
