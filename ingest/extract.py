"""Main text and metadata of an article page, as paragraphs, via trafilatura.

The trafilatura settings live in :data:`SETTINGS` (favor_precision: on real news pages it
drops far more chrome than the default, see ``bench/extract.py``). The page is parsed once: the
same tree gives trafilatura its input and the boilerplate pass the page's link texts.

Four corrections to what trafilatura returns, each for a kind of page it gets wrong:

- favor_precision sometimes keeps the wrong block and loses the article (about 1 page in 80
  on real news pages). A short precision result is compared with a default extraction of the
  same page; when most of the precision text is absent from it, the default result is used.
- favor_precision also drops the lead (standfirst, deck) between the headline and the body on
  some sites: a heading-styled summary, a "descr"/"announce" block. Where the default extraction
  was run, the prose paragraphs it has there are put back before the body (:func:`restore_lead`).
  Only that place: on the extract-dev pages the prose that precision dropped between or after
  body paragraphs was related-story teasers and site notes, not article text.
- a comment counter link glued to a paragraph's first word (``<a>0</a>Residents``) is dropped,
  so the word survives as itself.
- a single ``<br>`` inside a sentence is a line wrap in the page source, not a paragraph end,
  so it becomes a space before extraction; ``<br><br>`` and a ``<br>`` after a sentence end stay.
- metadata (title, author, date) is read from a copy of the page whose body has no URLs, in
  text or in link attributes: a date-like path there (``/reports/2019/11/...``) is another
  document's date, not this page's. The page's own URL, head and markup still count.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from ingest.boilerplate import link_share, load_rules, normalize
from ingest.dates import confirmed, prepare_for_date_search

EXTRACTOR = "trafilatura"

SETTINGS: dict[str, Any] = {
    "favor_precision": True,
    "favor_recall": False,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}

# The headline is stored as the record's title; it may sit below a slogan or a date line.
_TITLE_WINDOW = 3

# A precision result at least this long is taken as it is: on the extract-dev news pages every
# collapse left less than this, and a higher bound (3000) caught no more while running the second
# extraction on 64% of the pages instead of 27% (bench/extract.py measures the cost).
_COLLAPSE_CHECK_CHARS = 1500
# ... and a shorter one is a collapse when less than this share of its words is in the default
# extraction of the same page (a precision result is normally a subset of the default's).
_COLLAPSE_CONTAINED = 0.5
_WORDS = re.compile(r"\w+")
# A restored lead paragraph must have less than this share of its letters in link texts.
_LEAD_LINK_SHARE = 0.5
# A counter: a link or span whose whole text is a small number.
_COUNTER = re.compile(r"\d{1,6}")

# Text that ends a sentence (or a heading-like line) before a <br>: the break after it is kept.
# Latin, ideographic, Arabic and Urdu stops, closing quotes and brackets.
_SENTENCE_END = re.compile("[.!?…:;\u3002\u061f\u06d4»”\"')\\]]\\s*$")
# a single line break in the page's source text (not a blank line): the browser shows a space
_SOURCE_WRAP = re.compile(r"(?<!\n)[ \t\r]*\n(?![ \t\r]*\n)[ \t\r]*")
_KEEPS_NEWLINES = frozenset({"pre", "textarea", "script", "style", "code", "listing", "plaintext"})
# Words that end neither a sentence nor a headline (articles, prepositions, conjunctions of
# English, Russian and Kurmanji): a line that ends with one goes on after a lone <br>, even
# before a capital or a digit ("to the<br>Ibrahim Khalil crossing", "more than<br>4 hours").
_JOINING_WORDS = {
    "en": "a an the of to in on at by for from with into onto than that and or but as",
    "ru": "в во на с со к ко по о об у за от до из при без для над под через и а но или что чем как",  # noqa: RUF001
    "kmr": "li ji bi bo di û ku yan lê ya yê ên",
}
_NEVER_LAST = frozenset(word for words in _JOINING_WORDS.values() for word in words.split())
_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+|\S+\.\w{2,6}/\S*", re.IGNORECASE)
_WWW = re.compile(r"www\.", re.IGNORECASE)  # the one kind of ``_URL_TEXT`` match without a "/"
_URL_ATTRIBUTES = ("href", "src", "srcset", "action", "data-src", "data-href")


@dataclass
class Extracted:
    """What the extractor found on one page."""

    title: str | None
    author: str | None
    published: str | None
    sitename: str | None
    paragraphs: list[str] = field(default_factory=list)
    link_texts: frozenset[str] = frozenset()
    # The language the page declares (``<html lang>``, else ``<meta http-equiv="content-language">``),
    # as written: a hint for language identification, never taken for the text's language.
    lang: str | None = None


def extractor_version() -> str:
    return version("trafilatura")


def link_texts(tree: Any) -> frozenset[str]:
    """Texts of the page's links, for the boilerplate pass's link-share signal."""
    texts = (normalize(a.text_content()) for a in tree.iter("a"))
    return frozenset(t for t in texts if t)


def load_page(page_html: str) -> Any:
    """The page parsed as trafilatura parses it (lxml, comments dropped), or None when it is not HTML."""
    from trafilatura.utils import load_html

    _element_classes_in_c()
    return load_html(page_html) if page_html else None


_LOOKUP: Any = None
# The lookup is set once, before any page is parsed with the parser: set again while another
# thread parses, the lookup that parse uses would be freed under it (lxml then corrupts the heap:
# "free(): invalid pointer" when a crawl's extraction threads met their first pages together).
_LOOKUP_LOCK = threading.Lock()


def _element_classes_in_c() -> None:
    """Give trafilatura's HTML parser an element class lookup done in lxml's C code (once).

    ``lxml.html``'s parser picks the Python class of every element object in a Python method
    (``HtmlElementClassLookup.lookup``), and trafilatura's XPath searches and tree walks create
    some 10,000 element objects per news page: 5% of a page's CPU (cProfile on extract-dev). An
    ``ElementNamespaceClassLookup`` with the same classes per tag (``HtmlElement``, and lxml.html's
    form classes for form, input, select, textarea, label), comments, processing instructions and
    entities gives every element the class it had, looked up in C. The tree, its text and every
    extraction are unchanged; only the lookup is faster (``tests/test_extract.py`` checks the
    classes).
    """
    global _LOOKUP
    if _LOOKUP is not None:
        return
    with _LOOKUP_LOCK:
        if _LOOKUP is not None:
            return
        from lxml import etree, html
        from trafilatura.utils import HTML_PARSER

        lookup = etree.ElementNamespaceClassLookup(
            etree.ElementDefaultClassLookup(
                element=html.HtmlElement,
                comment=html.HtmlComment,
                pi=html.HtmlProcessingInstruction,
                entity=html.HtmlEntity,
            )
        )
        lookup.get_namespace(None).update(html.HtmlElementClassLookup._default_element_classes)
        HTML_PARSER.set_element_class_lookup(lookup)
        _LOOKUP = lookup


def extract(page_html: str, url: str, settings: dict[str, Any] | None = None) -> Extracted | None:
    """Paragraphs of the main text (comments excluded), or None when the page has no main text."""
    tree = load_page(page_html)
    return extract_tree(tree, url, settings) if tree is not None else None


def extract_tree(tree: Any, url: str, settings: dict[str, Any] | None = None) -> Extracted | None:
    """``extract`` of a page already parsed by ``load_page``; the tree is changed in place."""
    import trafilatura
    from trafilatura.settings import set_date_params

    from ingest.metadata import page_metadata

    links = link_texts(tree)
    declared = declared_language(tree)
    join_wrapped_lines(tree)
    drop_glued_counters(tree)
    options = settings or SETTINGS
    # Metadata is read from a copy without URLs in the body, so that no date-like path is a date,
    # and with local date spellings made ISO (ingest.dates).
    dated = prepare_for_date_search(without_body_urls(tree))
    metadata = page_metadata(dated, url, set_date_params(True), date_check=confirmed)
    document = trafilatura.bare_extraction(tree, url=metadata.url or url, with_metadata=False, **options)
    text = document.text or "" if document is not None else ""
    if options.get("favor_precision") and len(text) < _COLLAPSE_CHECK_CHARS:
        default_options = {k: v for k, v in options.items() if k not in ("favor_precision", "favor_recall")}
        fallback = trafilatura.bare_extraction(
            tree, url=metadata.url or url, with_metadata=False, **default_options
        )
        if fallback is not None and fallback.text:
            if collapsed(text, fallback.text):
                text = fallback.text
            else:
                text = "\n".join(restore_lead(_lines(text), _lines(fallback.text), metadata.title, links))
    if not text:
        return None
    paragraphs = without_title(_lines(text), metadata.title)
    if not paragraphs:
        return None
    return Extracted(
        title=metadata.title,
        author=metadata.author,
        published=metadata.date,
        sitename=metadata.sitename,
        paragraphs=paragraphs,
        link_texts=links,
        lang=declared,
    )


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _key(text: str) -> str:
    """Lower-case words joined by spaces: the form in which two extractions' lines are matched."""
    return " ".join(_WORDS.findall(text.lower()))


