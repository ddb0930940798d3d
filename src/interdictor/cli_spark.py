"""``interdictor spark rescreen``: re-screen the Parquet archive on Apache Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interdictor.cli_common import err

app = typer.Typer(help="Re-screen the Parquet archive on Apache Spark (needs the spark extra and Java 17+).",
                  no_args_is_help=True)


@app.command("rescreen")
def rescreen(
    input: Annotated[Path, typer.Option("--input", help="The archive: a directory written by `interdictor export --format parquet`.")],
    out: Annotated[Path, typer.Option("--out", help="Write the assessments here (Parquet, partitioned by filed_day) with _report.json; a new directory or an earlier re-screen's, which is replaced.")],
    ruleset: Annotated[str | None, typer.Option(help="Rule set to screen with, NAME or NAME-vN, stored or shipped (default: INTERDICTOR_RULESET, else the store's active version, else the shipped default).")] = None,
    db: Annotated[str | None, typer.Option(help="Database URL whose versions and history screen (default: INTERDICTOR_DATABASE_URL or the embedded SQLite file).")] = None,
    master: Annotated[str | None, typer.Option(help="Spark master, e.g. local[2] or spark://host:7077 (default: local[2]).")] = None,
    since: Annotated[str | None, typer.Option(help="First filing day to re-screen (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last filing day to re-screen (YYYY-MM-DD).")] = None,
    conf: Annotated[list[str] | None, typer.Option(help="A Spark setting KEY=VALUE, e.g. spark.executor.memory=4g (repeat).")] = None,
) -> None:
    """Re-screen the archive's shipments with the screening `interdictor screen` would use now: one ranked,
    explained row per shipment, per filing day, and a report of what each partition held and what was
    rejected.

    Exit codes: 0 every shipment re-screened; 3 some partitions or rows rejected (the rest written); 2
    nothing re-screened (not an archive, bad arguments, no Java).
    """
    from interdictor.spark.job import execute, options

    raise typer.Exit(execute(lambda: options(input, out, ruleset=ruleset, db=db, master=master, since=since,
                                             until=until, conf=conf),
                             say=lambda line: err.print(line, highlight=False, markup=False, soft_wrap=True)))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="spark")
