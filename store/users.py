"""The reviewers' file: who may log in to the review app, with Argon2-hashed passwords.

It lives beside the log (``users.json`` in the data folder) so a data folder carries its own
editors; only hashes are stored, and the file is written owner-only. A new password or a removal
ends the reviewer's open review sessions at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from store.errors import UsersFileError
from store.files import write_atomically
from store.record import utc_now
from store.sessions import SessionStore

USERS_NAME = "users.json"
NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


class Users:
    """Read, add and check reviewers in ``<data>/users.json``."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / USERS_NAME

    def _load(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UsersFileError(f"cannot read {self.path}: {exc}; fix or remove the file") from exc

    def names(self) -> list[str]:
        return sorted(self._load())

    def entries(self) -> dict[str, dict]:
        """Name -> {"added": ISO time, "changed": ISO time or absent}; hashes left out."""
        return {name: {k: v for k, v in entry.items() if k != "hash"} for name, entry in self._load().items()}

    def add(self, name: str, password: str) -> None:
        """Add a reviewer or replace their password (which ends their open sessions)."""
        if not NAME.match(name):
            raise UsersFileError(
                f"{name!r} is not a usable name: use 1-64 letters, digits, '.', '_', '@' or '-'"
            )
        if len(password) < MIN_PASSWORD:
            raise UsersFileError(f"the password must have at least {MIN_PASSWORD} characters")
        users = self._load()
        entry = users.get(name, {"added": utc_now().isoformat()})
        if name in users:
            entry["changed"] = utc_now().isoformat()
        users[name] = {**entry, "hash": _hasher.hash(password)}
        self._save(users)
        SessionStore(self.path.parent).end_all(name)

    def set_password(self, name: str, password: str) -> None:
        """A new password for an existing reviewer; their open sessions end."""
        if name not in self._load():
            raise UsersFileError(f"no reviewer {name!r} in {self.path}; add one with werger users add")
        self.add(name, password)

    def remove(self, name: str) -> None:
        """Remove a reviewer; their open sessions end at once."""
        users = self._load()
        if users.pop(name, None) is None:
            raise UsersFileError(f"no reviewer {name!r} in {self.path}")
        self._save(users)
        SessionStore(self.path.parent).end_all(name)

    def _save(self, users: dict[str, dict]) -> None:
        write_atomically(self.path, json.dumps(users, indent=2, ensure_ascii=False), mode=0o600)

    def check(self, name: str, password: str) -> bool:
        """True when the name exists and the password matches its hash."""
        entry = self._load().get(name)
        if entry is None:
            _hasher.hash(password)
            return False
        try:
            return _hasher.verify(entry["hash"], password)
        except (VerificationError, InvalidHashError):
            return False
