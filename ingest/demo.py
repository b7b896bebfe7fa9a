"""The bundled demo: the fixture partner site, served on loopback for a real end-to-end crawl."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from ingest.config import Site

BASE_PLACEHOLDER = b"{{BASE}}"


def demo_site_dir() -> Path:
    """The fixture site, from the installed package or from a source checkout."""
    for candidate in (
        Path(__file__).with_name("demo_site"),
        Path(__file__).resolve().parent.parent / "fixtures" / "site",
    ):
        if (candidate / "index.html").is_file():
            return candidate
    raise FileNotFoundError("the demo site is missing from this installation (fixtures/site)")


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, with ``{{BASE}}`` in sitemaps, feeds and robots.txt replaced by the real origin."""

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.suffix not in (".xml", ".txt") or not path.is_file():
            return super().send_head()
        body = path.read_bytes().replace(BASE_PLACEHOLDER, self.server.base_url.encode("ascii"))
        self.send_response(200)
        self.send_header("Content-Type", "application/xml" if path.suffix == ".xml" else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_SiteHandler, directory=str(directory)))
    server.daemon_threads = True
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="werger-demo-site", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def demo_site_config(base_url: str) -> Site:
    """The sites-file entry for the demo: loopback allowed, no delay."""
    from ingest.config import site_from_dict

    return site_from_dict(
        "demo",
        {
            "start_urls": [f"{base_url}/"],
            "sitemaps": [f"{base_url}/sitemap.xml"],
            "feeds": [f"{base_url}/feed.xml"],
            "allow": [r"/news/[^/]+\.html$"],
            "languages": ["en", "ru", "ar", "ckb", "kmr"],
            "max_pages": 200,
            "concurrency": 4,
            "delay": 0.0,
            "allow_private": True,
        },
    )
