"""``interdictor notifications``: the exporting side's pre-notifications of lawful trade — import a CSV for
an export authority, list them, and close the windows that ended (``due``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interdictor.cli_common import db_settings, err, fail, store_connection

app = typer.Typer(
    help="Pre-notified lawful trade (PEN-style): an export authority announces a shipment of a controlled chemical "
    "or press; a matching arrival is kept at review, the notified exporter's goods to another importer or in another "
    "quantity are a possible diversion, a window that closes with no arrival is reported.",
    no_args_is_help=True,
)
out = Console()
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: the embedded SQLite file).")]
COLUMNS = ("authority", "reference", "goods", "quantity", "unit", "exporter", "importer", "arrival_from", "arrival_to",
           "port", "status")


def _table(title: str, rows: list[dict[str, object]], extra: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, expand=True)
    for col in (*COLUMNS, *extra):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(c) is None else f"{r[c]:g}" if isinstance(r[c], float) else str(r[c])
                        for c in (*COLUMNS, *extra)))
    return table


@app.command("import")
def notifications_import(
    file: Annotated[Path, typer.Argument(help="A notifications CSV (columns: docs/registry.md).", exists=True,
                                         dir_okay=False, readable=True)],
    org: Annotated[str, typer.Option("--org", help="The export authority that notifies (an organisation of kind "
                                     "export_authority).")],
    db: DbOption = None,
) -> None:
    """Import an export authority's pre-notifications; a reference already on record is amended when it
    changed and left alone when it did not (importing the same file twice changes nothing).

    Exit 0 when every row was imported, 3 when some rows were rejected (each named with its line and field),
    2 when nothing could be imported.
    """
    from interdictor.reference.kb import load_kb
    from interdictor.screen.goods.notification_file import read_notifications
    from interdictor.screen.goods.registry_file import goods_ids
    from interdictor.service.notices import NoticeError, store_rows

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}") from exc
    parsed = read_notifications(text, goods_ids(load_kb()))
    problems = list(parsed.problems)
    done = None
    if parsed.rows:
        with store_connection(db_settings(db), errors=(NoticeError,)) as conn:
            done = store_rows(conn, org, parsed.rows, "cli", file.name)
        problems += [f"reference {ref!r} {why}" for ref, why in done.refused.items()]
    for p in problems[:50]:
        err.print(f"[yellow]{file.name}:[/] {p}", highlight=False)
    if len(problems) > 50:
        err.print(f"... and {len(problems) - 50} more problems", highlight=False)
    if done is None or not (done.added or done.amended or done.unchanged):
        raise fail(f"nothing imported from {file}")
    err.print(f"{org}: {len(done.added)} added, {len(done.amended)} amended, {len(done.unchanged)} unchanged "
              f"from {file.name}", highlight=False)
    if problems:
        raise typer.Exit(3)


@app.command("list")
def notifications_list(
    org: Annotated[str | None, typer.Option("--org", help="Only this export authority's notifications.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open, arrived, unmatched or withdrawn.")] = None,
    db: DbOption = None,
) -> None:
    """Show the pre-notifications on record, latest arrival window first."""
    from interdictor.store.notices import listed

    if status is not None and status not in ("open", "arrived", "unmatched", "withdrawn"):
        raise fail("--status must be open, arrived, unmatched or withdrawn")
    with store_connection(db_settings(db)) as conn:
        rows = listed(conn, org, status)
    out.print(_table(f"notifications: {len(rows)}", rows))


@app.command("due")
def notifications_due(
    today: Annotated[str | None, typer.Option("--today", help="The day to close windows before, YYYY-MM-DD "
                                              "(default: today, UTC).")] = None,
    db: DbOption = None,
) -> None:
    """Close every open notification whose arrival window ended: 'arrived' when a screened shipment matched
    it, else 'unmatched' — listed here with the authority and corridor the alert goes to. A second run
    lists nothing new (for cron; `serve` and `worker` also run it by themselves, at start and once a day)."""
    from interdictor.background import close_due
    from interdictor.screening.assembly import choose_corridors

    try:
        day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    except ValueError:
        raise fail(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
    settings = db_settings(db)
    with store_connection(settings) as conn:
        unmatched = close_due(conn, day, choose_corridors(conn, settings), "cli")
    out.print(_table(f"closed unmatched before {day}: {len(unmatched)}", unmatched, ("corridor",)))
