"""New variants of the language-identification field case: contact lines, handles and credits.

Short lines that partner sites put under articles: a phone number and an address, a "follow us"
line with @handles, a photo credit. What is not language (numbers, addresses, handles, names)
must leave the sentence's language to its words.
"""

from __future__ import annotations

import pytest

from ingest.langid import detect


@pytest.mark.parametrize(
    "text",
    [
        "Звоните по телефону +7 (495) 123-45-67 или пишите на press@example.ru",
        "Читайте нас в VK, Telegram и WhatsApp: @example_news",
        "Звоните по телефону или пишите на почту",
    ],
)
def test_a_short_russian_contact_line_is_russian(text):
    assert detect(text).lang == "ru"
    assert detect(text, hints=["ru"]).lang == "ru"


def test_a_russian_address_line_with_the_pages_hint_is_russian():
    assert detect("Пишите нам на почту editor@example-agency.org", hints=["ru"]).lang == "ru"


@pytest.mark.parametrize(
    "text", ["وێنە: AFP / Safin Hamed", "صورة: AFP / Safin Hamed", "Фото: AFP / Safin Hamed"]
)
def test_a_photo_credit_with_latin_names_is_not_english(text):
    """The Latin words are names: they may leave the line undetermined, never make it English."""
    assert detect(text).lang not in ("en", "kmr")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ar", "للتواصل مع المكتب الإعلامي اتصلوا على الرقم +964 750 123 4567 أو عبر واتساب"),
        ("ar", "وأطلق الناشطون وسم #أنقذوا_الموصل و #SaveMosul على منصة X للمطالبة بالمساعدة"),
        ("ar", "أعلنت شركة Samsung Electronics عن افتتاح فرع جديد في أربيل بالتعاون مع Korek Telecom"),
        ("ar", "يمكن التسجيل عبر http://forms.example.org/register?lang=ar&event=2024 حتى يوم الخميس"),
        ("ckb", "پەیوەندی بکەن بە ژمارە 0750 123 45 67 یان ئیمەیڵ info@example.krd"),
        ("ckb", "کۆمپانیای Asiacell و Korek Telecom ڕایانگەیاند کە نرخی ئینتەرنێت دادەبەزێنن"),
        ("ckb", "سەیری ڤیدیۆکە بکەن لە youtube.com/watch?v=abc123XYZ و هاوبەشی پێبکەن"),
        ("ru", "Пользователи запустили хештег #СпаситеМосул и #SaveMosul в Twitter и Telegram"),
        ("ru", "Компания Apple представила iPhone 15 Pro Max на презентации в Купертино"),
        ("ru", "Телефон горячей линии: 8-800-555-35-35, e-mail: info@example.ru"),
        ("kmr", "Bi hejmara +90 555 123 45 67 an jî bi e-peyama nuce@example.com re têkilî daynin"),
        ("kmr", "Li ser Twitter, Facebook û Instagramê me bişopînin: @ExampleKurdi"),
    ],
)
def test_numbers_hashtags_handles_and_brands_leave_the_language_to_the_words(lang, text):
    assert detect(text).lang == lang
