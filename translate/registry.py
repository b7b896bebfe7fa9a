"""Everything a run translates with: installed Argos packages, NLLB-200 for the rest, glossaries."""

from __future__ import annotations

import os
from pathlib import Path

from translate.argos import ArgosEngine
from translate.ct2 import DecodingOptions
from translate.engine import EngineRegistry
from translate.glossary import GLOSSARY_DIR_ENV, load_glossaries
from translate.models import list_installed, list_nllb
from translate.nllb import NLLB_DIR_ENV, add_nllb

GLOSSARY_FOLDER = "glossaries"


def build_registry(
    models_dir: Path,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    options: DecodingOptions | None = None,
) -> EngineRegistry:
    """Argos packages first (they win their pairs), then NLLB-200 for pairs no package covers.

    NLLB comes from ``nllb_dir``, else ``$WERGER_NLLB_DIR``, plus any conversion installed in
    ``models_dir``. Glossaries come from ``glossary_dir``, else ``$WERGER_GLOSSARY_DIR``, else
    ``<models_dir>/glossaries``.
    """
    glossary_dir = glossary_dir or _env_path(GLOSSARY_DIR_ENV) or models_dir / GLOSSARY_FOLDER
    registry = EngineRegistry(load_glossaries(glossary_dir))
    for model in list_installed(models_dir):
        registry.add(model.source, model.target, ArgosEngine(model, options))
    configured = nllb_dir or _env_path(NLLB_DIR_ENV)
    for folder in ([configured] if configured else []) + list_nllb(models_dir):
        add_nllb(registry, folder, options)
    return registry


def _env_path(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None
