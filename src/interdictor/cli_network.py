"""``interdictor network``: actors across shipments and partners, and backtracking from one shipment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from interdictor.cli_common import check_out, db_settings, err, fail, open_cli_store

if TYPE_CHECKING:
    import polars as pl

    from interdictor.store.db import Store

app = typer.Typer(help="Actors across shipments and partners, and the shipments linked to one (crosses partners: "
                       "for targeters and analysts).", no_args_is_help=True)
out = Console()

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]


def _open(db: str | None) -> Store:
    return open_cli_store(db_settings(db))


@app.command("build")
def build(db: DbOption = None) -> None:
    """Resolve the parties of stored shipments the network has not seen yet (new ones, amendments) into
    actors and store their links; only what is new is resolved.

    ``screen`` stores shipments without growing the network (its time is the queue's): backtracking,
    communities, the seizure marks of the next screening and a recorded seizure bring it up to date first,
    as the service does after its batches.  Run this after a large screen to pay that cost at once."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from interdictor.network import NetworkConfig
    from interdictor.store.network import update

    store = _open(db)
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, disable=not err.is_terminal) as bar:
            task = bar.add_task("resolving shipments", total=None)
            done = update(store, NetworkConfig(), lambda n, total: bar.update(task, completed=n, total=total),
                          whole=True)
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
        _table(found.rows)


def _table(rows: pl.DataFrame) -> None:
    table = Table(expand=True)
    for col in rows.columns:
        table.add_column(col, overflow="fold")
    for row in rows.iter_rows():
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    out.print(table)


@app.command("communities")
def communities(
    top: Annotated[int, typer.Option(help="Communities to show at most.", min=1)] = 20,
    sort: Annotated[str, typer.Option(help="Order: size (actors, then shipments) or risk (seizures, then "
                                           "referrals, then size).")] = "size",
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result here; format by extension: "
                                                                     ".csv, .parquet, .jsonl. Without it: CSV to "
                                                                     "stdout when piped, a table on a terminal.")]
    = None,
    db: DbOption = None,
) -> None:
    """Connected groups of actors (through shipments and identifiers that are not hubs, and through no actor
    with 10 or more distinct counterparties), with their size, members, seizures and first/last seen; the
    network is brought up to date first.

    Columns: community, actors, shipments, partners, seizures, referrals, last_seizure, first_seen,
    last_seen, members (the most linked actors first).  Exit codes: 0 written; 2 bad arguments or no
    database.
    """
    from interdictor.network import NetworkConfig
    from interdictor.network.communities import SORTS
    from interdictor.network.communities import top as first
    from interdictor.output import csv_text, write_results
    from interdictor.store.network import communities as run_communities

    if sort not in SORTS:
        raise fail(f"--sort {sort!r}: use one of {', '.join(SORTS)}")
    check_out(out_file)
    store = _open(db)
    try:
        _, _, summary = run_communities(store, NetworkConfig())
    finally:
        store.close()
    rows = first(summary, sort, top)
    if summary.height > rows.height:
        err.print(f"{summary.height} communities of two actors or more; showing the {rows.height} first by {sort}",
                  highlight=False)
    if out_file is not None:
        write_results(rows, out_file)
        err.print(f"{rows.height} communities written to {escape(str(out_file))}", highlight=False)
    elif not sys.stdout.isatty():
        sys.stdout.write(csv_text(rows))
    else:
        _table(rows)


@app.command("export")
def export(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The JSON lines file to write (one entity a line).")],
    fmt: Annotated[str, typer.Option("--format", help="ftm: FollowTheMoney entities (Aleph, OpenSanctions, "
                                                      "ftm tools).")] = "ftm",
    top: Annotated[int | None, typer.Option(help="Export only the first N communities by --sort (default: all).",
                                            min=1)] = None,
    sort: Annotated[str, typer.Option(help="Order for --top: size or risk.")] = "risk",
    db: DbOption = None,
) -> None:
    """Write the communities' actors (Company or LegalEntity with names, phones, e-mails), their Address
    entities and an UnknownLink per shipper–receiver pair (its shipments, dates and seizures) as
    FollowTheMoney entities, one JSON object a line.

    Exit codes: 0 written; 2 bad arguments or no database.
    """
    import json

    from interdictor.network import NetworkConfig
    from interdictor.network.communities import SORTS
    from interdictor.store.network import ftm_export

    if fmt != "ftm":
        raise fail(f"--format {fmt!r}: the one export format is ftm (FollowTheMoney JSON lines)")
    if sort not in SORTS:
        raise fail(f"--sort {sort!r}: use one of {', '.join(SORTS)}")
    if out_file.suffix != ".jsonl":
        raise fail(f"--out {out_file}: FollowTheMoney entities are written as JSON lines: name a .jsonl file")
    store = _open(db)
    counts: dict[str, int] = {}
    try:
        with out_file.open("w", encoding="utf-8") as fh:
            for entity in ftm_export(store, NetworkConfig(), sort, top):
                counts[entity["schema"]] = counts.get(entity["schema"], 0) + 1
                fh.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    except OSError as exc:
        raise fail(f"--out {out_file}: {exc.strerror or exc}") from exc
    finally:
        store.close()
    said = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no entities (no community of two actors)"
    err.print(f"{escape(str(out_file))}: {said}", highlight=False)
