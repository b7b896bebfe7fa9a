"""The Argos package index: find a language pair's package, download it, install it.

werger reads the index itself instead of through ``argostranslate.package``: upstream retries a
failed index download by calling itself until Python gives up (thousands of lines of URLError
and then a RecursionError), and waits as long as the operating system lets a connection hang.
Here one attempt is made with short timeouts, and every failure is one ``IndexUnreachableError``
whose message names the offline route, ``werger models install FILE.argosmodel``.

The index is a JSON list of package descriptions (``from_code``, ``to_code``, ``package_version``,
``links``, ``type``), as published by Argos Translate; ``$WERGER_PACKAGE_INDEX`` points werger at
another copy (a mirror, or a loopback server in tests), else Argos's own setting is used
(``$ARGOS_PACKAGE_INDEX``, or upstream's default).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from translate.errors import IndexUnreachableError, PackageInvalidError

PACKAGE_INDEX_ENV = "WERGER_PACKAGE_INDEX"
OFFLINE_ROUTE = (
    "on a machine without network, download the .argosmodel file elsewhere and install it with "
    "`werger models install FILE.argosmodel`"
)
INDEX_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
INDEX_DEADLINE = 8.0
MAX_INDEX_BYTES = 20_000_000

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class IndexedPackage:
    """One package the index offers."""

    source: str
    target: str
    version: str
    links: tuple[str, ...]

    @property
    def pair(self) -> str:
        return f"{self.source}->{self.target}"


def index_url() -> str:
    """Where the index is read from: ``$WERGER_PACKAGE_INDEX``, else Argos Translate's setting."""
    if os.environ.get(PACKAGE_INDEX_ENV):
        return os.environ[PACKAGE_INDEX_ENV]
    from argostranslate import settings

    return settings.remote_package_index


def fetch_index(url: str | None = None, timeout: httpx.Timeout = INDEX_TIMEOUT) -> list[IndexedPackage]:
    """Every translation package the index lists; one attempt, bounded by ``timeout``.

    The name lookup is bounded too (``INDEX_DEADLINE`` seconds in all): on a machine whose
    resolver cannot answer, the operating system may wait far longer than any socket timeout.
    Raises ``IndexUnreachableError`` when the index cannot be read (no network, an HTTP error, a
    timeout, or a body that is not an index).
    """
    url = url or index_url()
    outcome: list[object] = []

    def get() -> None:
        try:
            with httpx.Client(timeout=timeout, follow_redirects=True) as client:
                outcome.append(client.get(url))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=get, name="package-index", daemon=True)
    worker.start()
    worker.join(INDEX_DEADLINE)
    if not outcome:
        raise _unreachable(url, f"no answer within {INDEX_DEADLINE:g} s")
    response = outcome[0]
    try:
        if isinstance(response, BaseException):
            raise response
    except httpx.TimeoutException:
        raise _unreachable(url, f"no answer within {timeout.read or timeout.connect:g} s") from None
    except httpx.HTTPError as exc:
        raise _unreachable(url, _reason(exc)) from None
    except (httpx.InvalidURL, ValueError) as exc:
        raise _unreachable(url, f"not a usable URL: {exc}") from None
    assert isinstance(response, httpx.Response)
    if response.status_code != 200:
        raise _unreachable(url, f"HTTP {response.status_code}")
    if len(response.content) > MAX_INDEX_BYTES:
        raise _unreachable(url, f"the answer is larger than {MAX_INDEX_BYTES} bytes")
    try:
        entries = response.json()
    except ValueError:
        raise _unreachable(url, "the answer is not JSON") from None
    if not isinstance(entries, list):
        raise _unreachable(url, "the answer is not a list of packages")
    return [package for entry in entries if (package := _package(entry)) is not None]


def find_package(packages: list[IndexedPackage], source: str, target: str) -> IndexedPackage:
    """The newest package for ``source``->``target``; says which pairs exist when there is none."""
    matches = [p for p in packages if (p.source, p.target) == (source, target)]
    if not matches:
        from_source = sorted(p.pair for p in packages if p.source == source)
        offered = f"; it has {', '.join(from_source)}" if from_source else ""
        raise PackageInvalidError(f"the Argos package index has no {source}->{target} model{offered}")
    return max(matches, key=lambda p: _version_key(p.version))


def download(package: IndexedPackage, folder: Path, progress: Progress | None = None) -> Path:
    """Download ``package`` into a new file in ``folder``, trying its links in order.

    ``progress(done_bytes, total_bytes_or_None)`` is called as bytes arrive. A partial download is
    removed. Raises ``IndexUnreachableError`` when no link gives the file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    reasons = []
    for link in package.links:
        fd, partial = tempfile.mkstemp(dir=folder, prefix=".download-", suffix=".argosmodel")
        os.close(fd)
        try:
            _fetch_to(link, Path(partial), progress)
            return Path(partial)
        except (httpx.HTTPError, httpx.InvalidURL, _LinkFailed) as exc:
            Path(partial).unlink(missing_ok=True)
            reasons.append(f"{link}: {_reason(exc) if isinstance(exc, httpx.HTTPError) else exc}")
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    detail = "; ".join(reasons) or "the index lists no link for it"
    raise IndexUnreachableError(f"could not download the {package.pair} package ({detail}); {OFFLINE_ROUTE}")


class _LinkFailed(Exception):
    pass


def _fetch_to(link: str, path: Path, progress: Progress | None) -> None:
    client = httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True)
    with client, client.stream("GET", link) as response, path.open("wb") as out:
        if response.status_code != 200:
            raise _LinkFailed(f"HTTP {response.status_code}")
        total = int(response.headers.get("content-length", 0)) or None
        done = 0
        for chunk in response.iter_bytes(1 << 16):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)


def _package(entry: object) -> IndexedPackage | None:
    if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
        return None
    source, target, links = entry.get("from_code"), entry.get("to_code"), entry.get("links")
    if not (isinstance(source, str) and isinstance(target, str) and isinstance(links, list)):
        return None
    links = tuple(
        link for link in links if isinstance(link, str) and link.startswith(("http://", "https://"))
    )
    return IndexedPackage(source, target, str(entry.get("package_version", "0")), links)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def _reason(exc: httpx.HTTPError) -> str:
    """The innermost cause of a transport error, in one line."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__
    text = str(cause) or type(cause).__name__
    return " ".join(text.split())[:200]


def _unreachable(url: str, reason: str) -> IndexUnreachableError:
    return IndexUnreachableError(f"cannot read the Argos package index at {url} ({reason}); {OFFLINE_ROUTE}")
