"""``interdictor export``: the store's shipments, assessments, decisions and outcomes as an archive of
partitioned Parquet files (``archive/``), for re-screening and network building at scale."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from interdictor.cli_common import db_settings, err, fail, open_cli_store

FORMATS = ("parquet",)


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The archive's directory: new, empty, or an archive "
                                                          "to replace with --force.")],
    fmt: Annotated[str, typer.Option("--format", help=f"Archive format; one of: {', '.join(FORMATS)}.")] = "parquet",
    since: Annotated[str | None, typer.Option(help="Only shipments filed on or after this day, YYYY-MM-DD (UTC; "
                                                   "received on or after it when the filing time is unknown).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the archive already in --out (never anything "
                                                        "else: a directory holding other files is refused).")] = False,
    db: Annotated[str | None, typer.Option(help="Database URL (default: INTERDICTOR_DATABASE_URL or the embedded "
                                                "SQLite file).")] = None,
) -> None:
    """Export the store as an archive of Parquet files partitioned by filing day (for Spark, polars, ...).

    The archive holds the current version of every shipment (shipments, items, parties, legs, with its
    version number), its latest assessment with its reasons, and the decisions and outcomes, in
    DIR/TABLE/filed_day=YYYY-MM-DD/part-NNNNN.parquet, with the manifest DIR/_archive.json. It streams:
    memory stays flat whatever the store's size.

    The archive is written beside DIR and renamed into place when complete: an error leaves DIR as it was.
    Exit codes: 0 written (even an empty archive); 2 bad arguments, no database, or DIR cannot be written.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from interdictor.archive.export import export_store, shipments_to_export
    from interdictor.archive.layout import ArchiveError
    from interdictor.archive.write import check_target
    from interdictor.store.db import StoreError

    if fmt.lower() not in FORMATS:
        raise fail(f"--format {fmt!r} is not an archive format we write; one of: {', '.join(FORMATS)}")
    try:
        first = date.fromisoformat(since) if since is not None else None
    except ValueError:
        raise fail(f"--since {since!r} is not a day; give YYYY-MM-DD") from None
    try:
        check_target(out, replace=force)
    except ArchiveError as exc:
        raise fail(str(exc)) from exc
    store = open_cli_store(db_settings(db))
    try:
        total = shipments_to_export(store, first)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn(), console=err, disable=not err.is_terminal) as bar:
            task = bar.add_task("exporting shipments", total=total)
            summary = export_store(store, out, since=first, replace=force,
                                   progress=lambda n: bar.advance(task, n))
    except (ArchiveError, StoreError) as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    err.print(summary.line, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``export`` to the main command line."""
    app.command()(export)
