"""Real review data (a crawl of the fixture sites) and the review app on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from ingest.config import site_from_dict
from ingest.demo import demo_site_config, serve_directory
from ingest.pipeline import RunOptions, run_crawl
from store.review import create_app
from store.users import Users
from translate.argos import argos_registry

ROOT = Path(__file__).resolve().parent.parent
PARTNER_SITE = ROOT / "fixtures" / "review-site"
PASSWORDS = {"amina": "amina-secret-1", "bakhtiyar": "bakhtiyar-secret-2"}


def crawl_review_data(out: Path, models_dir: Path) -> None:
    """The demo site and the partner page with script payloads, crawled with real models."""
    registry = argos_registry(models_dir)
    with serve_directory(ROOT / "fixtures" / "site") as base_url:
        run_crawl([demo_site_config(base_url)], RunOptions(out_dir=out), registry)
    with serve_directory(PARTNER_SITE) as base_url:
        partner = site_from_dict(
            "partner",
            {"start_urls": [f"{base_url}/news/readers-write.html"], "delay": 0, "allow_private": True},
        )
        run_crawl([partner], RunOptions(out_dir=out), registry)
    users = Users(out)
    for name, password in PASSWORDS.items():
        users.add(name, password)


@contextmanager
def serve_review(data_dir: Path, **app_options: object) -> Iterator[str]:
    """The review app served by uvicorn on 127.0.0.1 at a free port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(data_dir, **app_options), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
