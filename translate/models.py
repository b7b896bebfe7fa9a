"""Installed translation models: where they live, how they get there, what they are.

Packages are Argos Translate ``.argosmodel`` zips, or NLLB-200 and MADLAD-400 CTranslate2
conversion folders.
Every install records the SHA-256 of the archive and of each installed file in ``manifest.json``
so ``werger models verify`` can tell a damaged or swapped model from the one installed. werger reads them with
``argostranslate.package`` but installs them itself: upstream's ``install_from_path`` imports
``argostranslate.translate``, which needs stanza and torch, and extracts without checking the
archive. Installing here validates the zip first, so a bad file never leaves a half-written
package behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from store.record import utc_now
from translate.errors import ManifestError, PackageInvalidError

if TYPE_CHECKING:
    from translate.package_index import Progress

MODELS_DIR_ENV = "WERGER_MODELS_DIR"
MANIFEST_NAME = "manifest.json"


def default_models_dir() -> Path:
    """Where models live unless told otherwise: shared with Argos Translate's own package folder."""
    for variable in (MODELS_DIR_ENV, "ARGOS_PACKAGES_DIR"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "argos-translate" / "packages"


@dataclass(frozen=True)
class InstalledModel:
    """One installed package folder and what its metadata says."""

    path: Path
    source: str
    target: str
    version: str
    package_id: str

    @property
    def pair(self) -> str:
        return f"{self.source}->{self.target}"


def read_installed(package_dir: Path) -> InstalledModel:
    """Describe an installed package folder, or say why it is not one."""
    from argostranslate.package import Package

    try:
        package = Package(package_dir)
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise PackageInvalidError(f"{package_dir} is not an Argos package: {exc}") from exc
    if package.type != "translate" or not package.from_code or not package.to_code:
        raise PackageInvalidError(f"{package_dir} is not a translation package (type {package.type!r})")
    return InstalledModel(
        path=package_dir,
        source=package.from_code,
        target=package.to_code,
        version=package.package_version or "0",
        package_id=f"argos:{package_dir.name}",
    )


def list_installed(models_dir: Path) -> list[InstalledModel]:
    """Every usable package under ``models_dir``; folders that are not packages are skipped."""
    if not models_dir.is_dir():
        return []
    models = []
    for child in sorted(models_dir.iterdir()):
        if child.is_dir() and (child / "metadata.json").is_file():
            try:
                models.append(read_installed(child))
            except PackageInvalidError:
                continue
    return models


def install_file(archive: Path, models_dir: Path) -> InstalledModel:
    """Install an ``.argosmodel`` file, replacing an older copy of the same package."""
    archive = Path(archive)
    if not archive.is_file():
        raise PackageInvalidError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise PackageInvalidError(f"{archive} is not an Argos package (not a zip archive)")
    with zipfile.ZipFile(archive) as zf:
        top = _single_top_folder(zf, archive)
        models_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".installing-") as staging:
            zf.extractall(staging)
            staged = Path(staging) / top
            read_installed(staged)
            if not (staged / "model" / "model.bin").is_file():
                raise PackageInvalidError(f"{archive} has no CTranslate2 model (model/model.bin)")
            final = models_dir / top
            if final.exists():
                shutil.rmtree(final)
            staged.rename(final)
    record_install(models_dir, final, archive)
    return read_installed(final)


def install_nllb_dir(folder: Path, models_dir: Path) -> Path:
    """Copy an NLLB-200 or MADLAD-400 CTranslate2 conversion folder into ``models_dir`` and record
    its checksums."""
    from translate.ct2 import conversion_vocabulary
    from translate.madlad import is_madlad_dir
    from translate.nllb import is_nllb_dir

    folder = Path(folder)
    if is_nllb_dir(folder) or is_madlad_dir(folder):
        conversion_vocabulary(folder)
    else:
        raise PackageInvalidError(
            f"{folder} is neither an .argosmodel file nor a CTranslate2 conversion folder of NLLB-200 "
            "(model.bin and sentencepiece.bpe.model) or MADLAD-400 (model.bin and spiece.model)"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    final = models_dir / folder.name
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".installing-") as staging:
        staged = Path(staging) / folder.name
        shutil.copytree(folder, staged)
        if final.exists():
            shutil.rmtree(final)
        staged.rename(final)
    record_install(models_dir, final, None)
    return final