def restore_lead(
    precise: list[str], default: list[str], title: str | None, links: frozenset[str] = frozenset()
) -> list[str]:
    """``precise`` with the lead paragraphs that only ``default`` kept put back before the body.

    Shapes: two extractions of one page as lines, the page's title and link texts; returns
    ``precise`` or a copy with lines of ``default`` inserted. The lead is looked for in
    ``default`` before the body's start, its first prose line that ``precise`` also has: the
    lines after the last headline there, or the one line just before the body when no headline
    precedes it. A line comes back when it reads as prose (``prose_words`` words and a sentence
    end, ``boilerplate.toml``), matches no boilerplate rule and is less than half link text.
    A lead that repeats the first paragraph comes back too: readers see it, and references of
    extraction benchmarks (extract-dev) count it.
    """
    kept = [_key(line) for line in precise]
    known, joined = set(kept), "\n".join(kept)
    headline = _key(title or "")
    rules = load_rules()
    headlines: list[int] = []
    shared: set[int] = set()
    start = None
    for j, line in enumerate(default):
        key = _key(line)
        if not key:
            continue
        if headline and key == headline:
            headlines.append(j)
        elif key in known or (len(key) > 20 and key in joined):
            shared.add(j)
            if rules.is_prose(line):  # a subtitle or date line that both kept is not the body yet
                start = j
                break
    if not start:
        return precise
    zone = range(headlines[-1] + 1, start) if headlines else range(start - 1, start)
    candidates = [
        default[j]
        for j in zone
        if j not in shared and rules.is_prose(default[j]) and not rules.is_boilerplate(default[j])
    ]
    if candidates:
        ordered = sorted((normalize(t) for t in links if len(t.strip()) > 1), key=len, reverse=True)
        candidates = [line for line in candidates if link_share(line, ordered) < _LEAD_LINK_SHARE]
    if not candidates:
        return precise
    body = _key(default[start])
    at = next((i for i, key in enumerate(kept) if key == body or body in key), 0)
    return precise[:at] + candidates + precise[at:]


