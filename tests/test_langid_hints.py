"""What a page or site declares about its language decides short lines between close relatives,
through a real crawl: ``<html lang>``, ``Content-Language`` and a site's ``languages``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, controlled_site

from ingest.config import parse_config
from ingest.langid import UNDETERMINED, detect, hint_labels
from ingest.pipeline import RunOptions, run_crawl
from translate.argos import argos_registry

LONG = (
    "Городской совет утвердил программу ремонта дорог и школ, которую жители обсуждали на "
    "собраниях в течение всего прошлого года, и выделил на нее средства из резервного фонда."
)
# Short Russian lines that the text alone leaves between Russian and a close relative (Bulgarian
# writes президент, Путин and региона too). Lines with Russian-only word forms ("Программа визита",
# "Структура министерства") need no declaration: the lexicon knows them.
SHORT_RUSSIAN = ["Новости региона", "Президент Путин"]
BULGARIAN = "Мостът над реката беше затворен заради ремонт на пътя през цялата седмица."


def page(lang: str | None) -> str:
    declared = f' lang="{lang}"' if lang else ""
    body = "".join(
        f"<p>{line}</p>" for line in [LONG, *SHORT_RUSSIAN, BULGARIAN, LONG.replace("дорог", "мостов")]
    )
    return (
        f'<!DOCTYPE html><html{declared}><head><meta charset="utf-8"><title>Новости города</title></head>'
        f'<body><nav><a href="/news/1.html">1</a></nav><article><h1>Новости города</h1>{body}'
        "</article></body></html>"
    )


def crawl(tmp_path: Path, reply: Reply, languages: str = "", processes: int = 0) -> dict[str, str]:
    """Crawl one article page served with ``reply``; each paragraph's text -> its language.

    ``processes``: extraction worker processes (they identify languages there), 0 for threads.
    """
    with controlled_site() as server:
        server.route("/", Reply(body='<html><body><a href="/news/1.html">news</a></body></html>'))
        server.route("/news/1.html", reply)
        config = parse_config(
            f'[sites.partner]\nstart_urls = ["{server.base}/"]\nallow = ["/news/"]\ndelay = 0\n'
            f"allow_private = true\n{languages}"
        )
        out = tmp_path / "out"
        run_crawl(
            config.sites, RunOptions(out_dir=out, extract_processes=processes), argos_registry(tmp_path / "m")
        )
    (record,) = [
        json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {segment["source"]: segment["lang"] for segment in record["segments"]}


def test_short_lines_are_undetermined_when_nothing_is_declared(tmp_path):
    langs = crawl(tmp_path, Reply(body=page(None)))
    assert langs[LONG] == "ru"
    assert all(langs[line] != "ru" for line in SHORT_RUSSIAN), langs


@pytest.mark.parametrize(
    ("reply", "languages"),
    [
        (Reply(body=page("ru")), ""),
        (Reply(body=page("ru-RU")), ""),
        (Reply(body=page(None), headers={"Content-Language": "ru"}), ""),
        (Reply(body=page(None)), 'languages = ["ru", "en"]\n'),
    ],
    ids=["html-lang", "html-lang-region", "content-language", "site-languages"],
)
@pytest.mark.parametrize("processes", [0, 1], ids=["threads", "worker-process"])
def test_a_declared_russian_page_routes_its_short_lines_to_russian(tmp_path, reply, languages, processes):
    langs = crawl(tmp_path, reply, languages, processes)
    assert all(langs[line] == "ru" for line in SHORT_RUSSIAN), langs
    assert langs[BULGARIAN] == "bul", "a declaration never outweighs clear evidence"


def test_a_declaration_only_decides_between_close_relatives():
    # Kazakh is no relative of Russian; Sorani none of Arabic: a wrong declaration changes nothing.
    kazakh = "Қала әкімдігі жаңа мектеп салуды жоспарлап отыр"
    sorani = "ئەمڕۆ لە شاری هەولێر کۆبوونەوەیەک ئەنجام درا"
    assert detect(kazakh, hint_labels(["ru"])) == detect(kazakh)
    assert detect(sorani, hint_labels(["ar"])) == detect(sorani)


def test_declared_tags_map_to_labels():
    assert hint_labels(["ru-RU", "bg, en", None, "ku-Arab", "kmr-Arab", "ar_IQ", "xx"]) == {
        "ru",
        "bul",
        "en",
        "ckb",
        "kmr-Arab",
        "ar",
    }
    assert hint_labels(["ku"]) == set(), "Kurdish without a script says neither Sorani nor Badini"


def test_a_hint_decides_only_a_nearly_balanced_line():
    line = "Новости региона"
    assert detect(line).lang == UNDETERMINED
    assert detect(line, {"ru"}).lang == "ru"
    assert detect(line, {"bul"}).lang != "ru"
