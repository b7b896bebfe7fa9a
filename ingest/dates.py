# ruff: noqa: RUF001, RUF002 - month names and dates in the scripts they are written in
"""The page as the publication-date search reads it, and what that search may not guess.

htmldate (through trafilatura) finds a date in meta tags, ``<time>``, JSON-LD and the text; it
reads English and ISO dates well and Russian, Arabic, Sorani and Kurmanji month names barely or
not at all ("Опубликовано 14 марта 2023 г." came out 2023-01-01, "١٤ آذار ٢٠٢٣" as nothing). So
the copy of the page it searches is prepared:

- dates written with a month name of one of werger's languages (Russian genitive and short
  forms; Arabic in its Egyptian and Levantine/Iraqi month names; Sorani and Kurmanji, with their
  suffixes "١٤ی ئازاری ٢٠٢٣", "14ê Adarê 2023"; Arabic's two names of a month side by side,
  "آذار/مارس", "آذار (مارس)", "آذار - مارس"; month first, "Adar 14, 2023", as WordPress
  writes dates by default) are rewritten as ISO dates; Eastern Arabic and
  Persian digits become ASCII digits;
- a Hijri year ("1444 هـ") is taken out, so that it is never read as a Gregorian one, and so is
  a date after an update label ("Updated 2 April 2024", "Обновлено", "آخر تحديث", "نوێکرایەوە",
  "Hate nûkirin"): it says when the article changed;
- scripts are emptied unless they are JSON-LD or name a publication date (``datePublished``,
  ``publishDate`` in a ``__NEXT_DATA__`` JSON or a data layer): a cookie banner's expiry or a
  campaign's end date in JavaScript is not the article's date;
- a copyright line's year ("© 2010-2024") is taken out: htmldate refuses dates older than it;
- the page's own update dates are taken out of its metadata: ``<meta>`` named
  ``article:modified_time``, ``og:updated_time``, ``dateModified``, ``last-modified`` and the
  ``dateModified`` of JSON-LD. htmldate answers them when it finds no publication date in the
  head, before it reads the byline ("Published 14 March 2023" came out as the day of the last
  edit), and a page with no other date has no publication date;
- ``<link>`` elements that name other documents (``rel="prev"``, ``"next"``) are dropped: their
  dated paths are those documents' dates;
- so are the parts of the page around the article that carry other dates: ``<aside>`` and
  ``<nav>``, lists of related, latest or most-read stories, comments, and the date of the day
  that Arabic, Kurdish and many other news sites print in their header ("Sunday, 1 December
  2024", a class such as ``today``, ``current-date`` or ``top-date``; an article header's
  ``news_header_date`` is the article's own). htmldate reads an element whose class
  names a date before the article's own ``<time>``.

And a year alone is not a date: htmldate falls back to a copyright line ("© 2024") or a lone
year and answers 1 January of it. Such an answer is kept only when the page says 1 January.
"""

from __future__ import annotations

import re
from typing import Any

