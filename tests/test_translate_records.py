# ruff: noqa: RUF001, RUF002 - Russian test sentences
"""translate_records with real engines: batching, memory, flags, glossaries, NLLB, honesty."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_record

from store.record import Status
from translate.cache import TranslationMemory
from translate.ct2 import DecodingOptions, chunks_by_tokens
from translate.engine import EngineRegistry
from translate.records import translate_records
from translate.registry import build_registry

RUSSIAN = [
    "Комитет соберётся на следующей неделе. Он обсудит новый отчёт.",
    "Журналисты прошли обучение по безопасности.",
]


class Counting:
    """Wraps a real engine and remembers every sentence it was asked to translate."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.ref = engine.ref
        self.seen: list[str] = []

    def translate_batch(self, texts, source, target):
        self.seen.extend(texts)
        return self.engine.translate_batch(texts, source, target)


def counting_registry(models_dir: Path, **kwargs) -> tuple[EngineRegistry, Counting]:
    real = build_registry(models_dir, **kwargs)
    counting = Counting(real.find("ru", "en"))
    registry = EngineRegistry(real.glossaries)
    registry.add("ru", "en", counting)
    return registry, counting


def test_sentences_of_many_documents_go_to_the_engine_in_one_call(models_dir):
    registry, counting = counting_registry(models_dir)
    records = [make_record([("ru", text)], url=f"https://example.org/{i}") for i, text in enumerate(RUSSIAN)]
    translated = translate_records(records, registry, "en")
    assert counting.seen == [
        "Комитет соберётся на следующей неделе.",
        "Он обсудит новый отчёт.",
        "Журналисты прошли обучение по безопасности.",
    ]
    assert all(r.segments[0].target is not None for r in translated)
    assert all(r.segments[0].engine == counting.ref for r in translated)


def test_a_warm_memory_translates_nothing_again(models_dir, tmp_path):
    registry, counting = counting_registry(models_dir)
    records = [make_record([("ru", text)], url=f"https://example.org/{i}") for i, text in enumerate(RUSSIAN)]
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        first = translate_records(records, registry, "en", memory)
    counting.seen.clear()
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        second = translate_records(records, registry, "en", memory)
        assert (memory.hits, memory.misses) == (3, 0)
    assert counting.seen == []
    assert [r.segments for r in second] == [r.segments for r in first]


def test_the_memory_is_keyed_by_model_version(tmp_path):
    from store.record import EngineRef

    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.store({"Привет.": "Hello."}, "ru->en", EngineRef(id="argos:ru_en", version="1.9"))
        assert memory.lookup(["Привет."], "ru->en", EngineRef(id="argos:ru_en", version="1.9")) == {
            "Привет.": "Hello."
        }
        assert memory.lookup(["Привет."], "ru->en", EngineRef(id="argos:ru_en", version="2.0")) == {}
        assert memory.lookup(["Привет."], "ru->ar", EngineRef(id="argos:ru_en", version="1.9")) == {}


def test_gibberish_from_a_random_model_is_sent_for_review(models_dir):
    translated = translate_records([make_record([("ru", RUSSIAN[0])])], build_registry(models_dir), "en")[0]
    assert translated.status is Status.NEEDS_REVIEW
    assert translated.segments[0].qa_flags
    assert translated.segments[0].qa_flags[0] in translated.status_reason


def test_a_glossary_term_lost_by_the_model_is_flagged(models_dir, tmp_path):
    (tmp_path / "ru-en.toml").write_text('keep = ["Rudaw"]\n', encoding="utf-8")
    registry = build_registry(models_dir, glossary_dir=tmp_path)
    assert registry.glossary("ru", "en") is not None
    record = make_record([("ru", "Rudaw сообщает о выборах в регионе.")])
    segment = translate_records([record], registry, "en")[0].segments[0]
    assert ("glossary_term_lost" in segment.qa_flags) == ("Rudaw" not in segment.target)


def test_segments_edited_by_a_person_are_kept(models_dir):
    record = make_record([("ru", RUSSIAN[0]), ("ru", RUSSIAN[1])])
    record.segments[0].target = "The committee meets next week. It discusses the report."
    record.segments[0].edited_by = "editor@example.org"
    translated = translate_records([record], build_registry(models_dir), "en")[0]
    assert translated.segments[0].target == "The committee meets next week. It discusses the report."
    assert translated.segments[1].target is not None


