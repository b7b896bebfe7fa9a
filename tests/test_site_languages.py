"""A site's `languages`: paragraphs in other languages are reported and not translated, unless
--all-languages."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ingest.cli import app


def crawl(tmp_path, site_url, models_dir, *options):
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f'[crawler]\ncontact = "ops@example.org"\n[sites.demo]\nstart_urls = ["{site_url}/"]\n'
        f'sitemaps = ["{site_url}/sitemap.xml"]\nallow = ["/news/[^/]+\\\\.html$"]\n'
        'languages = ["en", "ckb"]\ndelay = 0\nallow_private = true\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["crawl", str(sites), "--out", str(out), "--models-dir", str(models_dir), *options]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    summary = json.loads((out / "run-summary.json").read_text(encoding="utf-8"))["sites"][0]
    return result, records, summary


def test_paragraphs_outside_the_site_languages_are_reported_and_not_translated(
    tmp_path, site_url, models_dir
):
    result, records, summary = crawl(tmp_path, site_url, models_dir)
    russian = [r for r in records if r["source_lang"] == "ru"]
    assert russian, "the fixture site has Russian pages"
    for record in russian:
        assert all(s["target"] is None for s in record["segments"] if s["lang"] == "ru")
        assert record["status"] == "untranslated"
        assert "outside the site's languages (en, ckb)" in record["status_reason"]
        assert "--all-languages" in record["status_reason"]
    assert summary["outside_languages"]["ru"] >= len(russian)
    assert "paragraphs outside the site's languages: " in result.output and "ru " in result.output


def test_all_languages_translates_them(tmp_path, site_url, models_dir):
    _, records, summary = crawl(tmp_path, site_url, models_dir, "--all-languages")
    russian = [r for r in records if r["source_lang"] == "ru"]
    assert russian and all(
        s["target"] is not None for r in russian for s in r["segments"] if s["lang"] == "ru"
    )
    assert summary["outside_languages"] == {}
