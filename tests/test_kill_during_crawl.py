"""SIGKILL during crawls that revise edited records leaves a log every command reads without loss."""

from kill_loop import run


def test_kill_9_during_crawls_loses_nothing(tmp_path, models_dir):
    said: list[str] = []
    figures = run(kills=3, workdir=tmp_path, models_dir=models_dir, say=said.append)
    assert figures["killed_while_running"] >= 1, figures
    assert figures["final_crawl_exit"] == 0, said
    assert figures["unreadable_lines"] == 0, figures
    assert figures["duplicates"] == 0, figures
    assert figures["corrections"] > 0 and figures["corrections_lost"] == 0, figures
    assert figures["export_exit"] == 0 and figures["exported"] == figures["records"], figures