# month number -> spellings (lower case); a spelling may take a suffix (see _SUFFIX)
MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "января",
        "январь",
        "янв",
        "يناير",
        "كانون الثاني",
        "کانوونی دووەم",
        "çile",
        "rêbendan",
        "kanûna paşîn",
    ),
    2: ("февраля", "февраль", "фев", "فبراير", "شباط", "شوبات", "sibat", "reşemî"),
    3: ("марта", "март", "мар", "مارس", "آذار", "اذار", "ئازار", "adar"),
    4: ("апреля", "апрель", "апр", "أبريل", "ابريل", "إبريل", "نيسان", "نیسان", "nîsan", "avrêl"),
    5: ("мая", "май", "مايو", "أيار", "ايار", "ئایار", "gulan"),
    6: ("июня", "июнь", "июн", "يونيو", "يونيه", "حزيران", "حوزەیران", "hezîran", "pûşper"),
    7: ("июля", "июль", "июл", "يوليو", "يوليه", "تموز", "تەممووز", "tîrmeh", "tîrme"),
    8: ("августа", "август", "авг", "أغسطس", "اغسطس", "آب", "ئاب", "tebax", "gelawêj"),
    9: ("сентября", "сентябрь", "сен", "сент", "سبتمبر", "أيلول", "ايلول", "ئەیلوول", "îlon", "rezber"),
    10: (
        "октября",
        "октябрь",
        "окт",
        "أكتوبر",
        "اكتوبر",
        "تشرين الأول",
        "تشرين الاول",
        "تشرینی یەکەم",
        "cotmeh",
        "kewçêr",
    ),
    11: ("ноября", "ноябрь", "ноя", "нояб", "نوفمبر", "تشرين الثاني", "تشرینی دووەم", "mijdar", "sermawez"),
    12: (
        "декабря",
        "декабрь",
        "дек",
        "ديسمبر",
        "كانون الأول",
        "كانون الاول",
        "کانوونی یەکەم",
        "kanûn",
        "berfanbar",
        "kanûna pêşîn",
    ),
}
# Every pattern below needs a digit: text without one (most of a page's texts) is left as it is.
_ANY_DIGIT = re.compile("[0-9\u0660-\u0669\u06f0-\u06f9]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# suffixes written onto a day or a month: Kurmanji -ê/-a (izafe), Sorani -ی (also typed
# after a space: "١٤ ی ئازار")
_SUFFIX = r"(?:['’]?(?:ê|a|ya|yê)|\s?(?:ی|ي)(?!\w))?"
_SPELLINGS = sorted(
    ((spelling, month) for month, spellings in MONTHS.items() for spelling in spellings),
    key=lambda item: len(item[0]),
    reverse=True,
)
_MONTH_OF = {spelling: month for spelling, month in _SPELLINGS}
_MONTH = "|".join(re.escape(spelling).replace(r"\ ", r"\s+") for spelling, _ in _SPELLINGS)
_LOCAL_DATE = re.compile(
    rf"(?<!\d)(?P<day>[0-3]?\d){_SUFFIX}\.?\s+(?:-\s*)?(?P<month>{_MONTH}){_SUFFIX}\.?"
    rf"(?:\s*(?:/|\(|[-–]\s)\s*(?:{_MONTH})\s*\)?)?,?\s+"
    rf"(?P<year>(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
# "Adar 14, 2023", "مارس 14, 2023": WordPress's default date format ("F j, Y") with the month
# names of the site's language
_MONTH_FIRST_DATE = re.compile(
    rf"(?<!\w)(?P<month>{_MONTH}){_SUFFIX}\.?\s+(?P<day>[0-3]?\d)(?!\d)(?:['’]?(?:ê|an|a))?,?\s+"
    rf"(?P<year>(?:19|20)\d\d)(?!\d)",
    re.IGNORECASE,
)
_HIJRI_YEAR = re.compile(r"(?<!\d)1[34]\d\d\s*(?:هـ|ه|ھ)(?!\w)")
# "Updated 2 April 2024 | Published 14 March 2023": a date after an update label is when the
# article changed, not when it was published; it is taken out with its label.
_UPDATE_LABELS = (
    "last updated",
    "updated",
    "last modified",
    "modified",
    "обновлено",
    "обновлён",
    "изменено",
    "آخر تحديث",
    "تم التحديث",
    "تحديث",
    "نوێکرایەوە",
    "نوێکراوەتەوە",
    "dawî hate nûkirin",
    "hate nûkirin",
    "nûkirin",
)
_UPDATED_DATE = re.compile(
    "(?:" + "|".join(re.escape(label) for label in _UPDATE_LABELS) + r")"
    r"[^\w\n|•·]{0,4}[^\n|•·]{0,30}?(?<!\d)(?:19|20)\d\d(?:[-./]\d{1,2}){0,2}(?!\d)",
    re.IGNORECASE,
)
# "© 2010-2024": htmldate takes the year as a floor and refuses older dates found in the text
# (every article published before this year's footer), or as the date itself
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–—]\s*)?(?:19|20)\d\d", re.IGNORECASE)
_PUBLICATION_KEY = re.compile(
    r"date_?published|publish(?:ed)?_?(?:date|time|at|on)|pub_?date|date_?posted|article:published",
    re.IGNORECASE,
)
# a <meta> whose name, property, itemprop or http-equiv says when the page changed
_UPDATE_META = re.compile(r"modif|updated|last-?mod|revised", re.IGNORECASE)
_UPDATE_JSON = re.compile(
    r"(\\?[\"'](?:date_?modified|date_?updated|last_?modified|modified_?(?:date|time|at))\\?[\"'])\s*:\s*"
    r"(?:\\?\"[^\"\\]*\\?\"|'[^']*')",
    re.IGNORECASE,
)
_META_NAMES = ("name", "property", "itemprop", "http-equiv")
# class or id words of page parts that list other stories, comments or the day's date
_OTHER_STORIES = frozenset(
    {
        "related",
        "latest",
        "popular",
        "most",
        "mostread",
        "sidebar",
        "comment",
        "comments",
        "ticker",
        "today",
        "breaking",
    }
)
# WordPress marks the article's wrapper "comments-open", "has-sidebar": states, not parts
_STATES = frozenset({"open", "closed", "has", "no", "with", "without"})
_DAY_OF_VISIT = frozenset({"top", "topbar", "current", "now"})
_CLASS_WORD = re.compile(r"[a-z]+")
_OTHER_DOCUMENTS = frozenset({"prev", "previous", "next", "first", "last", "up", "related", "index"})
_JANUARY_FIRST = (
    r"(?<!\d){y}-0?1-0?1(?!\d)|(?<!\d)0?1[./-]0?1[./-]{y}(?!\d)"
    r"|\b1(?:st)?\s+jan(?:uary)?\.?,?\s+{y}\b|\bjan(?:uary)?\.?\s+1(?:st)?,?\s+{y}\b"
)


