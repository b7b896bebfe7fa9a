"""JSONL shards named by local paths or fsspec URLs, for translation on a cluster.

A source is a file, a folder (its ``*.jsonl`` files, sorted by name), or a glob, on the local disk
or behind any fsspec URL (``s3://bucket/crawl/*.jsonl``, ``gs://...``, ``file:///...``); the
protocol's own fsspec package (s3fs, gcsfs) must be installed. All shards of a run live on one
filesystem; Ray's tasks read it with fsspec and write through pyarrow's fsspec bridge.

The filesystem travels to the tasks with its options (fsspec pickles them), not with this
process's environment. So the options that reach a store are taken here: for ``s3://`` the
standard AWS variables (``storage_options``), and for any protocol fsspec's own
``FSSPEC_<PROTOCOL>_<OPTION>`` variables (``FSSPEC_S3_ENDPOINT_URL``), which fsspec applies itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
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


S3_VARIABLES = (
    ("AWS_ACCESS_KEY_ID", "key"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
    ("AWS_SESSION_TOKEN", "token"),
    ("AWS_ENDPOINT_URL_S3", "endpoint_url"),
    ("AWS_ENDPOINT_URL", "endpoint_url"),
)
"""The AWS CLI's and boto3's variables, as s3fs options (the S3-specific endpoint wins)."""


def storage_options(url: str, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """fsspec options for ``url`` from the environment of the command: ``{}`` unless it is ``s3://``.

    For S3: credentials, endpoint (an S3-compatible store such as MinIO or Ceph) and region from
    the standard AWS variables, so tasks on other machines reach the bucket as this command does.
    They travel with the tasks (in Ray's object store); leave them unset where every node has
    its own credentials (an instance role, ~/.aws).
    """
    import fsspec

    if fsspec.core.split_protocol(url)[0] not in ("s3", "s3a"):
        return {}
    options: dict[str, Any] = {}
    for variable, option in S3_VARIABLES:
        if environ.get(variable) and option not in options:
            options[option] = environ[variable]
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        options["client_kwargs"] = {"region_name": region}
    return options


def filesystem_of(url: str, options: Mapping[str, Any] | None = None) -> tuple[Any, str]:
    """The fsspec filesystem behind ``url`` and the path on it; a missing protocol package is named.

    ``options`` are fsspec storage options; None takes them from the environment (``storage_options``).
    """
    import fsspec

    options = storage_options(url) if options is None else options
    try:
        return fsspec.core.url_to_fs(url, **options)
    except (ImportError, ValueError) as exc:
        raise ShardError(f"cannot open {url}: {exc}") from None


STORAGE_MODULES = frozenset({"botocore", "aiobotocore", "s3fs", "gcsfs", "adlfs", "fsspec", "aiohttp"})
"""Where the errors of an fsspec store come from when they are not an OSError."""


def is_storage_error(exc: BaseException) -> bool:
    """An error of the filesystem or the object store (a missing file, credentials, a refused
    request), as opposed to a fault in werger or Ray; Ray's wrappers subclass it, so they match."""
    kinds = type(exc).__mro__
    return isinstance(exc, OSError) or any(k.__module__.split(".")[0] in STORAGE_MODULES for k in kinds)


def describe(exc: BaseException) -> str:
    """One line for the user: the error's kind and the first line of its message."""
    first = (str(exc).strip().split("\n", 1)[0] or "no message").strip()
    return f"{type(exc).__name__}: {first}"


def _on_store(action: str, work: Callable[[], Shards]) -> Shards:
    """``work()``, with a store's own error (credentials, permissions, an unreachable endpoint)
    turned into one ShardError line: ``cannot <action>: <kind>: <message>``."""
    try:
        return work()
    except Exception as exc:
        if not is_storage_error(exc):
            raise
        raise ShardError(f"cannot {action}: {describe(exc)}") from None


def find_shards(source: str, options: Mapping[str, Any] | None = None) -> Shards:
    """Every shard ``source`` names, sorted; raises ShardError when it names none or its store
    cannot be read (credentials, permissions, an unreachable endpoint)."""
    fs, path = filesystem_of(source, options)
    return _on_store(f"list {source}", lambda: _list(source, fs, path))


def _list(source: str, fs, path: str) -> Shards:
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


def prepare_destination(destination: str, options: Mapping[str, Any] | None = None) -> Shards:
    """The output folder, created; refused when it already holds shards, so runs never mix.
    Raises ShardError for either, and when the store cannot be written."""
    fs, path = filesystem_of(destination, options)
    return _on_store(f"prepare {destination}", lambda: _prepare(destination, fs, path))


def _prepare(destination: str, fs, path: str) -> Shards:
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