def test_kurdish_without_nllb_is_untranslated_with_the_command_that_fixes_it(models_dir):
    record = make_record([("ckb", "ڕێکخراوەکە ڕاپۆرتێکی نوێی بڵاوکردەوە.")])
    translated = translate_records([record], build_registry(models_dir), "en")[0]
    assert translated.status is Status.UNTRANSLATED
    assert translated.status_reason.startswith("no model for ckb->en")
    assert "ct2-transformers-converter --model facebook/nllb-200" in translated.status_reason
    assert "werger models install" in translated.status_reason


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ckb", "ڕێکخراوەکە ڕاپۆرتێکی نوێی بڵاوکردەوە."), ("kmr", "Rêxistinê raporeke nû weşand.")],
)
def test_kurdish_is_translated_by_nllb_when_configured(models_dir, nllb_dir, lang, text):
    registry = build_registry(models_dir, nllb_dir=nllb_dir)
    translated = translate_records([make_record([(lang, text)])], registry, "en")[0]
    assert translated.status in (Status.MACHINE, Status.NEEDS_REVIEW)
    assert translated.segments[0].engine.id == f"nllb:{nllb_dir.name}"
    assert translated.segments[0].target is not None


def test_argos_keeps_its_pairs_when_nllb_is_configured(models_dir, nllb_dir):
    registry = build_registry(models_dir, nllb_dir=nllb_dir)
    assert registry.find("ru", "en").ref.id.startswith("argos:")
    assert registry.find("ar", "en").ref.id.startswith("nllb:")


def test_nllb_input_carries_language_tags(nllb_dir):
    from translate.nllb import NllbEngine

    engine = NllbEngine(nllb_dir, ("ckb", "en"))
    assert engine.source_tokens(["▁a"]) == ["ckb_Arab", "▁a", "</s>"]
    assert engine.target_prefix() == ["eng_Latn"]


def test_batches_are_length_sorted_and_within_the_token_budget():
    tokens = [["x"] * n for n in (9, 1, 5, 3, 7, 2, 8)]
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    chunks = chunks_by_tokens(order, tokens, budget=12)
    assert [i for chunk in chunks for i in chunk] == order
    for chunk in chunks:
        assert len(chunk) == 1 or max(len(tokens[i]) for i in chunk) * len(chunk) <= 12


def test_a_batch_is_closed_before_it_is_mostly_padding():
    widths = [10] * 8 + [11] + [40] * 8 + [80] * 3
    tokens = [["x"] * n for n in widths]
    chunks = chunks_by_tokens(list(range(len(widths))), tokens, budget=100_000, max_items=64)
    assert [[widths[i] for i in chunk] for chunk in chunks] == [[10] * 8 + [11], [40] * 8, [80] * 3]
    for chunk in chunks:
        padded = max(widths[i] for i in chunk) * len(chunk)
        assert 1 - sum(widths[i] for i in chunk) / padded <= 0.1


def test_a_small_batch_is_not_cut_for_padding():
    tokens = [["x"] * n for n in (2, 9, 30)]
    assert chunks_by_tokens([0, 1, 2], tokens, budget=1000, max_items=64) == [[0, 1, 2]]


def test_batches_hold_at_most_the_batch_size():
    tokens = [["x"] * 3 for _ in range(10)]
    chunks = chunks_by_tokens(list(range(10)), tokens, budget=1000, max_items=4)
    assert [len(chunk) for chunk in chunks] == [4, 4, 2]


def test_threads_default_to_the_cpus_this_process_may_use():
    import os

    assert DecodingOptions().thread_count() == len(os.sched_getaffinity(0))
    assert DecodingOptions(threads=3).thread_count() == 3


