"""From a sites file to clean, language-tagged paragraphs; also the crawl pipeline and the CLI.

Stages, each in a module named after it: config (sites file), fetch, discover, extract,
boilerplate (+ cleaning), langid; pipeline drives a run, cli is the ``werger`` command.
"""
