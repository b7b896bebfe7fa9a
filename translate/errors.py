"""The translate package's exception tree.

WergerTranslateError
 ├── ModelNotFoundError   no installed model for a language pair
 ├── PackageInvalidError  a package file or folder is not a usable model
 ├── IndexUnreachableError the Argos package index or a package download cannot be read
 ├── GlossaryError        a glossary file cannot be read
 ├── ManifestError        an installed model does not match its recorded checksum
 ├── ShardError           a source or destination of JSONL shards cannot be used
 ├── RayMissingError      a cluster run was asked for without the ray extra installed
 └── ModelsDifferError    a node of the cluster sees other models than the machine running werger
"""


class WergerTranslateError(Exception):
    """Base of every error raised by the translate package."""


class ModelNotFoundError(WergerTranslateError):
    """No installed model translates this pair."""


class PackageInvalidError(WergerTranslateError):
    """A file or folder that claims to be an Argos package cannot be used."""


class IndexUnreachableError(WergerTranslateError):
    """The Argos package index, or a package it lists, cannot be downloaded (offline, HTTP error, timeout)."""


class GlossaryError(WergerTranslateError):
    """A glossary file cannot be read."""


class ManifestError(WergerTranslateError):
    """An installed model's files differ from the checksums recorded when it was installed."""


class ShardError(WergerTranslateError):
    """A source or destination of JSONL shards cannot be used."""


class RayMissingError(WergerTranslateError):
    """Translation on a cluster was asked for, and Ray is not installed."""


class ModelsDifferError(WergerTranslateError):
    """A node of the cluster sees other models than the machine that runs the command."""
