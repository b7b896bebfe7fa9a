"""The store's exception tree.

WergerStoreError
 ├── LogLockedError     another process holds the log's write lock
 ├── RecordInvalidError a record does not match the schema
 └── CrawlIndexError    the crawl index cannot be opened (delete it; it is rebuilt from the log)
"""


class WergerStoreError(Exception):
    """Base of every error raised by the store package."""


class LogLockedError(WergerStoreError):
    """Another writer holds the log; two writers must never interleave lines."""


class RecordInvalidError(WergerStoreError):
    """A record failed validation and was not written."""


class CrawlIndexError(WergerStoreError):
    """The crawl index cannot be opened; it can always be deleted and rebuilt from the log."""
