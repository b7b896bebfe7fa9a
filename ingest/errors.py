"""The ingest package's exception tree.

WergerIngestError
 ├── ConfigError   the sites file is missing, malformed or names something impossible
 ├── FetchError    a URL could not be fetched (the reason is in the message)
 └── RunLockedError another crawl is writing to the same output folder
"""


class WergerIngestError(Exception):
    """Base of every error raised by the ingest package."""


class ConfigError(WergerIngestError):
    """The sites file cannot be used as written."""


class FetchError(WergerIngestError):
    """A URL could not be fetched; the message says why in words an operator can act on."""


class RunLockedError(WergerIngestError):
    """Another crawl is writing to the same output folder."""
