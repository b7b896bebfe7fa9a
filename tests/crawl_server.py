"""A partner site under the test's control, served over real HTTP on 127.0.0.1.

Each path answers with a script of ``Reply`` objects (the last one repeats), so a test can say
"503 with Retry-After, then the page", "reset the connection twice", "stream 50 MB", "redirect in a
circle". Every request is logged with its headers and time, so tests can check what was fetched,
how often and when.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    reset: bool = False
    truncate: bool = False
    stream_bytes: int = 0
    encoding: str | None = None
    etag: str | None = None
    drip: float = 0.0
    drip_headers: bool = False


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float


class ControlledSite:
    """Routes and the request log of one test server."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Request] = []
        self.bytes_sent: dict[str, int] = {}
        self.lock = threading.Lock()
        self.base = ""
        self.base2 = ""

    def fill(self, text: str) -> str:
        """Put the server's origins in for ``{{BASE}}`` and ``{{BASE2}}`` (the same server as localhost)."""
        return text.replace("{{BASE}}", self.base).replace("{{BASE2}}", self.base2)

    def serve_routes(self, folder: Path) -> None:
        """Serve a field case's ``routes.json``: path -> ``{"file": ...}`` or status, headers, body."""
        for path, spec in json.loads((folder / "routes.json").read_text(encoding="utf-8")).items():
            if "file" in spec:
                name = spec["file"]
                kind = _CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
                self.route(path, Reply(body=(folder / name).read_text(encoding="utf-8"), content_type=kind))
            else:
                reply = Reply(spec.get("status", 200), spec.get("body", ""), spec.get("headers", {}))
                self.route(path, reply)

    def route(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` (with its query) with ``replies`` in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def page(self, path: str, body: str, **kwargs) -> None:
        self.route(path, Reply(body=body, **kwargs))

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path == path)

    def requested(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def _next_reply(self, path: str) -> Reply:
        with self.lock:
            script = self.routes.get(path)
            if not script:
                return Reply(status=404, body="not here")
            return script.pop(0) if len(script) > 1 else script[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.requests.append(Request(self.path, dict(self.headers.items()), time.monotonic()))
        reply = site._next_reply(self.path)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if reply.etag and self.headers.get("If-None-Match") == reply.etag:
            self._head(304, {"ETag": reply.etag, "Content-Length": "0"})
            return
        if reply.stream_bytes:
            self._stream(reply)
            return
        body = site.fill(reply.body) if isinstance(reply.body, str) else reply.body
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {"Content-Type": reply.content_type, **{k: site.fill(v) for k, v in reply.headers.items()}}
        if reply.etag:
            headers["ETag"] = reply.etag
        if reply.encoding:
            data = _encode(data, reply.encoding)
            headers["Content-Encoding"] = reply.encoding
        headers["Content-Length"] = str(len(data) + (1000 if reply.truncate else 0))
        if reply.drip_headers:
            self._drip(self._head_bytes(reply.status, headers) + data, reply.drip)
            return
        self._head(reply.status, headers)
        if reply.drip:
            self._drip(data, reply.drip)
            return
        self.wfile.write(data)
        if reply.truncate:
            self.close_connection = True

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _head_bytes(self, status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _drip(self, data: bytes, every: float) -> None:
        """Send one byte every ``every`` seconds until done or the client goes away."""
        self.close_connection = True
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(every)
        except OSError:
            pass

    def _stream(self, reply: Reply) -> None:
        """Send up to ``stream_bytes`` without a length; count what the client let through."""
        self._head(200, {"Content-Type": reply.content_type, "Connection": "close"})
        self.close_connection = True
        chunk, sent = b"<p>" + b"x" * 65_000 + b"</p>", 0
        try:
            while sent < reply.stream_bytes:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        with self.server.site.lock:
            self.server.site.bytes_sent[self.path] = sent


_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}


def _encode(data: bytes, encoding: str) -> bytes:
    """Apply a Content-Encoding value, stacked ones (``gzip, br``) left to right."""
    for name in (part.strip() for part in encoding.split(",")):
        if name == "gzip":
            data = gzip.compress(data)
        elif name == "deflate":
            data = zlib.compress(data)
        elif name == "br":
            data = brotli.compress(data)
        else:
            raise ValueError(encoding)
    return data


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: ControlledSite


@contextmanager
def controlled_site() -> Iterator[ControlledSite]:
    """Start a server on a free loopback port; ``site.base`` is its origin."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = ControlledSite()
    server.site.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.site.base2 = f"http://localhost:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def article(title: str, paragraphs: list[str], links: list[str] = (), charset: str | None = None) -> str:
    """An article page trafilatura recognises: a title, paragraphs and optional links."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
        f"<nav><ul>{nav}</ul></nav><article><h1>{title}</h1>{body}</article></body></html>"
    )
