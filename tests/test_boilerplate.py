"""The boilerplate pass: what it removes, and the article text it must never touch."""

# ruff: noqa: RUF001  (Cyrillic test lines)

from __future__ import annotations

import pytest

from ingest.boilerplate import Cleaner, TemplateLines, link_share, load_rules

ARTICLE = (
    "The workshop concluded with recommendations on digital violence, and participants agreed to "
    "share their experiences with the early warning units in every district of the governorate."
)

LISTED_BOILERPLATE = [
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Выбор языка",
    "Мы в социальных сетях:",
    "Цель Вашего посещения библиотеки?",
    "г. Сатпаев",
    "Бульвар Мира, 39",
    "3-й этаж",
    "8 (71063) 71780, 71782",
    "Who We Are",
    "- Where We Work",
    "- Take Action",
    "#GenderandDevelopment #OSCE #LifeWithoutViolence",
    "25 November 2021 16:12",
    "info@osce-office.example",
    "Tel.: +992 37 226 50 14",
    "اترك تعليقاً",
    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
    "شارك هذا:",
    "تابعونا:",
    "اقرأ المزيد",
    "مقالات ذات صلة",
    "الوسوم: حقوق المرأة، العراق",
    "© 2024 شبكة النساء العراقيات. جميع الحقوق محفوظة.",
    "وەڵامێک بنووسە",
    "ئیمەیڵەکەت بڵاوناکرێتەوە. خانە پێویستەکان بە * دیاری کراون",
    "هاوبەشی پێبکە:",
    "بەدوامان بکەون:",
    "زیاتر بخوێنەوە",
    "بابەتی پەیوەندیدار",
    "تاگەکان: مافی ئافرەتان، هەڵەبجە",
    "© 2024 ڕێکخراوی ئاسۆ. هەموو مافەکان پارێزراون.",
    "#مافیئافرەتان #هەڵەبجە",
    "Bersivekê binivîse",
    "Navnîşana e-nameya te nayê weşandin. Qadên pêwîst bi * hatine nîşankirin",
    "Parve bike:",
    "Me bişopînin:",
    "Zêdetir bixwîne",
    "Nûçeyên têkildar",
    "Etîket: jin, perwerde",
    "© 2024 Rojava Nûçe. Hemû maf parastî ne.",
    # Russian leaks seen on real news pages
    "Ссылки по теме",
    "Новости по теме:",
    "Оцените, пожалуйста, статью. Нам важно Ваше мнение.",
    "Заметили ошибку в тексте? Выделите её и нажмите Ctrl+Enter",
    "Постоянный адрес статьи: http://news.example/2012/01/12/item",
    "Фото: из архива редакции",
    "Страница 2 из 5",
    "3 января 2012 г., 12:40 | РИА Новости",
    "14.01.2012 12:45 | Интерфакс",
    "Курсы ЦБ",
    "$ 31.58",
    # English widget and byline leaks
    "By Louise Eccles",
    "By Mary O'Neil, Reuters",
    "Last updated at 7:42 AM on 12th January 2012",
    "Comments are now closed for this story",
    "Wind direction: South west",
    "Copyright © 2012, Radio New Zealand",
    "Featured advertisers",
    "Апрель 2013",
    "| Пн | Вт | Ср | Чт | Пт | Сб | Вс |",
    "|  |  |  |",
    # the same kinds in Arabic, Sorani and Kurmanji
    "المصدر: وكالة الأنباء العراقية",
    "قيم هذا المقال",
    "الصفحة 2 من 5",
    "سەرچاوە: ماڵپەڕی ڕووداو",
    "لاپەڕە 2 لە 5",
    "Çavkanî: ajansa nûçeyan",
    "Rûpel 2 ji 5",
]


@pytest.mark.parametrize("line", LISTED_BOILERPLATE)
def test_listed_boilerplate_lines_are_removed(line):
    assert Cleaner().clean([ARTICLE, line]) == [ARTICLE]


@pytest.mark.parametrize(
    "sentence",
    [
        "Leave a reply to the ministry, the director told the families, was the only request they had "
        "after the flood destroyed the road to the village and cut it off for three weeks.",
        "Мы в социальных сетях: так назывался доклад, который представили студенты университета на "
        "конференции о безопасности детей в интернете и о цифровом насилии в семье.",
        "Tags on the boxes showed that the aid had come from the regional office in Erbil.",
        "#MeToo became the slogan of a movement that reached every country in the region within a year.",
        "By the end of the year, 400 families had returned to their homes in the district.",
        # dates, ISSNs, titles with a year, contents lines: the phone rule must not take them
        "September 30, 2006",
        "ISSN 1234-5678",
        "The Road to Erbil (2006)",
        "Chapter 3. The first winter, 1991-1992",
        "By Monday evening rescuers had found two more survivors",
        "Фотографии этой выставки позже показали в Москве, Казани и Перми, где их увидели тысячи людей.",
    ],
)
def test_a_rule_phrase_inside_a_real_sentence_keeps_the_sentence(sentence):
    assert Cleaner().clean([sentence]) == [sentence]


