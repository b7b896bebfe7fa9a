"""Where the benches find the shared data sets: ``../shared`` beside the checkout, or one folder
further up when the checkout itself sits one folder deeper. Nothing of them is in the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_path(*parts: str) -> Path:
    """``shared/<parts>`` in the nearest of the two places that has a ``shared`` folder (the first
    place when neither has one, so the error names the usual location)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared").is_dir():
            return base.joinpath("shared", *parts)
    return ROOT.parent.joinpath("shared", *parts)
