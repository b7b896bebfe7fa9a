"""Undo ``Content-Encoding`` without trusting the sender: decoded bytes are capped while decoding.

A compression bomb is a tiny body that inflates enormously (an 809-byte brotli body makes
gigabytes). httpx's decoders inflate each received chunk completely before a size cap can look
at it, so werger reads the raw bytes and decodes them here, at most ``CHUNK`` bytes at a time per
layer, for gzip, deflate (zlib-wrapped or raw), brotli and any stack of them
(``Content-Encoding: gzip, br`` is undone right to left). Memory stays bounded by the cap plus a
chunk per layer, whatever the ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

from ingest.errors import FetchError

CHUNK = 64 * 1024


class TooLarge(FetchError):
    """The decoded body went past the cap."""


class _Zlib:
    def __init__(self, wbits: int, fallback_raw: bool = False) -> None:
        self._wbits = wbits
        self._fallback_raw = fallback_raw
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            try:
                out = self._inflater.decompress(pending, CHUNK)
            except zlib.error as exc:
                if self._fallback_raw and not self._started:  # deflate sent without the zlib header
                    self._fallback_raw = False
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError(f"corrupt compressed body: {exc}") from None
            self._started = True
            if out:
                yield out
            pending = self._inflater.unconsumed_tail
            if not pending and len(out) < CHUNK:
                return


class _Brotli:
    def __init__(self) -> None:
        self._decoder = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._decoder.process(data, output_buffer_limit=CHUNK)
            if out:
                yield out
            while not self._decoder.can_accept_more_data():
                out = self._decoder.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    return
                yield out
        except brotli.error as exc:
            raise FetchError(f"corrupt brotli body: {exc}") from None


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data


def _layer(name: str) -> _Zlib | _Brotli | _Identity:
    if name in ("gzip", "x-gzip"):
        return _Zlib(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS, fallback_raw=True)
    if name == "br":
        return _Brotli()
    if name in ("identity", ""):
        return _Identity()
    raise FetchError(f"unsupported Content-Encoding {name!r}")


class CappedDecoder:
    """Decode a body sent with ``content_encoding`` (the header's value), at most ``limit`` bytes.

    ``feed`` raw chunks in order; it returns the decoded bytes so far and raises ``TooLarge`` as
    soon as the total passes ``limit``, with no layer ever holding more than ``CHUNK`` of output.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [part.strip().lower() for part in content_encoding.split(",")]
        self._layers = [_layer(name) for name in reversed(names) if name not in ("identity", "")]
        self.limit = limit
        self.size = 0
        self._produced = [0] * len(self._layers)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        for chunk in self._through(0, data):
            self.size += len(chunk)
            if self.size > self.limit:
                raise TooLarge(f"body larger than {self.limit} bytes once decoded, abandoned")
            out += chunk
        return bytes(out)

    def _through(self, level: int, data: bytes) -> Iterator[bytes]:
        if level == len(self._layers):
            yield data
            return
        for chunk in self._layers[level].decode(data):
            self._produced[level] += len(chunk)
            if self._produced[level] > self.limit:
                raise TooLarge(f"body larger than {self.limit} bytes once decoded, abandoned")
            yield from self._through(level + 1, chunk)
