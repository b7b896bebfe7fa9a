"""Everything a run translates with: Argos packages, MADLAD-400 and NLLB-200, chosen per pair.

Several engines may translate one pair (an Argos package, a MADLAD-400 and an NLLB-200 conversion
all cover ru->en); ``<models_dir>/engines.toml`` says which one to use::

    order = ["argos", "madlad", "nllb"]     # the default
    exclude = ["nllb"]                      # e.g. for a partner with a commercial side
    [pairs]
    "kmr->en" = ["nllb", "madlad"]          # this pair prefers NLLB-200

Without the file, Argos packages win their pairs, then MADLAD-400 (Apache-2.0), then NLLB-200
(CC BY-NC 4.0, non-commercial use only).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from translate.argos import ArgosEngine
from translate.ct2 import DecodingOptions
from translate.engine import DEFAULT_ORDER, EngineRegistry, Preference
from translate.errors import WergerTranslateError
from translate.glossary import GLOSSARY_DIR_ENV, load_glossaries
from translate.madlad import add_madlad
from translate.models import list_installed, list_madlad, list_nllb
from translate.nllb import NLLB_DIR_ENV, add_nllb

GLOSSARY_FOLDER = "glossaries"
PREFERENCE_NAME = "engines.toml"


def load_preference(models_dir: Path) -> Preference:
    """The engine preference of ``<models_dir>/engines.toml``, or the default when there is none."""
    path = models_dir / PREFERENCE_NAME
    if not path.is_file():
        return Preference()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise WergerTranslateError(f"cannot read {path}: {exc}") from None
    known = set(DEFAULT_ORDER)
    order = tuple(data.get("order", DEFAULT_ORDER))
    pairs = {str(pair): tuple(kinds) for pair, kinds in dict(data.get("pairs", {})).items()}
    exclude = frozenset(data.get("exclude", ()))
    named = set(order) | exclude | {kind for kinds in pairs.values() for kind in kinds}
    if named - known:
        unknown = ", ".join(sorted(named - known))
        raise WergerTranslateError(f"{path}: unknown engine kind {unknown}; the kinds are {', '.join(known)}")
    return Preference(order=order, pairs=pairs, exclude=exclude)


def build_registry(
    models_dir: Path,
    nllb_dir: Path | None = None,
    glossary_dir: Path | None = None,
    options: DecodingOptions | None = None,
) -> EngineRegistry:
    """Every installed engine offered for its pairs; ``engines.toml`` picks one per pair.

    NLLB comes from ``nllb_dir``, else ``$WERGER_NLLB_DIR``, plus any conversion installed in
    ``models_dir``; MADLAD-400 from conversions installed in ``models_dir``. Glossaries come from
    ``glossary_dir``, else ``$WERGER_GLOSSARY_DIR``, else ``<models_dir>/glossaries``.
    """
    glossary_dir = glossary_dir or _env_path(GLOSSARY_DIR_ENV) or models_dir / GLOSSARY_FOLDER
    registry = EngineRegistry(load_glossaries(glossary_dir), load_preference(models_dir))
    for model in list_installed(models_dir):
        registry.offer(model.source, model.target, "argos", ArgosEngine(model, options))
    for folder in list_madlad(models_dir):
        add_madlad(registry, folder, options)
    configured = nllb_dir or _env_path(NLLB_DIR_ENV)
    for folder in ([configured] if configured else []) + list_nllb(models_dir):
        add_nllb(registry, folder, options)
    return registry


def _env_path(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None
