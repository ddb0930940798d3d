"""``interdictor network``: actors across shipments and partners, and backtracking from one shipment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from interdictor.cli_common import check_out, db_settings, err, fail

app = typer.Typer(help="Actors across shipments and partners, and the shipments linked to one (crosses partners: "
                       "for targeters and analysts).", no_args_is_help=True)
out = Console()

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]


def _open(db: str | None):  # type: ignore[no-untyped-def]
    from interdictor.store import open_store
    from interdictor.store.db import StoreError

    try:
        return open_store(db_settings(db).resolved_database_url())
    except StoreError as exc:
        raise fail(str(exc)) from exc


@app.command("build")
def build(db: DbOption = None) -> None:
    """Resolve the parties of stored shipments the network has not seen yet (new ones, amendments) into
    actors and store their links; only what is new is resolved.  ``backtrack`` does this first too."""
    from interdictor.network import NetworkConfig
    from interdictor.store.network import update

    store = _open(db)
    try:
        done = update(store, NetworkConfig())
    finally:
        store.close()
    out.print(f"network: {done.shipments} shipments added, {done.variants} new party variants, "
              f"{done.merged} actors merged", highlight=False)


@app.command("backtrack")
def backtrack(
    shipment: Annotated[str, typer.Argument(help="The shipment to start from, PARTNER/SHIPMENT_ID.")],
    depth: Annotated[int, typer.Option(help="Shipment-to-shipment hops to follow.", min=1, max=6)] = 2,
    limit: Annotated[int, typer.Option(help="Linked shipments to show at most (the rest are counted).",
                                       min=1)] = 200,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result here; format by extension: "
                                                                     ".csv, .parquet, .jsonl. Without it: CSV to "
                                                                     "stdout when piped, a table on a terminal.")]
    = None,
    db: DbOption = None,
) -> None:
    """Every stored shipment linked to this one through shared parties, addresses, phones, e-mails, across
    partners, ranked by closeness and risk, each with its path as evidence.

    Columns: rank, partner, shipment_id, score, hops, path.  Hub identifiers (used by many unrelated
    names: a consolidator's address, a courier's phone) and parties with thousands of shipments are not
    followed; what was left out is said on stderr.
    Exit codes: 0 the result was written (even an empty one); 2 bad arguments, an unknown shipment or no
    database.
    """
    from interdictor.network import NetworkConfig, NetworkError
    from interdictor.output import csv_text, write_results
    from interdictor.store.network import backtrack as run_backtrack

    partner, _, shipment_id = shipment.partition("/")
    if not partner or not shipment_id:
        raise fail(f"{shipment!r}: name the shipment as PARTNER/SHIPMENT_ID")
    check_out(out_file)
    store = _open(db)
    try:
        found = run_backtrack(store, NetworkConfig(limit=limit), partner, shipment_id, depth)
    except NetworkError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    for line in found.skipped:
        err.print(f"not followed: {escape(line)}", highlight=False)
    if found.linked > found.rows.height:
        err.print(f"{found.linked} linked shipments; showing the {found.rows.height} ranked first", highlight=False)
    if out_file is not None:
        write_results(found.rows, out_file)
        err.print(f"{found.rows.height} linked shipments written to {escape(str(out_file))}", highlight=False)
    elif not sys.stdout.isatty():
        sys.stdout.write(csv_text(found.rows))
    else:
        table = Table(expand=True)
        for col in found.rows.columns:
            table.add_column(col, overflow="fold")
        for row in found.rows.iter_rows():
            table.add_row(*(escape(str(v)) for v in row))
        out.print(table)
