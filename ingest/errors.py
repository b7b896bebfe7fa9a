"""The ingest package's exception tree.

WergerIngestError
 ├── ConfigError   the sites file is missing, malformed or names something impossible
 ├── FetchError    a URL could not be fetched (the reason is in the message)
 │    └── OutOfScope  a redirect led where the site's rules do not let werger go
 ├── DiscoveryError a sitemap or feed could not be read (too large, corrupt)
 └── RunLockedError another crawl is writing to the same output folder
"""


class WergerIngestError(Exception):
    """Base of every error raised by the ingest package."""


class ConfigError(WergerIngestError):
    """The sites file cannot be used as written."""


class FetchError(WergerIngestError):
    """A URL could not be fetched; the message says why in words an operator can act on."""


class OutOfScope(FetchError):
    """A redirect hop is outside the site's scope, disallowed, or already crawled: a skip, not a failure.

    ``reason`` is the summary's category, ``target`` the URL the redirect pointed to.
    """

    def __init__(self, reason: str, target: str) -> None:
        super().__init__(f"{reason}: {target}")
        self.reason = reason
        self.target = target


class DiscoveryError(WergerIngestError):
    """A sitemap or feed was fetched but cannot be used; the message says why."""


class OutputFolderError(WergerIngestError):
    """The output folder cannot be made or locked (a file is in the way, no permission)."""


class RunLockedError(WergerIngestError):
    """Another crawl is writing to the same output folder."""