def drop_glued_counters(tree: Any) -> None:
    """Remove counter links and spans glued to the next word (``<a>0</a>Residents``), in place.

    Comment and view counters sit inside paragraphs on some sites; written without a space they
    merge with the first word into a token that is neither (``0Residents``). Only a counter
    with no text right before it and a capital (or a letter of a caseless script) right after it
    goes: a footnote mark after a word (``word<a>1</a>``), an ordinal (``<span>2</span>nd``) or a
    number in running text stays.
    """
    for element in list(tree.iter("a", "span")):
        tail = element.tail or ""
        first = tail[:1]
        if len(element) or not first.isalpha() or first.islower():  # "1<a>st</a>", "<span>2</span>nd"
            continue
        if not _COUNTER.fullmatch((element.text or "").strip()):
            continue
        previous = element.getprevious()
        before = (previous.tail if previous is not None else element.getparent().text) or ""
        if before and not before[-1].isspace():
            continue
        element.drop_tree()  # lxml keeps the tail: the word stays, the counter goes


def declared_language(tree: Any) -> str | None:
    """The language tag the page declares: ``<html lang>`` (or ``xml:lang``), else a
    ``<meta http-equiv="content-language">``; None when it declares none. Pages often keep a CMS
    default here, so it is only a hint (see ``ingest.langid.hint_labels``)."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    for name in ("lang", "{http://www.w3.org/XML/1998/namespace}lang", "xml:lang"):
        value = (root.get(name) or "").strip()
        if value:
            return value[:64]
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "content-language":
            value = (meta.get("content") or "").strip()
            if value:
                return value[:64]
    return None


def collapsed(precise: str, default: str) -> bool:
    """True when the precision text is mostly not in the default text: it kept another block.

    Shapes: two extracted texts; the share of the first's ``\\w+`` tokens (multiset) found in the
    second is compared with ``_COLLAPSE_CONTAINED``. An empty precision text has collapsed.
    """
    mine = Counter(_WORDS.findall(precise.lower()))
    total = sum(mine.values())
    if not total:
        return True
    theirs = Counter(_WORDS.findall(default.lower()))
    return sum((mine & theirs).values()) / total < _COLLAPSE_CONTAINED


def join_wrapped_lines(tree: Any) -> None:
    """Turn each lone ``<br>`` that wraps a sentence into a space, in place.

    A ``<br>`` is a wrap when the text before it does not end a sentence and the text after it
    goes on in lower case (or in a caseless script), or the text before ends with a comma or a
    word that ends no sentence (``_NEVER_LAST``); ``<br><br>`` (a blank line), a break after
    ``.``/``!``/``?``/``:`` and a break before a capital, digit or mark are left as they are.
    A single newline in the source text is a space too, as the browser shows it (``<div>`` text
    wrapped in the HTML source); a blank line and the text of ``<pre>`` stay as they are.
    """
    unwrap_source_lines(tree)
    for br in list(tree.iter("br")):
        if _next_is_break(br) or _previous_is_break(br):
            continue
        before, after = _text_before(br), (br.tail or "").strip()
        if not after:
            following = br.getnext()
            after = following.text_content().strip() if following is not None else ""
        if not before.strip() or _SENTENCE_END.search(before):
            continue
        if not _continues(after) and not (after[:1].isalnum() and _ends_with_a_joining_word(before)):
            continue
        br.tail = " " + (br.tail or "").lstrip()
        br.drop_tag()


def _ends_with_a_joining_word(text: str) -> bool:
    """True when ``text`` ends with a ``_NEVER_LAST`` word or a comma: the sentence goes on."""
    words = text.split()
    return bool(words) and (words[-1].casefold() in _NEVER_LAST or words[-1].endswith((",", "،")))


def unwrap_source_lines(tree: Any) -> None:
    """Single newlines of the source text as spaces, in place; ``<pre>`` and blank lines are kept.

    The elements that keep their newlines (``_KEEPS_NEWLINES`` and everything inside one) are
    collected once, rather than each element's ancestors being walked (on real news pages that
    walk was most of this function's time). The set holds the element proxies, so lxml hands out
    the same proxy for a node while it is kept and membership by identity is exact.
    """
    keeping = {inner for outer in tree.iter(*_KEEPS_NEWLINES) for inner in outer.iter()}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        text, tail = element.text, element.tail
        if text and "\n" in text and element not in keeping:
            element.text = _SOURCE_WRAP.sub(" ", text)
        if tail and "\n" in tail:
            parent = element.getparent()
            if parent is None or parent not in keeping:
                element.tail = _SOURCE_WRAP.sub(" ", tail)


def _continues(text: str) -> bool:
    """Text that goes on a sentence: it starts with a letter, lower-case in a cased script.

    A capital, a digit or a mark after a lone ``<br>`` starts a new line of its own (a teaser's
    headline, a list, a date line); a caseless script (Arabic, Sorani) is judged by the text before.
    """
    first = text[:1]
    return first.isalpha() and not first.isupper()


def _next_is_break(br: Any) -> bool:
    following = br.getnext()
    return following is not None and following.tag == "br" and not (br.tail or "").strip()


def _previous_is_break(br: Any) -> bool:
    previous = br.getprevious()
    return previous is not None and previous.tag == "br" and not (previous.tail or "").strip()


def _text_before(br: Any) -> str:
    previous = br.getprevious()
    if previous is None:
        parent = br.getparent()
        return (parent.text or "") if parent is not None else ""
    if (previous.tail or "").strip():
        return previous.tail
    return previous.text_content()


def without_body_urls(tree: Any) -> Any:
    """A copy of the page with URLs taken out of the body's text and link attributes.

    The head (canonical link, meta tags, JSON-LD) and scripts are kept: they describe this page.
    What a body URL says is another document's address, and its date-like path
    (``/reports/2019/11/``) must not become this page's publication date.
    """
    from lxml import etree

    clean = deepcopy(tree)
    body = clean.find(".//body")
    if body is None:
        return clean
    etree.strip_attributes(body, *_URL_ATTRIBUTES)
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        text, tail = element.text, element.tail
        if text and element.tag not in ("script", "style") and _may_hold_url(text):
            element.text = _URL_TEXT.sub(" ", text)
        if tail and _may_hold_url(tail):
            element.tail = _URL_TEXT.sub(" ", tail)
    return clean


def _may_hold_url(text: str) -> bool:
    """False when ``_URL_TEXT`` cannot match ``text``: each of its matches holds a "/" or "www.".

    Most texts of a page hold neither, and this test is many times cheaper than the search
    (``_URL_TEXT``'s last branch tries ``\\S+`` from every position of the text).
    """
    return "/" in text or _WWW.search(text) is not None


def without_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Paragraphs minus the headline when it appears among the first few."""
    if not title:
        return paragraphs
    wanted = normalize(title)
    for i, paragraph in enumerate(paragraphs[:_TITLE_WINDOW]):
        if normalize(paragraph) == wanted:
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs
