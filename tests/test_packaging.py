"""werger's top-level packages are its own, whatever else is installed."""

from importlib import import_module
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_other_distribution_provides_our_top_level_packages():
    """PyPI has distributions that install a top-level ``translate`` or ``store`` too."""
    owners = packages_distributions()
    for name in ("ingest", "translate", "store"):
        assert set(owners.get(name, ["werger"])) == {"werger"}, f"{name} is provided by {owners[name]}"


def test_imported_modules_are_this_checkout():
    for name in ("ingest.cli", "translate.argos", "store.log"):
        assert Path(import_module(name).__file__).resolve().is_relative_to(ROOT)


def test_importing_the_engine_does_not_pull_argostranslate_translate():
    import subprocess
    import sys

    code = (
        "import sys, translate.argos, translate.models, ingest.pipeline;"
        "assert 'argostranslate.translate' not in sys.modules;"
        "assert 'stanza' not in sys.modules and 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