def test_no_rule_drops_a_paragraph_longer_than_the_limit():
    rules = load_rules()
    long_reply = "Leave a Reply " * (rules.max_rule_chars // 10)
    assert not rules.is_boilerplate(long_reply)


def test_a_short_line_becomes_template_only_after_enough_pages_of_the_site():
    cleaner = Cleaner()
    need = cleaner.rules.template_min_pages
    outputs = [cleaner.clean(["Our Skill Your Growth", f"{ARTICLE} Page {n}."]) for n in range(need + 1)]
    assert [len(o) for o in outputs] == [2] * (need - 1) + [1, 1]
    assert outputs[-1] == [f"{ARTICLE} Page {need}."]


def test_template_lines_are_learned_per_site():
    first, second = Cleaner(), Cleaner()
    for _ in range(first.rules.template_min_pages):
        first.clean(["Our Skill Your Growth"])
    assert second.clean(["Our Skill Your Growth"]) == ["Our Skill Your Growth"]


def test_a_long_paragraph_repeated_on_every_page_is_not_learned_as_template():
    lines = TemplateLines(min_pages=2, max_chars=50)
    for _ in range(5):
        lines.observe([ARTICLE])
    assert not lines.is_template(ARTICLE)


def test_a_paragraph_made_of_link_texts_is_navigation():
    links = ["Where We Work", "Take Action", "Data and Resources"]
    assert link_share("Where We Work Take Action Data and Resources", links) == pytest.approx(1.0)
    assert Cleaner().clean([ARTICLE, "Menu: Data and Resources | Take Action"], links) == [ARTICLE]


def test_a_paragraph_with_one_link_in_it_is_kept():
    paragraph = "For the programme please click on this link https://allianceeventhub.org/program/"
    assert Cleaner().clean([paragraph], ["https://allianceeventhub.org/program/"]) == [paragraph]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Заметили ошибку в тексте? Выделите её и нажмите Ctrl+Enter, чтобы сообщить об этом редакции. " * 3,
        "При полном или частичном использовании материалов ссылка на сайт обязательна. " * 4,
        "© 2012 American City Business Journals, Inc. and its licensors. All rights reserved. The material "
        "on this site may not be reproduced, distributed, transmitted, cached or otherwise used, except with "
        "the prior written permission of the publisher.",
        "© 2024 شبكة النساء العراقيات. جميع الحقوق محفوظة. لا يجوز نسخ المواد أو إعادة نشرها دون إذن "
        "مكتوب من إدارة الموقع، ويتحمل الكاتب وحده مسؤولية ما ينشر من آراء في هذه الصفحة، ولا تعبر "
        "هذه الآراء بالضرورة عن رأي الشبكة أو أعضائها.",
    ],
)
def test_a_long_disclaimer_is_removed_by_its_opening(paragraph):
    assert len(paragraph) > load_rules().max_rule_chars
    assert Cleaner().clean([ARTICLE, paragraph]) == [ARTICLE]


def test_a_chrome_table_row_goes_and_a_data_row_stays():
    chrome = "| Курсы ЦБ | | $ 31.58 р. |"
    data = "| Пшеница | 2011 | 56,2 млн тонн |"
    assert Cleaner().clean([ARTICLE, chrome, data, "|  |  |"]) == [ARTICLE, data]


def test_a_layout_table_row_keeps_its_article_cell_and_loses_its_chrome_cells():
    article = f"{ARTICLE} The governor promised to visit the district before the end of the month."
    row = f"| Home \\| News | {article} | Share: |"
    assert Cleaner().clean([row], ["Home", "News"]) == [article]


def test_a_sentence_beside_link_previews_is_not_navigation():
    previews = [
        "Floods close the mountain road to the border crossing for the third time this winter",
        "Schools in the northern districts reopen after the holiday with new teachers",
        "Prices of bread and fuel rise again in the city markets as the currency falls",
        "Council approves the budget for the new water network",
    ]
    sentence = "The governor said the repairs would take at least two more weeks."
    paragraph = " ".join([*previews, sentence])
    assert link_share(paragraph, previews) >= load_rules().link_share
    assert Cleaner().clean([paragraph], previews) == [paragraph]
    assert Cleaner().clean([" ".join(previews)], previews) == []


def test_prose_repeated_on_many_pages_of_a_site_is_republished_text_not_template():
    cleaner = Cleaner()
    prose = "The agency is an independent news service that has reported on the region since 1998."
    chrome = "Follow our reporters on Twitter"
    for n in range(cleaner.rules.template_min_pages + 1):
        kept = cleaner.clean([f"{ARTICLE} Page {n}.", prose, chrome], page_key=str(n))
    assert kept == [f"{ARTICLE} Page {cleaner.rules.template_min_pages}.", prose]


def test_an_article_sentence_that_is_also_a_link_elsewhere_stays():
    sentence = "The ministry said the new road to the border crossing will open to traffic next month."
    assert Cleaner().clean([sentence, "Home News Sport"], [sentence, "Home", "News", "Sport"]) == [sentence]
