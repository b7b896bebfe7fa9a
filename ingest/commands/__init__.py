"""The ``werger`` command, one module per group of subcommands.

``ingest/cli.py`` builds the app and registers each module's commands; a module here parses
options, calls the package that does the work and prints the outcome. ``common.py`` holds what
several commands share: option types, the data-folder check, printing without markup, errors.
"""
