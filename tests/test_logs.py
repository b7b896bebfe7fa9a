"""Log lines for cron, systemd and log shippers: levels, JSON lines, and --version, run for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_server import Reply, article, controlled_site

ROOT = Path(__file__).resolve().parent.parent
TEXT = ["The new water network reached the villages north of the city after two years of work."]


def werger(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def crawl_with_one_failure(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    with controlled_site() as site:
        site.page("/", article("Home", ["Latest news."], ["/news/1", "/news/broken"]))
        site.page("/news/1", article("Story", TEXT))
        site.route("/news/broken", Reply(404))
        tmp_path.mkdir(exist_ok=True)
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[crawler]\ncontact = "ops@example.org"\nretries = 0\n'
            f'[sites.partner]\nstart_urls = ["{site.base}/"]\nallow = ["/news/"]\ndelay = 0\n'
            "allow_private = true\n",
            encoding="utf-8",
        )
        return werger(
            *options, "crawl", str(sites), "--out", str(tmp_path / "out"), "--models-dir", str(tmp_path / "m")
        )


def test_json_logs_are_one_object_per_line_with_the_event_fields(tmp_path):
    result = crawl_with_one_failure(tmp_path, "--log-format", "json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(events[0])
    failed = [e for e in events if e["level"] == "warning"]
    assert len(failed) == 1 and failed[0]["url"].endswith("/news/broken")
    assert failed[0]["outcome"] == "failed (HTTP 404)" and failed[0]["site"] == "partner"
    [finished] = [e for e in events if e.get("event") == "run_finished"]
    assert finished["ok"] is True and finished["counts"]["failed"] == 1 and finished["records_written"] == 1


def test_log_level_warning_keeps_only_failures_and_debug_shows_every_url(tmp_path):
    quiet = crawl_with_one_failure(tmp_path / "a", "--log-level", "warning")
    [line] = quiet.stderr.splitlines()
    assert line.startswith("werger: warning: site partner: failed (HTTP 404): ") and "/news/broken" in line
    loud = crawl_with_one_failure(tmp_path / "b", "--log-level", "debug")
    assert "site partner: written: " in loud.stderr and "/news/1" in loud.stderr


def test_an_error_under_json_logs_is_a_json_record(tmp_path):
    missing = str(tmp_path / "nope.toml")
    result = werger("--log-format", "json", "crawl", missing, "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    [event] = [json.loads(line) for line in result.stderr.splitlines()]
    assert event["level"] == "error" and "cannot read sites file" in event["message"]


def test_log_settings_come_from_the_environment_too(tmp_path):
    import os

    env = {**os.environ, "WERGER_LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "crawl", str(tmp_path / "nope.toml"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )
    assert json.loads(result.stderr)["level"] == "error"


def test_a_bad_log_level_is_a_usage_error():
    result = werger("--log-level", "loud", "status", "--help")
    assert result.returncode == 2
    assert "--log-level must be one of debug, info, warning, error" in result.stderr


def test_version_prints_the_installed_version(tmp_path):
    from importlib.metadata import version

    result = werger("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == f"werger {version('werger')}\n"


def test_version_warns_when_another_distribution_installs_translate(tmp_path):
    import os

    info = tmp_path / "translate_toolkit-3.13.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: translate-toolkit\nVersion: 3.13.0\n")
    (info / "top_level.txt").write_text("translate\n")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    result = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0 and result.stdout.startswith("werger ")
    assert "'translate' is also installed by translate-toolkit" in result.stderr
    assert "uv tool install" in result.stderr


def test_under_json_logs_the_missing_contact_warning_is_a_json_record_too(tmp_path):
    with controlled_site() as site:
        site.page("/", article("Home", TEXT))
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[sites.partner]\nstart_urls = ["{site.base}/"]\ndelay = 0\nallow_private = true\n',
            encoding="utf-8",
        )
        result = werger(
            "--log-format",
            "json",
            "crawl",
            str(sites),
            "--out",
            str(tmp_path / "out"),
            "--models-dir",
            str(tmp_path / "m"),
        )
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert any(e["level"] == "warning" and "no contact in the User-Agent" in e["message"] for e in events)


def test_text_logs_never_pass_control_characters_from_a_crawled_url():
    import io

    from ingest.logs import configure
    from ingest.progress import LogLines
    from ingest.summary import SiteSummary

    stream = io.StringIO()
    configure("debug", "text", stream)
    try:
        lines = LogLines(every=3600)
        lines.site_started("partner")
        lines.advanced(SiteSummary("partner"), 0, "http://a.example/\x1b[2J\nfake line", "written")
    finally:
        configure()
    assert stream.getvalue().splitlines() == [
        "werger: site partner: started",
        "werger: site partner: written: http://a.example/\ufffd[2J\ufffdfake line",
    ]


# A date with a time zone abbreviation dateutil does not know: htmldate (through trafilatura's
# metadata) makes dateutil raise UnknownTimezoneWarning on it, once per page.
EST_PAGE = (
    '<!DOCTYPE html><html><head><title>Story</title><meta name="date" content="2018-03-12 10:00:00 EST">'
    "</head><body><article><h1>Story</h1><p>Posted 2018-03-12 10:00:00 EST</p>"
    + "".join(f"<p>{p}</p>" for p in TEXT * 2)
    + "</article></body></html>"
)


@pytest.mark.parametrize("processes", [2, 0], ids=["worker processes", "threads"])
def test_warnings_from_page_content_are_debug_log_lines_not_raw_warnings(tmp_path, processes):
    def run(folder: Path, level: str) -> subprocess.CompletedProcess:
        with controlled_site() as site:
            site.page("/", article("Home", ["Latest news."], ["/news/1"]))
            site.page("/news/1", EST_PAGE)
            folder.mkdir()
            sites = folder / "sites.toml"
            sites.write_text(
                f'[crawler]\ncontact = "ops@example.org"\nextract_processes = {processes}\n'
                f'[sites.partner]\nstart_urls = ["{site.base}/"]\ndelay = 0\nallow_private = true\n',
                encoding="utf-8",
            )
            return werger(
                "--log-level", level, "crawl", str(sites), "--out", str(folder / "out"),
                "--models-dir", str(folder / "m"),
            )  # fmt: skip

    quiet = run(tmp_path / "quiet", "info")
    assert quiet.returncode == 0, quiet.stderr
    assert "Warning" not in quiet.stderr and "warnings.warn" not in quiet.stderr
    assert "run ok: written 1," in quiet.stderr  # the dated page went through extraction
    loud = run(tmp_path / "loud", "debug")
    assert "warnings.warn" not in loud.stderr
    [line] = [line for line in loud.stderr.splitlines() if "UnknownTimezoneWarning" in line]
    assert line.startswith("werger: UnknownTimezoneWarning from dateutil: tzname EST")
