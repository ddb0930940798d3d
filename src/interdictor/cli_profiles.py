"""``interdictor profiles``: column-mapping profiles stored in the database, for the API to use by name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interdictor.cli_common import db_settings, fail, store_connection
from interdictor.intake.base import IntakeError

app = typer.Typer(help="Column-mapping profiles: the shipped ones and those stored for the API (by name).",
                  no_args_is_help=True)
out = Console()

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: the embedded SQLite file).")]


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The profile, a YAML file (name, description, columns, concat, "
                                              "defaults, units).")],
    name: Annotated[str | None, typer.Option(help="Store it under this name (default: its 'name:' key, else "
                                                  "the file name).")] = None,
    actor: Annotated[str, typer.Option("--actor", help="Who adds it (recorded in the audit log).")] = "cli",
    db: DbOption = None,
) -> None:
    """Check a profile and store it as the next version of its name; the API then takes ?profile=NAME."""
    from interdictor.store.profiles import add_profile

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: cannot read it: {exc}") from exc
    with store_connection(db_settings(db), errors=(IntakeError,)) as conn:
        profile, version = add_profile(conn, text, file.name, actor, name)
    out.print(f"stored profile {profile.name} version {version} ({len(profile.columns)} columns mapped)",
              highlight=False)


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Every profile a submission can name: the shipped ones and the latest version of each stored one."""
    from interdictor.store.profiles import list_profiles

    with store_connection(db_settings(db), errors=(IntakeError,)) as conn:
        rows = list_profiles(conn)
    table = Table(show_lines=False, expand=True)
    for col in ("name", "version", "source", "added", "description"):
        table.add_column(col, overflow="fold")
    for r in rows:
        added = f"{r['created_at']:%Y-%m-%d} {r['created_by']}" if r["created_at"] else ""
        table.add_row(r["name"], str(r["version"] or ""), r["source"], added, r["description"])
    out.print(table)