def list_nllb(models_dir: Path) -> list[Path]:
    """NLLB-200 conversion folders installed under ``models_dir``."""
    from translate.nllb import is_nllb_dir

    if not models_dir.is_dir():
        return []
    return [child for child in sorted(models_dir.iterdir()) if child.is_dir() and is_nllb_dir(child)]


def list_madlad(models_dir: Path) -> list[Path]:
    """MADLAD-400 conversion folders installed under ``models_dir``."""
    from translate.madlad import is_madlad_dir

    if not models_dir.is_dir():
        return []
    return [child for child in sorted(models_dir.iterdir()) if child.is_dir() and is_madlad_dir(child)]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_hashes(folder: Path) -> dict[str, str]:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {str(path.relative_to(folder)): sha256_file(path) for path in files}


def read_manifest(models_dir: Path) -> dict[str, dict]:
    path = models_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not valid JSON ({exc}); reinstall the models to rebuild it") from exc


def record_install(models_dir: Path, folder: Path, archive: Path | None) -> None:
    """Add ``folder``'s checksums (and its archive's) to the manifest, atomically."""
    manifest = read_manifest(models_dir)
    manifest[folder.name] = {
        "installed_at": utc_now().isoformat(),
        "from": str(archive or folder),
        "archive_sha256": sha256_file(archive) if archive else None,
        "files": _file_hashes(folder),
    }
    path = models_dir / MANIFEST_NAME
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found for one installed model folder."""

    name: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_installed(models_dir: Path) -> list[Verification]:
    """Compare every installed model folder with the checksums recorded when it was installed."""
    manifest = read_manifest(models_dir)
    folders = [m.path for m in list_installed(models_dir)] + list_nllb(models_dir) + list_madlad(models_dir)
    results = []
    for folder in folders:
        entry = manifest.get(folder.name)
        if entry is None:
            results.append(Verification(folder.name, ("not in the manifest: installed by another tool",)))
            continue
        actual, recorded = _file_hashes(folder), entry["files"]
        problems = [f"missing {name}" for name in sorted(set(recorded) - set(actual))]
        problems += [f"unexpected {name}" for name in sorted(set(actual) - set(recorded))]
        changed = [name for name in sorted(set(actual) & set(recorded)) if actual[name] != recorded[name]]
        problems += [f"changed {name}" for name in changed]
        results.append(Verification(folder.name, tuple(problems)))
    installed = {folder.name for folder in folders}
    gone = [name for name in manifest if name not in installed]
    results += [Verification(name, ("recorded but no longer installed",)) for name in gone]
    return results


def _single_top_folder(zf: zipfile.ZipFile, archive: Path) -> str:
    names = [n for n in zf.namelist() if n.strip("/")]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1 or any(n.startswith("/") or ".." in n.split("/") for n in names):
        raise PackageInvalidError(f"{archive} must hold exactly one top-level package folder")
    top = tops.pop()
    if f"{top}/metadata.json" not in names:
        raise PackageInvalidError(f"{archive} has no {top}/metadata.json")
    return top


def install_from_index(
    source: str, target: str, models_dir: Path, progress: Progress | None = None, index: str | None = None
) -> InstalledModel:
    """Download the pair's newest package from the Argos index and install it.

    One attempt with short timeouts (see ``translate.package_index``); without network this raises
    ``IndexUnreachableError`` naming the offline route. ``progress`` follows the download.
    """
    from translate.package_index import download, fetch_index, find_package

    package = find_package(fetch_index(index), source, target)
    archive = download(package, models_dir / ".downloads", progress)
    try:
        return install_file(archive, models_dir)
    finally:
        archive.unlink(missing_ok=True)


def install_pairs(
    pairs: list[tuple[str, str]], models_dir: Path, progress: Progress | None = None, index: str | None = None
) -> list[InstalledModel]:
    """Install each of ``pairs`` from the Argos index (read once); pairs already installed are skipped.

    Raises ``IndexUnreachableError`` when the index cannot be read, before anything is installed.
    """
    from translate.package_index import download, fetch_index, find_package

    installed = {(m.source, m.target) for m in list_installed(models_dir)}
    missing = [pair for pair in pairs if pair not in installed]
    if not missing:
        return []
    packages = fetch_index(index)
    models = []
    for source, target in missing:
        archive = download(find_package(packages, source, target), models_dir / ".downloads", progress)
        try:
            models.append(install_file(archive, models_dir))
        finally:
            archive.unlink(missing_ok=True)
    return models
