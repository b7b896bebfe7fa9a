"""``werger users``: reviewers who may log in to the review app (``store.users``)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from ingest.commands.common import (
    USER_ERRORS,
    DataDir,
    UsersDataDir,
    fail,
)
from ingest.logs import printable

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
]


def _password(from_stdin: bool, prompt: str) -> str:
    """The password from standard input (one line) or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


users_app = typer.Typer(
    help="Reviewers who may log in to `werger review`.", no_args_is_help=True, rich_markup_mode=None
)


def users_add(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")],
    data: UsersDataDir,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a reviewer (or set a new password) in DATA/users.json; the password is stored hashed.

    Example: werger users add amina --data data/
    """

    from store.users import Users

    password = _password(password_stdin, "Password")
    try:
        Users(data).add(name, password)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    Console(markup=False).print(
        f"reviewer {name} saved in {data / 'users.json'}", highlight=False, soft_wrap=True
    )


def users_list(data: DataDir) -> None:
    """List the reviewers in DATA/users.json with when each was added and last given a password.

    Example: werger users list --data data/
    """
    from store.users import Users

    try:
        entries = Users(data).entries()
    except USER_ERRORS as exc:
        raise fail(exc) from None
    for name, entry in sorted(entries.items()):
        changed = entry.get("changed", "-")
        typer.echo(f"{printable(name)}\tadded {entry.get('added', '-')}\tpassword changed {changed}")


def users_remove(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")], data: DataDir
) -> None:
    """Remove a reviewer; their open review sessions end at once (their revisions stay in the log).

    Example: werger users remove amina --data data/
    """
    from store.users import Users

    try:
        Users(data).remove(name)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    typer.echo(f"reviewer {printable(name)} removed; their sessions are ended")


def users_passwd(
    name: Annotated[str, typer.Argument(help="Login name of the reviewer.")],
    data: DataDir,
    password_stdin: PasswordStdin = False,
) -> None:
    """Give an existing reviewer a new password; their open review sessions end at once.

    Example: werger users passwd amina --data data/
    """

    from store.users import Users

    password = _password(password_stdin, "New password")
    try:
        Users(data).set_password(name, password)
    except USER_ERRORS as exc:
        raise fail(exc) from None
    typer.echo(f"new password saved for {printable(name)}; their sessions are ended")


def register(app: typer.Typer) -> None:
    users_app.command("add")(users_add)
    users_app.command("list")(users_list)
    users_app.command("remove")(users_remove)
    users_app.command("passwd")(users_passwd)
    app.add_typer(users_app, name="users")
