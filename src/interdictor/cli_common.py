"""What the command groups share: the error line, settings with ``--db``, a connection to the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from sqlalchemy import Connection

from interdictor.settings import Settings

if TYPE_CHECKING:
    from interdictor.store.db import Store

err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr; the caller raises the returned exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def db_settings(db: str | None) -> Settings:
    """The settings, with ``--db`` in place of the configured database when given."""
    return Settings().with_database(db)


def check_out(path: Path | None) -> None:
    """Refuse, before any work, an ``--out`` whose extension names no result format we write."""
    from interdictor.output import result_format

    if path is not None:
        try:
            result_format(path)
        except ValueError as exc:
            raise fail(str(exc)) from exc


def open_cli_store(settings: Settings) -> Store:
    """The store the settings name (created or migrated first); one that cannot be opened ends the command
    with its message (exit 2)."""
    from interdictor.store import open_store
    from interdictor.store.db import StoreError

    try:
        return open_store(settings.resolved_database_url())
    except StoreError as exc:
        raise fail(str(exc)) from exc


@contextmanager
def store_connection(settings: Settings, *, errors: tuple[type[Exception], ...] = ()) -> Iterator[Connection]:
    """One transaction on the store (created or migrated first); a store that cannot be opened, or one of
    ``errors`` raised inside, ends the command with its message."""
    store = open_cli_store(settings)
    try:
        with store.begin() as conn:
            yield conn
    except errors as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
