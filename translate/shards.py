"""JSONL shards named by local paths or fsspec URLs, for translation on a cluster.

A source is a file, a folder (its ``*.jsonl`` files, sorted by name), or a glob, on the local disk
or behind any fsspec URL (``s3://bucket/crawl/*.jsonl``, ``gs://...``, ``file:///...``); the
protocol's own fsspec package (s3fs, gcsfs) must be installed. All shards of a run live on one
filesystem; Ray's tasks read it with fsspec and write through pyarrow's fsspec bridge.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from store.errors import RecordInvalidError
from store.record import Record
from translate.errors import ShardError

SHARD_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class Shards:
    """The shard files of a run and the fsspec filesystem that holds them."""

    paths: list[str]
    filesystem: Any

    def arrow_filesystem(self):
        """The same filesystem as pyarrow sees it (Ray's writers take that), picklable for workers."""
        from pyarrow.fs import FSSpecHandler, PyFileSystem

        return PyFileSystem(FSSpecHandler(self.filesystem))


def filesystem_of(url: str) -> tuple[Any, str]:
    """The fsspec filesystem behind ``url`` and the path on it; a missing protocol package is named."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise ShardError(f"cannot open {url}: {exc}") from None


def find_shards(source: str) -> Shards:
    """Every shard ``source`` names, sorted; raises ShardError when it names none."""
    fs, path = filesystem_of(source)
    if fs.isdir(path):
        found = [p for p in fs.find(path) if p.endswith(SHARD_SUFFIX)]
    elif any(mark in path for mark in "*?["):
        found = [p for p in fs.glob(path) if fs.isfile(p)]
    elif fs.isfile(path):
        found = [path]
    else:
        raise ShardError(f"{source}: no such file or folder")
    if not found:
        raise ShardError(f"{source} holds no {SHARD_SUFFIX} shards")
    return Shards(sorted(found), fs)


def prepare_destination(destination: str) -> Shards:
    """The output folder, created; refused when it already holds shards, so runs never mix."""
    fs, path = filesystem_of(destination)
    if fs.isfile(path):
        raise ShardError(f"{destination} is a file; give a folder (or URL prefix) for the translated shards")
    if fs.isdir(path) and any(p.endswith(SHARD_SUFFIX) for p in fs.find(path)):
        raise ShardError(f"{destination} already holds {SHARD_SUFFIX} shards; give an empty or new folder")
    fs.makedirs(path, exist_ok=True)
    return Shards([path], fs)


def shard_lines(name: str, content: bytes) -> Iterator[str]:
    """The record lines of one shard, each checked; a bad line stops with the shard and its number."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordInvalidError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            Record.from_json_line(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            message = f"{name}:{number}: not a werger record ({where}: {first['msg']})"
            raise RecordInvalidError(message) from None
        yield raw
