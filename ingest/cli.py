"""The ``werger`` command: the app and its commands, one module per group in ``ingest/commands/``.

Examples::

    werger demo                                  # crawl the bundled fixture site into demo-out/
    werger check sites.toml                      # validate a sites file, read each robots.txt
    werger crawl sites.toml --out data/          # crawl partner sites into data/records.jsonl
    werger crawl sites.toml --out data/ --dry-run    # only list what would be fetched
    werger status --data data/                   # records per site, language, status; last run
    werger models list                           # installed translation models
    werger models install ru en                  # from the Argos package index (online)
    werger models install translate-ru_en.argosmodel   # from a file (air-gapped machines)
    werger models install nllb-200-ct2/          # an NLLB-200 CTranslate2 folder (Sorani, Kurmanji)
    werger models verify                         # installed files still match their recorded SHA-256
    werger users add amina --data data/          # a reviewer for the review app
    werger review --data data/                   # the editors' web app on 127.0.0.1:8765
    werger export --data data/ --status approved --lang ckb --format xliff --out ckb.xlf
    werger import-xliff ckb.xlf --data data/ --by amina
    werger translate records.jsonl --out translated.jsonl    # translation alone, over any JSONL
    werger retranslate data/ --model argos:translate-ru_en   # redo what an upgraded model produced
    werger repair --data data/                   # move unreadable log lines aside
    werger --log-format json crawl sites.toml --out data/    # JSON log lines for log shippers
"""

from __future__ import annotations

import typer

from ingest.commands import (
    check,
    crawl,
    export,
    import_xliff,
    models,
    repair,
    review,
    root,
    status,
    translation,
    users,
)

# Help texts are shown exactly as written: with rich markup on, "[crawler]" or "[sites.<name>]"
# in a help text would be taken for a style tag and vanish.
app = typer.Typer(
    help="Crawl partner sites, clean and translate their articles offline into JSONL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
root.register(app)  # --version, --log-level, --log-format
crawl.register(app)  # crawl, demo
check.register(app)  # check
status.register(app)  # status
models.register(app)  # models list|install|verify
users.register(app)  # users add
review.register(app)  # review
export.register(app)  # export
import_xliff.register(app)  # import-xliff
translation.register(app)  # translate, retranslate
repair.register(app)  # repair

if __name__ == "__main__":
    app()
