"""The store's exception tree.

WergerStoreError
 ├── LogLockedError     another process holds the log's write lock
 ├── LogDamagedError    the log holds lines werger cannot read; nothing is appended until repaired
 ├── NewerLogError      the log holds lines of a newer record schema; nothing is appended
 ├── RecordInvalidError a record does not match the schema
 ├── RevisionConflictError  someone else wrote a newer revision first
 ├── UsersFileError     the reviewers' file is missing, unreadable or lacks a name
 ├── XliffError         an XLIFF file is not one werger can read back
 └── CrawlIndexError    the crawl index cannot be opened (delete it; it is rebuilt from the log)
"""


class WergerStoreError(Exception):
    """Base of every error raised by the store package."""


class LogLockedError(WergerStoreError):
    """Another writer holds the log; two writers must never interleave lines."""


class LogDamagedError(WergerStoreError):
    """The log holds unreadable lines; appending could reuse the revision numbers hidden in them."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class NewerLogError(WergerStoreError):
    """The log holds lines of a newer record schema; this werger neither reads nor extends them."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class RecordInvalidError(WergerStoreError):
    """A record failed validation and was not written."""


class RevisionConflictError(WergerStoreError):
    """A revision was based on one that is no longer the latest; nothing was written."""

    def __init__(self, message: str, latest: object) -> None:
        super().__init__(message)
        self.latest = latest


class UsersFileError(WergerStoreError):
    """The reviewers' file cannot be used as asked."""


class XliffError(WergerStoreError):
    """An XLIFF file does not match the records it claims to carry."""


class CrawlIndexError(WergerStoreError):
    """The crawl index cannot be opened; it can always be deleted and rebuilt from the log."""