def test_abbreviations_reach_the_engine_inside_their_sentences(models_dir):
    """Field case: a Russian article whose sentences were cut after "Доц.", "им.", "млн.", "т. е."."""
    paragraphs = [
        "Доц. Сидоров выступил в МГУ им. Ломоносова на конференции по водным ресурсам Ближнего Востока.",
        "По его словам, расходы на очистку воды выросли на 12 млн. руб. по сравнению с прошлым годом.",
        "Участники договорились встретиться снова через год, т. е. весной следующего года, в том же здании.",
    ]
    registry, counting = counting_registry(models_dir)
    translate_records([make_record([("ru", text) for text in paragraphs])], registry, "en")
    assert counting.seen == paragraphs


QA_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "qa"


class Replaying:
    """An engine that answers each sentence with a recorded output: what a real engine returned."""

    def __init__(self, outputs: dict[str, str]) -> None:
        from store.record import EngineRef

        self.outputs = outputs
        self.ref = EngineRef(id="recorded", version="1")

    def translate_batch(self, texts, source, target):
        from translate.engine import Translation

        return [Translation(text=self.outputs[text], engine=self.ref) for text in texts]


def _replay(case: dict, outputs: dict[str, str]):
    source, target = case["pair"]
    registry = EngineRegistry()
    registry.add(source, target, Replaying(outputs))
    records = [make_record([(source, text) for text in case["paragraphs"]])]
    return translate_records(records, registry, target)[0]


def _untranslate(text: str, how: str) -> str:
    """The untranslated shapes an engine returns: the input, or the input with a word changed."""
    return text if how == "copied" else text.replace(text.split()[1], text.split()[1].upper(), 1)


