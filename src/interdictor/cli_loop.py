"""The loop on the command line: ``interdictor queue`` (the day's exam queue, the one the workspace
shows) and ``interdictor outcomes import`` (exam outcomes in bulk, the records the workspace writes)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from interdictor.cli_common import check_out, db_settings, err, fail, store_connection
from interdictor.settings import Settings

EXIT_OK, EXIT_NOTHING, EXIT_REJECTS = 0, 2, 3

outcomes_app = typer.Typer(help="Exam outcomes: what examinations found.", no_args_is_help=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]


def queue(
    day: Annotated[str, typer.Option(help="The day, YYYY-MM-DD: shipments filed that day (UTC), or received that "
                                          "day when their filing time is unknown.")],
    corridor: Annotated[str | None, typer.Option(help="Only this corridor's shipments (default: every corridor's "
                                                      "in one queue).")] = None,
    port: Annotated[str | None, typer.Option(help="Only shipments to this destination port (e.g. SAN).")] = None,
    budget: Annotated[int | None, typer.Option(help="Exams for the whole queue, across its corridors and ports "
                                                    "(default: each port its own budget, so their sum caps the "
                                                    "queue, as in the workspace).", min=0)] = None,
    exploration: Annotated[float | None, typer.Option(help="Share of the budget kept for exploration, 0 to 1 "
                                                           "(default: the ports' own shares).",
                                                      min=0.0, max=1.0)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the queue here; format by extension: .csv, "
                                                                 ".parquet, .jsonl. Without it: CSV to stdout when "
                                                                 "piped, a table on a terminal.")] = None,
    db: DbOption = None,
) -> None:
    """The day's exam queue, as the workspace shows it: exam picks within the budget by score, then
    exploration picks (uncertain or random), then the rest of the review band.

    Columns: rank, partner, shipment_id, version, score, disposition, corridor, port, pick (exam, explore,
    review), exploration (true for an exploration pick), explore_kind (uncertain, random).
    Exit codes: 0 the queue was written (even an empty one); 2 bad arguments or no database.
    """
    from interdictor.output import csv_text, write_results
    from interdictor.queue.build import QUEUE_COLUMNS
    from interdictor.screening.assembly import choose_corridors
    from interdictor.store import facts
    from interdictor.store.config import Budgets, port_budgets
    from interdictor.store.scope import Scope

    try:
        the_day = date.fromisoformat(day)
    except ValueError as exc:
        raise fail(f"--day {day!r}: a day is YYYY-MM-DD") from exc
    check_out(out)
    settings = db_settings(db)
    with store_connection(settings) as conn:
        cfg = choose_corridors(conn, settings)
        try:
            q = facts.day_queue(conn, Scope.everything(), cfg, Budgets(cfg, port_budgets(conn)), day=the_day,
                                corridor=corridor, port=port, budget=budget, exploration=exploration)
        except KeyError as exc:
            raise fail(str(exc.args[0])) from exc
    q = q.select(QUEUE_COLUMNS)
    picks = {k: q.filter(q["pick"] == k).height for k in ("exam", "explore", "review")}
    summary = (f"{q.height:,} shipments in the queue of {the_day.isoformat()}"
               f"{' in ' + corridor if corridor else ''}{' to ' + port.upper() if port else ''}: "
               f"{picks['exam']:,} exam picks, {picks['explore']:,} exploration picks, {picks['review']:,} to review")
    if out is not None:
        write_results(q, out)
        err.print(f"wrote {summary} to {out}", highlight=False)
        return
    if not sys.stdout.isatty():
        sys.stdout.write(csv_text(q))
        return
    table = Table(title=summary, expand=True)
    for col in ("rank", "partner", "shipment_id", "score", "disposition", "corridor", "port", "pick"):
        table.add_column(col, overflow="fold", justify="right" if col in ("rank", "score") else "left")
    for r in q.iter_rows(named=True):
        pick = r["pick"] + (f" ({r['explore_kind']})" if r["exploration"] else "")
        table.add_row(str(r["rank"]), escape(r["partner"]), escape(r["shipment_id"]), f"{r['score']:.1f}",
                      r["disposition"], r["corridor"] or "", escape(r["port"] or ""), pick)
    Console().print(table)


@outcomes_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Outcomes, CSV or JSON Lines: partner, shipment_id, result "
                                              "(nothing_found, seized, referred), examined_at; what for a seizure, "
                                              "agency for a referral; optionally version, quantity, unit, note.")],
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows (file, line, field, reason) here "
                                                      "(.csv or .jsonl).")] = None,
    notify: Annotated[bool, typer.Option("--notify", help="Open an incident for each seizure imported, as the "
                                                          "workspace does, and push incident.created to the "
                                                          "organisations subscribed (see: interdictor alerts).")] = False,
    db: DbOption = None,
) -> None:
    """Import exam outcomes in bulk: the records the workspace writes, with the exam decision each implies
    when none is stored (picked as that day's queue picked the shipment, else 'imported'), all audited.

    Importing the same file twice changes nothing: an outcome already stored (same shipment, result and
    examined_at) is skipped. A bad row, or one about a shipment never screened or filed by another
    partner, is rejected with its line and field; the good rows beside it are stored.
    Exit codes: 0 imported with no rejects; 3 imported, some rows rejected; 2 nothing imported (bad
    arguments, unreadable file, no good row).
    """
    from interdictor.output import write_rejects
    from interdictor.queue.outcomes import OutcomeFileError, read_outcomes
    from interdictor.screening.assembly import choose_corridors
    from interdictor.store.config import Budgets, port_budgets
    from interdictor.store.decisions import import_outcomes

    if not file.is_file():
        raise fail(f"{file}: no such file")
    try:
        rows, rejected = read_outcomes(file.read_bytes(), file.name)
    except (OSError, OutcomeFileError) as exc:
        raise fail(str(exc)) from exc
    settings = db_settings(db)
    with store_connection(settings) as conn:
        cfg = choose_corridors(conn, settings)
        done = import_outcomes(conn, "cli", rows, cfg=cfg, budgets=Budgets(cfg, port_budgets(conn)),
                               source=file.name, notify=notify)
    if done.seized:  # stored: the live shipments linked to the seizures are assessed again at once
        reassess_linked(settings, done.seized, file.name)
    rejected = sorted([*rejected, *done.rejects], key=lambda r: r.line or 0)
    if rejects is not None:
        write_rejects(rejected, rejects)
        err.print(f"wrote {len(rejected):,} rejects to {rejects}", highlight=False)
    else:
        for r in rejected[:5]:
            err.print(f"  [yellow]reject[/] {escape(f'{r.source} line {r.line}')}{' ' + r.field if r.field else ''}: "
                      f"{escape(r.reason)}", highlight=False)
        if len(rejected) > 5:
            err.print(f"  … and {len(rejected) - 5:,} more (write them all with --rejects PATH)", highlight=False)
    err.print(f"{done.stored:,} outcomes stored ({done.decisions:,} with the exam decision they imply), "
              f"{done.already:,} already stored, {len(rejected):,} rejected"
              + (f"; {done.incidents:,} incidents opened" if notify else ""), highlight=False)
    if done.stored + done.already == 0:
        raise typer.Exit(EXIT_NOTHING)
    raise typer.Exit(EXIT_REJECTS if rejected else EXIT_OK)


def reassess_linked(settings: Settings, seized: list[tuple[str, str]], source: str) -> None:
    """Assess the live shipments linked to these seizures again (one run per partner, the trigger naming the
    seizure, or the file when it holds several) and say how many."""
    import polars as pl

    from interdictor.screening import assemble
    from interdictor.screening.reassess import after_seizures
    from interdictor.store import open_store

    keys = pl.DataFrame(seized, schema={"partner": pl.String, "shipment_id": pl.String}, orient="row").unique(
        maintain_order=True)
    trigger = f"outcome:{keys['partner'][0]}/{keys['shipment_id'][0]}" if keys.height == 1 else \
        f"outcomes:{source} ({keys.height} seizures)"
    store = open_store(settings.resolved_database_url())
    try:
        _, done = after_seizures(store, assemble(settings, store), settings, keys, trigger)
    finally:
        store.close()
    err.print(f"{done.live:,} live shipments linked to the {keys.height:,} seizures assessed again "
              f"({done.asked:,} linked, trigger {trigger})", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``queue`` and ``outcomes`` to the main command line."""
    app.command()(queue)
    app.add_typer(outcomes_app, name="outcomes")


def demo_days(url: str, *, days: int, size: int, seed: int, share: float) -> None:
    """``interdictor demo --days``: the loop over ``days`` generated days in the demo's database, a row a day
    as it ends, then the table of recall in the top 1 % (model and rules, rules alone)."""
    import tempfile

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from interdictor.demo.generate import DEFAULT_DAY
    from interdictor.demo.loop import Day, run_day

    table = Table(title=f"The loop over {days} days of {size:,} shipments (recall of the planted shipments "
                        "in the top 1 % by score)", expand=True)
    for col in ("day", "planted", "screened with", "rules alone", "model + rules", "exams", "found",
                "by the queue", "learned"):
        table.add_column(col, overflow="fold", no_wrap=col == "day",
                         justify="left" if col in ("day", "screened with", "learned") else "right")
    done: list[Day] = []
    with tempfile.TemporaryDirectory() as tmp, Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} days"),
            TextColumn("{task.fields[step]}"), TimeElapsedColumn(), console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task("the loop", total=days, step="")
        for d in range(days):
            def step(what: str, d: int = d) -> None:
                bar.update(task, step=f"day {d + 1}: {what}")

            day = run_day(url, Path(tmp), d, size=size, share=share, seed=seed, start=DEFAULT_DAY, progress=step)
            done.append(day)
            bar.update(task, advance=1)
            if not err.is_terminal:
                err.print(f"day {d + 1} ({day.day.isoformat()}) done", highlight=False)
    for day in done:
        combined = "—" if day.combined is None else f"{day.combined:.0%}"
        if day.combined is not None and day.combined != day.rules:
            combined = f"[{'green' if day.combined > day.rules else 'red'}]{combined}[/]"
        table.add_row(day.day.isoformat(), str(day.planted), day.model, f"{day.rules:.0%}", combined, str(day.exams),
                      str(day.found), str(day.picked_found), escape(day.learned))
    Console().print(table)
    err.print(f"the last learn: {done[-1].learned} — {done[-1].why}", highlight=False)
    with_model = [d for d in done if d.combined is not None]
    if with_model:
        gain = sum(d.combined or 0.0 for d in with_model) / len(with_model) - sum(d.rules for d in with_model) / len(with_model)
        err.print(f"on the {len(with_model)} day(s) screened with a model, recall in the top 1 % moved by "
                  f"{gain:+.1%} on average against rules alone", highlight=False)
    else:
        err.print("no model became active: run more days (--days) or larger ones (--size)", highlight=False)
    err.print(f"the demo's database: {url}\nnext: [bold]interdictor queue --day {done[-1].day.isoformat()} --db "
              f"{url}[/], [bold]interdictor models --db {url}[/]", highlight=False)