def iso_dates(text: str) -> str:
    """``text`` with local date spellings as ISO dates; Hijri years, update dates and copyright
    years taken out.

    "Опубликовано 14 марта 2023 г." -> "Опубликовано 2023-03-14 г."; "١٤ آذار ٢٠٢٣" ->
    "2023-03-14"; "22 شعبان 1444 هـ" -> "22 شعبان ". Other text is unchanged.
    """
    if not _ANY_DIGIT.search(text):
        return text
    text = _HIJRI_YEAR.sub(" ", text.translate(_DIGITS))
    text = _COPYRIGHT.sub(" ", text)
    text = _MONTH_FIRST_DATE.sub(_as_iso, _LOCAL_DATE.sub(_as_iso, text))
    return _UPDATED_DATE.sub(" ", text)


def _as_iso(match: re.Match[str]) -> str:
    day = int(match.group("day"))
    month = _MONTH_OF.get(" ".join(match.group("month").casefold().split()))
    if month is None or not 1 <= day <= 31:
        return match.group(0)
    return f"{match.group('year')}-{month:02d}-{day:02d}"


def prepare_for_date_search(tree: Any) -> Any:
    """Change a copy of the page (``without_body_urls``'s) in place as the module docstring says."""
    for element in list(tree.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        if _around_the_article(element, tag):
            element.drop_tree()
            continue
        if tag == "script" and not _describes_publication(element):
            element.text = None
            continue
        if tag == "script" and element.text and _UPDATE_JSON.search(element.text):
            element.text = _UPDATE_JSON.sub(r'\1: ""', element.text)
        if tag == "meta" and any(_UPDATE_META.search(element.get(name) or "") for name in _META_NAMES):
            element.getparent().remove(element)
            continue
        if tag == "link":
            rels = set((element.get("rel") or "").lower().split())
            if rels & _OTHER_DOCUMENTS:
                element.getparent().remove(element)
                continue
        if tag in ("script", "style"):
            continue
        text, tail = element.text, element.tail
        if text and _ANY_DIGIT.search(text):
            element.text = iso_dates(text)
        if tail and _ANY_DIGIT.search(tail):
            element.tail = iso_dates(tail)
    return tree


def _around_the_article(element: Any, tag: str) -> bool:
    """True for an element that lists other stories or comments, or shows the day's date, and
    holds no ``<article>`` or ``<h1>`` (a page wrapped whole in a "sidebar" layout stays)."""
    if tag in ("aside", "nav"):
        words = {tag}
    elif tag and tag not in ("html", "body", "head", "article", "main"):
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()
        parts = [set(_CLASS_WORD.findall(name)) for name in names]
        words = {word for part in parts if not part & _STATES for word in part}
        if not (words & _OTHER_STORIES or ("date" in words and words & _DAY_OF_VISIT)):
            return False
    else:
        return False
    return element.getparent() is not None and next(element.iter("article", "h1"), None) is None


def _describes_publication(script: Any) -> bool:
    """True for JSON-LD and for scripts that name a publication date (``__NEXT_DATA__`` JSON,
    a data layer's ``publishDate``): the date search reads those; other scripts' dates are not
    the article's."""
    if "ld+json" in (script.get("type") or "").lower():
        return True
    return bool(script.text and _PUBLICATION_KEY.search(script.text))


def confirmed(found: str | None, tree: Any) -> str | None:
    """``found`` (``YYYY-MM-DD``), or None when it is 1 January of a year the page only names.

    htmldate answers a copyright line or a lone year with its 1 January; that is kept only when
    the page's text or attributes say 1 January of that year in ISO, numeric or English form.
    """
    if not found or not found.endswith("-01-01"):
        return found
    year = found[:4]
    pattern = re.compile(_JANUARY_FIRST.format(y=year), re.IGNORECASE)
    from lxml import etree

    page = etree.tostring(tree, encoding="unicode", method="html")
    return found if pattern.search(page) else None
