# ruff: noqa: RUF001 - the sentences are in the scripts they test
"""Sentence splitting, quality flags and glossary placeholders: the text-level rules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from translate.glossary import Glossary, load_glossaries
from translate.languages import languages
from translate.quality import quality_flags
from translate.segment import ABBREVIATIONS_DIR, split_sentences

SEGMENT_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "segment"


@pytest.mark.parametrize(
    ("lang", "paragraph", "expected"),
    [
        ("en", "Mr. Smith arrived. He spoke!", ["Mr. Smith arrived.", "He spoke!"]),
        ("ru", "Вы здесь? Да, я здесь.", ["Вы здесь?", "Да, я здесь."]),
        ("ar", "هل أنت هنا؟ نعم أنا هنا.", ["هل أنت هنا؟", "نعم أنا هنا."]),
        ("ckb", "ئایا تۆ لێرەیت؟ بەڵێ من لێرەم.", ["ئایا تۆ لێرەیت؟", "بەڵێ من لێرەم."]),
        ("kmr", "Tu li vir î? Erê, ez li vir im.", ["Tu li vir î?", "Erê, ez li vir im."]),
        ("kmr", "Ev pirtûk nû e. Ew li mal e. Ez diçim.", ["Ev pirtûk nû e.", "Ew li mal e.", "Ez diçim."]),
        ("kmr", "Pirtûka J. Smith baş e.", ["Pirtûka J. Smith baş e."]),
    ],
)
def test_paragraphs_split_into_sentences_in_every_language(lang, paragraph, expected):
    assert split_sentences(paragraph, lang) == expected


@pytest.mark.parametrize("path", sorted(SEGMENT_FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_sentences_with_abbreviations_come_back_whole(path):
    lang = path.stem.split("-")[0]
    sentences = path.read_text(encoding="utf-8").splitlines()
    for sentence in sentences:
        assert split_sentences(sentence, lang) == [sentence]
    assert split_sentences(" ".join(sentences), lang) == sentences


@pytest.mark.parametrize(
    ("lang", "paragraph", "expected"),
    [
        (
            "ru",
            "Цена выросла на 5 тыс. руб. по сравнению с маем.",
            ["Цена выросла на 5 тыс. руб. по сравнению с маем."],
        ),
        (
            "ru",
            "Роман написал Л. Н. Толстой. Он вышел в 1869 году.",
            ["Роман написал Л. Н. Толстой.", "Он вышел в 1869 году."],
        ),
        ("en", 'He said: "We stay." "Why?" she asked.', ['He said: "We stay."', '"Why?" she asked.']),
        ("en", "The area is 2.2 million km. It is large.", ["The area is 2.2 million km.", "It is large."]),
        ("kmr", 'Wî got: "Ev mala min e." Paşê çû.', ['Wî got: "Ev mala min e."', "Paşê çû."]),
        (
            "ru",
            "Продаются яблоки, груши и т. д. Цены выросли. Пришли Иванов, Петров и т.п. Собрание началось.",
            [
                "Продаются яблоки, груши и т. д.",
                "Цены выросли.",
                "Пришли Иванов, Петров и т.п.",
                "Собрание началось.",
            ],
        ),
    ],
)
def test_boundaries_around_quotes_initials_and_lower_case_words(lang, paragraph, expected):
    assert split_sentences(paragraph, lang) == expected


@pytest.mark.xfail(
    strict=True,
    reason='an era or unit abbreviation after a number ("هـ.", "ز.") may end a sentence, and a '
    "caseless script gives no capital to tell; the next word would have to decide",
)
@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("ar", "توفي الخليفة سنة 132 هـ. في دمشق بعد مرض طويل."),
        ("ckb", "لە ساڵی ١٩٩١ ز. ڕاپەڕین دەستی پێکرد لە شارەکانی کوردستان."),
    ],
)
def test_an_era_after_a_year_inside_a_caseless_sentence_does_not_end_it(lang, sentence):
    assert split_sentences(sentence, lang) == [sentence]


def test_every_language_has_an_abbreviation_file_with_consistent_lists():
    for code in languages():
        data = tomllib.loads((ABBREVIATIONS_DIR / f"{code}.toml").read_text(encoding="utf-8"))
        assert data["nonbreaking"], code
        nonbreaking = set(data["nonbreaking"])
        others = set(data.get("before_number", [])) | set(data.get("may_end", []))
        assert not nonbreaking & others, f"{code}: listed as never ending and as ending a sentence"
        assert all(entry == entry.lower() and entry.endswith(".") for entry in nonbreaking | others), code
        assert set(data.get("ends_before_capital", [])) <= set(data.get("may_end", [])), code


def test_a_paragraph_without_a_boundary_stays_whole():
    assert split_sentences("Rêxistinê raporeke nû weşand", "kmr") == ["Rêxistinê raporeke nû weşand"]


def test_a_good_translation_has_no_flags():
    source = "Комитет соберётся на следующей неделе, чтобы обсудить новый отчёт."
    assert quality_flags(source, "The committee will meet next week to discuss the new report.", "en") == []


@pytest.mark.parametrize(
    ("output", "flag"),
    [
        ("", "empty"),
        ("the report the report the report the report on rights", "repetition"),
        ("Yes.", "length_ratio"),
        ("Комитет соберётся на следующей неделе.", "wrong_script"),
    ],
)
def test_suspicious_output_is_flagged(output, flag):
    source = "Комитет соберётся на следующей неделе, чтобы обсудить новый отчёт."
    assert flag in quality_flags(source, output, "en")


def test_output_equal_to_the_input_is_flagged():
    source = "Rojnamevan li ser ewlehiyê hatin perwerdekirin."
    assert "copied_input" in quality_flags(source, source, "en")


def test_glossary_terms_are_protected_and_restored(tmp_path):
    (tmp_path / "ru-en.toml").write_text(
        'keep = ["Rudaw"]\n[fixed]\n"Иракский Курдистан" = "Iraqi Kurdistan"\n"Курдистан" = "Kurdistan"\n',
        encoding="utf-8",
    )
    glossary = load_glossaries(tmp_path)[("ru", "en")]
    protected = glossary.protect("Rudaw сообщает: Иракский Курдистан и Курдистан.")
    assert "Rudaw" not in protected.text and "Курдистан" not in protected.text
    output = protected.text.replace("сообщает", "reports").replace("и", "and")
    restored, complete = Glossary.restore(output, protected)
    assert restored == "Rudaw reports: Iraqi Kurdistan and Kurdistan."
    assert complete


def test_a_dropped_placeholder_is_reported():
    glossary = Glossary({"Rudaw": "Rudaw"})
    protected = glossary.protect("Rudaw сообщает.")
    assert Glossary.restore("It reports.", protected) == ("It reports.", False)


def test_placeholders_survive_the_models_tokenizer(models_dir):
    import sentencepiece

    from translate.models import list_installed

    tokenizer = sentencepiece.SentencePieceProcessor(
        model_file=str(list_installed(models_dir)[0].path / "sentencepiece.model")
    )
    terms = {f"Term{i}": f"Term{i}" for i in range(12)}
    protected = Glossary(terms).protect(" ".join(terms) + " сообщают.")
    pieces = tokenizer.encode(protected.text, out_type=str)
    assert tokenizer.unk_id() not in tokenizer.piece_to_id(pieces)
    assert Glossary.restore(tokenizer.decode(pieces), protected) == (" ".join(terms) + " сообщают.", True)


def test_a_broken_glossary_file_names_itself(tmp_path):
    from translate.errors import GlossaryError

    (tmp_path / "ru-en.toml").write_text("terms = 3\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"ru-en\.toml"):
        load_glossaries(tmp_path)


URL_RU = "https://www.example-agency.org/ru/news/2024/06/water-network-north"
URL_EN = "https://www.example-agency.org/en/reports/2024/displacement-in-northern-iraq"


@pytest.mark.parametrize(
    ("target", "source", "output", "flags"),
    [
        # a right translation keeps its URL, address or handle: nothing to flag
        ("en", f"Подробности читайте на сайте {URL_RU}", f"Read more on the website {URL_RU}", []),
        ("ar", f"Read the full report at {URL_EN}", f"اقرأ التقرير الكامل على {URL_EN}", []),
        (
            "ckb",
            "Write to press-office@example-agency.org or follow @example_agency_news for updates.",
            "بۆ press-office@example-agency.org بنووسن یان شوێنی @example_agency_news بکەون.",
            [],
        ),
        ("en", f"Источник: {URL_RU}", f"Source: {URL_RU}", []),
        ("ru", URL_EN, URL_EN, []),
        # an untranslated sentence with a URL in it is still untranslated
        (
            "en",
            f"Подробности читайте на сайте агентства {URL_RU}",
            f"Подробности читайте на сайте агентства {URL_RU}",
            ["wrong_script", "copied_input"],
        ),
        (
            "en",
            f"Rêveberiya çandiniyê soza deynê tovan da, lê gelek malbat nikarin bin {URL_RU}",
            f"The directorate promised loans, lê gelek malbat nikarin bin {URL_RU}",
            ["untranslated_words"],
        ),
    ],
)
def test_urls_addresses_and_handles_kept_by_a_translation_are_not_untranslated_words(
    target, source, output, flags
):
    assert quality_flags(source, output, target) == flags
