"""``interdictor spark rescreen`` and ``spark network``: re-screen the Parquet archive, and build its network, on
Apache Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interdictor.cli_common import err

app = typer.Typer(help="Re-screen the Parquet archive, or build its network, on Apache Spark (needs the spark extra "
                       "and Java 17+).",
                  no_args_is_help=True)

# the options both jobs take
InputOption = Annotated[Path, typer.Option("--input", help="The archive: a directory written by `interdictor export --format parquet`.")]
MasterOption = Annotated[str | None, typer.Option(help="Spark master, e.g. local[2] or spark://host:7077 (default: local[2]).")]
SinceOption = Annotated[str | None, typer.Option(help="First filing day to take (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(help="Last filing day to take (YYYY-MM-DD).")]
ConfOption = Annotated[list[str] | None, typer.Option(help="A Spark setting KEY=VALUE, e.g. spark.executor.memory=4g (repeat).")]


def _say(line: str) -> None:
    err.print(line, highlight=False, markup=False, soft_wrap=True)


@app.command("rescreen")
def rescreen(
    input: InputOption,
    out: Annotated[Path, typer.Option("--out", help="Write the assessments here (Parquet, partitioned by filed_day) with _report.json; a new directory or an earlier re-screen's, which is replaced.")],
    ruleset: Annotated[str | None, typer.Option(help="Rule set to screen with, NAME or NAME-vN, stored or shipped (default: INTERDICTOR_RULESET, else the store's active version, else the shipped default).")] = None,
    db: Annotated[str | None, typer.Option(help="Database URL whose versions and history screen (default: INTERDICTOR_DATABASE_URL or the embedded SQLite file).")] = None,
    master: MasterOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    conf: ConfOption = None,
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
                             say=_say))


@app.command("network")
def network(
    input: InputOption,
    out: Annotated[Path, typer.Option("--out", help="Write the network here (Parquet tables actors, variants, occurrences, uses, communities) with _report.json; a new directory or an earlier network build's, which is replaced.")],
    master: MasterOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    conf: ConfOption = None,
    communities: Annotated[bool, typer.Option(help="Build the communities too (on the driver, which then holds the graph of every party).")] = True,
) -> None:
    """Build the archive's network — parties resolved into actors, their identifiers and hubs, communities —
    with the functions `interdictor network build` uses, as Parquet tables for analysts.

    Exit codes: 0 built from every partition; 3 some partitions rejected (the rest built); 2 nothing built
    (not an archive, bad arguments, no Java, no party).
    """
    from interdictor.spark import network as job
    from interdictor.spark.job import execute, options

    raise typer.Exit(execute(lambda: options(input, out, master=master, since=since, until=until, conf=conf),
                             say=_say,
                             job=lambda o, say: job.run(o, say, communities=communities), wrote="the network"))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="spark")
