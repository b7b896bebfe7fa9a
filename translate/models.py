"""Installed translation models: where they live, how they get there, what they are.

Packages are Argos Translate ``.argosmodel`` zips. werger reads them with
``argostranslate.package`` but installs them itself: upstream's ``install_from_path`` imports
``argostranslate.translate``, which needs stanza and torch, and extracts without checking the
archive. Installing here validates the zip first, so a bad file never leaves a half-written
package behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from translate.errors import PackageInvalidError

MODELS_DIR_ENV = "WERGER_MODELS_DIR"


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
    return read_installed(final)


def _single_top_folder(zf: zipfile.ZipFile, archive: Path) -> str:
    names = [n for n in zf.namelist() if n.strip("/")]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1 or any(n.startswith("/") or ".." in n.split("/") for n in names):
        raise PackageInvalidError(f"{archive} must hold exactly one top-level package folder")
    top = tops.pop()
    if f"{top}/metadata.json" not in names:
        raise PackageInvalidError(f"{archive} has no {top}/metadata.json")
    return top


def install_from_index(source: str, target: str, models_dir: Path) -> InstalledModel:
    """Download the pair's package from the Argos index (needs network) and install it."""
    import argostranslate.package as argos_package

    argos_package.update_package_index()
    for available in argos_package.get_available_packages():
        if available.from_code == source and available.to_code == target:
            return install_file(available.download(), models_dir)
    raise PackageInvalidError(f"the Argos package index has no {source}->{target} model")
