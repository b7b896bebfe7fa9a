"""Editors, an XLIFF import and a crawl writing the same records at once, as separate processes."""

from writers_race import run


def test_every_acknowledged_save_survives_a_concurrent_crawl(tmp_path, models_dir):
    lines: list[str] = []
    totals = run(rounds=2, workdir=tmp_path, models_dir=models_dir, say=lines.append)
    report = "\n".join(lines)
    assert totals["crawl_revised"] > 0, report
    assert totals["acknowledged"] > 0, report
    assert totals["errors"] == 0, report
    assert totals["lost"] == 0, report
    assert totals["duplicates"] == 0, report