@pytest.mark.parametrize("how", ["copied", "nearly copied"])
@pytest.mark.parametrize("path", sorted(QA_FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_one_untranslated_sentence_flags_its_paragraph(path, how):
    import json

    case = json.loads(path.read_text(encoding="utf-8"))
    outputs = {
        sentence: _untranslate(out, how) if out == sentence else out
        for sentence, out in case["outputs"].items()
    }
    record = _replay(case, outputs)
    assert record.status == Status.NEEDS_REVIEW
    assert "copied_input" in record.segments[0].qa_flags
    assert "copied_input" in record.status_reason


@pytest.mark.parametrize("path", sorted(QA_FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_the_same_paragraph_translated_throughout_passes(path):
    import json

    case = json.loads(path.read_text(encoding="utf-8"))
    fixed = "Thousands of people stand silently in every street and look at the sea."
    outputs = {s: fixed if out == s else out for s, out in case["outputs"].items()}
    record = _replay(case, outputs)
    assert record.segments[0].qa_flags == []
    assert record.status == Status.MACHINE


PARTLY_KEPT = [
    (
        ["kmr", "en"],
        "Hûn çi dibînin? Li hemû kolanên bajêr bi hezaran mirov wek nobedarên bêdeng sekinîne û li "
        "deryayê dinêrin.",
        "In all the streets of the city bi hezaran mirov wek nobedarên bêdeng sekinîne û li deryayê dinêrin.",
    ),
    (
        ["en", "kmr"],
        "What do you see? Thousands of people are standing silently along all the streets of the city.",
        "Bi hezaran mirov are standing silently along all the streets of the city.",
    ),
    (
        ["ru", "en"],
        "Что вы видите? Тысячи людей стоят вдоль всех улиц города, они молча смотрят на море, как часовые.",
        "Thousands of people stand along all the streets of the city, они молча смотрят на море, "
        "как часовые.",
    ),
]


@pytest.mark.parametrize(
    ("pair", "paragraph", "output"), PARTLY_KEPT, ids=lambda v: "-".join(v) if isinstance(v, list) else None
)
def test_a_sentence_translated_only_in_part_flags_its_paragraph(pair, paragraph, output):
    from translate.segment import split_sentences

    first, second = split_sentences(paragraph, pair[0])
    done = {"kmr": "Hûn çi dibînin?", "en": "What do you see?"}[pair[1]]
    record = _replay({"pair": pair, "paragraphs": [paragraph]}, {first: done, second: output})
    assert "untranslated_words" in record.segments[0].qa_flags
    assert record.status == Status.NEEDS_REVIEW


def test_a_sentence_left_in_the_source_script_or_empty_is_flagged():
    case = {"pair": ["ru", "en"], "paragraphs": ["Что вы видите? Тысячи людей стоят вдоль всех улиц города."]}
    left = {
        "Что вы видите?": "What do you see?",
        "Тысячи людей стоят вдоль всех улиц города.": "Тысячи people стоят вдоль улиц.",
    }
    assert "wrong_script" in _replay(case, left).segments[0].qa_flags
    empty = {"Что вы видите?": "What do you see?", "Тысячи людей стоят вдоль всех улиц города.": ""}
    flagged = _replay(case, empty)
    assert "empty" in flagged.segments[0].qa_flags
    assert flagged.status == Status.NEEDS_REVIEW


def test_a_short_name_may_come_back_unchanged():
    case = {"pair": ["kmr", "en"], "paragraphs": ["Rudaw. Rojnamevan li ser ewlehiyê hatin perwerdekirin."]}
    outputs = {
        "Rudaw.": "Rudaw.",
        "Rojnamevan li ser ewlehiyê hatin perwerdekirin.": "Journalists were trained on safety.",
    }
    record = _replay(case, outputs)
    assert record.segments[0].qa_flags == []
    assert record.status == Status.MACHINE


def test_the_title_is_translated_as_a_segment_of_its_own(models_dir, tmp_path):
    registry, counting = counting_registry(models_dir)
    record = make_record([("ru", RUSSIAN[1])]).model_copy(update={"title": "Доц. Сидоров о воде"})
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        translated = translate_records([record], registry, "en", memory)[0]
        assert memory.count() == 2
    assert sorted(counting.seen) == sorted(["Доц. Сидоров о воде", RUSSIAN[1]])
    title = translated.title_segment
    assert (title.source, title.lang) == ("Доц. Сидоров о воде", "ru")
    assert title.target and title.engine == counting.ref
    again = translate_records([translated.model_copy(update={"title": "Новый заголовок"})], registry, "en")[0]
    assert again.title_segment.source == "Новый заголовок"


def test_a_title_left_untranslated_sends_the_record_to_review():
    case = {"pair": ["ru", "en"], "paragraphs": ["Тысячи людей стоят вдоль всех улиц города."]}
    title = "Тысячи людей вышли на улицы города"
    outputs = {case["paragraphs"][0]: "Thousands of people stand along the streets.", title: title}
    registry = EngineRegistry()
    registry.add("ru", "en", Replaying(outputs))
    record = make_record([("ru", case["paragraphs"][0])]).model_copy(update={"title": title})
    translated = translate_records([record], registry, "en")[0]
    assert translated.segments[0].qa_flags == []
    assert "copied_input" in translated.title_segment.qa_flags
    assert translated.status == Status.NEEDS_REVIEW


def test_an_edited_title_survives_a_recrawl_and_retranslation(models_dir):
    from store.revise import carry_edits, edited

    registry, _ = counting_registry(models_dir)
    record = make_record([("ru", RUSSIAN[1])]).model_copy(update={"title": "Новости региона"})
    first = translate_records([record], registry, "en")[0]
    mine = edited(first, {}, "amina", title="News of the region")
    assert mine.title_segment.target == "News of the region" and mine.title_segment.edited_by == "amina"
    recrawled = carry_edits(record.model_copy(update={"revision": mine.revision + 1}), mine)
    again = translate_records([recrawled], registry, "en")[0]
    assert again.title_segment.target == "News of the region"
    assert again.title_segment.machine_target == first.title_segment.target


def test_a_title_made_by_an_upgraded_model_is_stale():
    from store.record import EngineRef
    from translate.retranslate import stale_records

    record = make_record([("en", "Already in English.")]).model_copy(update={"title": "Заголовок новости"})
    old = Replaying({"Заголовок новости": "News headline"})
    registry = EngineRegistry()
    registry.add("ru", "en", old)
    translated = translate_records([record.model_copy(update={"source_lang": "ru"})], registry, "en")[0]
    assert translated.title_segment.engine == old.ref
    upgraded = Replaying({"Заголовок новости": "The headline"})
    upgraded.ref = EngineRef(id="recorded", version="2")
    newer = EngineRegistry()
    newer.add("ru", "en", upgraded)
    assert stale_records([translated], newer, "recorded") == [translated]


class Mangling:
    """An engine that mangles what it cannot read as a name, as models do to URLs ("https: //...")."""

    def __init__(self) -> None:
        from store.record import EngineRef

        self.ref = EngineRef(id="mangling", version="1")

    def translate_batch(self, texts, source, target):
        import re

        from translate.engine import Translation

        return [
            Translation(text="Translated: " + re.sub(r"([:/.@])", r"\1 ", text), engine=self.ref)
            for text in texts
        ]


URL_SENTENCES = [
    tuple(line.split("\t"))
    for line in (Path(__file__).resolve().parent.parent / "fixtures" / "langid" / "url-in-sentence.tsv")
    .read_text(encoding="utf-8")
    .splitlines()
    if not line.startswith("#") and "://" in line
]


@pytest.mark.parametrize(("lang", "text"), URL_SENTENCES)
def test_urls_and_addresses_come_through_translation_unchanged(lang, text):
    import re

    paragraph = f"{text}. Write to press@example-agency.org (or www.example.org/contact)."
    registry = EngineRegistry()
    registry.add(lang, "en", Mangling())
    [record] = translate_records([make_record([(lang, paragraph)])], registry, "en")
    target = record.segments[0].target
    literals = [*re.findall(r"https?://\S+[^\s.]", text), "press@example-agency.org"]
    literals.append("www.example.org/contact")
    for literal in literals:
        assert literal in target, target
    assert "glossary_term_lost" not in record.segments[0].qa_flags


BARE_LINKS = [
    ("ru", "Полную версию интервью смотрите на {}", "youtu.be/water-network-north-villages-interview"),
    ("ar", "للمزيد زوروا الرابط {}.", "lnkd.in/water-network-north-villages-report"),
    ("kmr", "Gotar li ser malpera {} tê weşandin.", "example-agency.am/kmr/news/water-network"),
    ("ckb", "زانیاری زیاتر لە ({}) بخوێننەوە.", "example-agency.krd/ckb/news/water-north"),
]


@pytest.mark.parametrize(("lang", "text", "link"), BARE_LINKS)
def test_a_link_written_without_scheme_comes_through_translation_unchanged(lang, text, link):
    text = text.format(link)
    registry = EngineRegistry()
    registry.add(lang, "en", Mangling())
    [record] = translate_records([make_record([(lang, text)])], registry, "en")
    assert link in record.segments[0].target, record.segments[0].target
    assert "glossary_term_lost" not in record.segments[0].qa_flags


LITERALS_IN_PUNCTUATION = [
    (
        "ar",
        "هل زرتم موقعنا https://example.iq/ar/news؟ تابعونا على @ExampleNewsAR.",
        ["https://example.iq/ar/news", "@ExampleNewsAR"],
    ),
    (
        "ar",
        "يمكن التسجيل عبر http://forms.example.org/register?lang=ar&event=2024، حتى يوم الخميس.",
        ["http://forms.example.org/register?lang=ar&event=2024"],
    ),
    (
        "ru",
        "Следите за новостями в Telegram: @example_news_ru и на сайте t.me/example_news_ru.",
        ["@example_news_ru", "t.me/example_news_ru"],
    ),
    (
        "ckb",
        "لە تویتەر بەدوامان بکەون: @rudaw_ckb؛ یان سەردانی www.example.krd/ckb بکەن.",
        ["@rudaw_ckb", "www.example.krd/ckb"],
    ),
]


@pytest.mark.parametrize(("lang", "text", "literals"), LITERALS_IN_PUNCTUATION)
def test_handles_and_links_before_arabic_punctuation_come_through_translation_unchanged(lang, text, literals):
    from translate.glossary import Glossary

    # the link ends before "؟", "،" and "؛", which are the sentence's, translated with it
    assert list(Glossary().protect(text).renderings) == literals
    registry = EngineRegistry()
    registry.add(lang, "en", Mangling())
    [record] = translate_records([make_record([(lang, text)])], registry, "en")
    for literal in literals:
        assert literal in record.segments[0].target, record.segments[0].target
    assert "glossary_term_lost" not in record.segments[0].qa_flags
