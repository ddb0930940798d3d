"""The ``interdictor`` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from interdictor import __version__
from interdictor.cli_common import check_out, db_settings, err, fail, open_cli_store, store_connection
from interdictor.settings import Settings

app = typer.Typer(
    name="interdictor",
    help="Screen partners' advance shipment data for precursor chemicals, pill presses, listed parties and "
    "routes of concern; rank shipments for examination with reasons a person can check.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_NOTHING, EXIT_REJECTS = 0, 2, 3


def _progress(total: int | None) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=False, disable=not err.is_terminal,
    )


def show_top(results: pl.DataFrame, n: int, console: Console, title: str = "Top targets") -> None:
    """One line per target: the strongest reason in brief (what matched, where), the other codes beside it;
    ``interdictor screen`` writes the full evidence to its result file."""
    from rich import box

    from interdictor.service.views import brief_reason

    table = Table(title=title, box=box.SIMPLE_HEAD, expand=True, pad_edge=False)
    table.add_column("#", justify="right", width=3)
    table.add_column("shipment", no_wrap=True, min_width=13)
    table.add_column("score", justify="right", width=5)
    table.add_column("disposition", width=11)
    table.add_column("strongest reason", no_wrap=True, overflow="ellipsis", ratio=3)
    table.add_column("also", no_wrap=True, overflow="ellipsis", ratio=2)
    colours = {"hold": "bold red", "exam": "red", "review": "yellow", "clear": "green"}
    for i, row in enumerate(results.head(n).iter_rows(named=True), 1):
        reasons = row["reasons"]
        if not isinstance(reasons, list):  # "code:weight:evidence | ..." as in the result file
            reasons = [dict(zip(("code", "weight", "evidence"), r.split(":", 2), strict=False))
                       for r in (reasons or "").split(" | ") if r]
        d = row["disposition"]
        top = brief_reason(reasons[0]) if reasons else ""
        also = ", ".join(str(r.get("code")) for r in reasons[1:])
        table.add_row(str(i), row["shipment_id"], f"{row['score']:.1f}", f"[{colours.get(d, '')}]{d}[/]", top, also)
    console.print(table)


def print_summary(summary: Any, console: Console, db_url: str | None) -> None:
    from interdictor.score.calibration import EXAM_SHARE

    d = summary.dispositions
    console.print(
        f"[bold]{summary.shipments:,}[/] shipments from {summary.rows:,} rows in {summary.seconds:.1f} s "
        f"([bold]{summary.rate:,.0f}[/] shipments/s) — "
        + ", ".join(f"{k}: {d.get(k, 0):,}" for k in ("hold", "exam", "review", "clear")),
        highlight=False,
    )
    if summary.shipments:
        examined = d.get("exam", 0) + d.get("hold", 0)
        if summary.thresholds:
            how = (f"exam thresholds learned from the store's traffic ({summary.thresholds_version}, at most "
                   f"{100 * EXAM_SHARE:g} % by score): "
                   + ", ".join(f"{c or 'no corridor'} {t:.2f}" for c, t in sorted(summary.thresholds.items())))
        else:
            how = "the corridors' exam thresholds: none calibrated yet (`interdictor profiles learn`)"
        console.print(f"recommended for exam or hold: {100 * examined / summary.shipments:.2f} % of the shipments "
                      f"({how}; hard findings always)", highlight=False)
    if summary.rejects:
        console.print(f"[yellow]{summary.rejects:,} rejects[/] ({summary.reject_rows:,} whole rows, the rest single "
                      f"fields); see --rejects for file, line, field and reason", highlight=False)
    for note in summary.notices:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    if summary.outside_corridor:
        console.print(f"{summary.outside_corridor:,} shipments were outside the corridor and left out of the ranking")
    if summary.stored:
        console.print(f"stored as run {summary.run_id} ({summary.new_versions:,} new versions, {summary.amended:,} "
                      f"amendments, {summary.unchanged:,} unchanged) in {db_url}", highlight=False)


def demo_settings(settings: Settings) -> Settings:
    """The demo's own database, made afresh: synthetic traffic never shapes a user's screening (learned
    profiles and history come from what is stored), and the same seed gives the same ranking every run."""
    path = settings.data_dir / "demo.sqlite"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite:///{path}"})


def run_screen(
    file: Path, *, settings: Settings, partner: str, fmt: str | None, profile_name: str | None,
    corridor: str | None, store_it: bool, encoding: str | None, list_reasons: bool,
) -> tuple[pl.DataFrame, Any, list[Any]]:
    """Shared by ``screen`` and ``demo``: read, screen, store; returns (ranked results, summary, rejects)."""
    from interdictor.intake.base import IntakeError, ReadOptions
    from interdictor.intake.dispatch import read_source
    from interdictor.intake.mapping import load_profile
    from interdictor.screening import AssemblyError, ScreenRun, assemble, prefetch
    from interdictor.screening.assembly import named_profile
    from interdictor.store import open_store
    from interdictor.store.db import StoreError

    if not file.exists():
        raise fail(f"{file}: no such file")
    if file.is_dir():
        raise fail(f"{file} is a directory; give a manifest file")
    store = None
    if store_it:
        try:
            store = open_store(settings.resolved_database_url())
        except StoreError as exc:
            raise fail(f"{exc}\n(use --no-store to screen without a database)") from exc
    try:
        try:  # a YAML file the user names, else a shipped or stored profile by name
            profile = ((not Path(profile_name).is_file() and named_profile(store, profile_name))
                       or load_profile(profile_name)) if profile_name else None
        except (IntakeError, ValueError) as exc:
            raise fail(str(exc)) from exc
        with err.status("loading reference data…", spinner="dots") if err.is_terminal else _null():
            try:
                screening = assemble(settings, store)
            except AssemblyError as exc:
                raise fail(str(exc)) from exc
        if corridor is not None:
            try:
                screening.corridors.get(corridor)
            except KeyError as exc:
                raise fail(str(exc.args[0])) from exc
        total = file.stat().st_size
        with _progress(total) as bar, file.open("rb") as fh:
            task = bar.add_task(f"screening {file.name}", total=total, info="")
            opts = ReadOptions(source_name=file.name, encoding=encoding, chunk_rows=settings.chunk_rows,
                               progress=lambda n: bar.advance(task, n))
            try:
                detected, chunks = read_source(fh, fmt, opts, profile)
            except IntakeError as exc:
                raise fail(str(exc)) from exc
            with ScreenRun(screening, partner=partner, source=file.name, fmt=detected, store=store,
                           corridor=corridor, list_reasons=list_reasons, write_behind=True) as run:
                try:
                    for chunk in prefetch(chunks):
                        run.add(chunk)
                        s = run.summary
                        elapsed = max(bar.tasks[0].elapsed or 1e-9, 1e-9)
                        bar.update(task, info=f"{s.shipments:,} shipments · {s.shipments / elapsed:,.0f}/s · {s.rejects:,} rejects")
                except IntakeError as exc:
                    raise fail(str(exc)) from exc
                bar.update(task, completed=total)
                results = run.finish()
        return results, run.summary, run.rejects
    except StoreError as exc:
        raise fail(str(exc)) from exc
    finally:
        if store is not None:
            store.close()


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="Manifest to screen (CSV, JSON Lines, or a partner format).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write ranked results here; format by extension: .csv, .parquet, .jsonl. Without it: CSV to stdout when piped, a table of top targets on a terminal.")] = None,
    partner: Annotated[str, typer.Option(help="Filer recorded as provenance.")] = "cli",
    profile: Annotated[str | None, typer.Option(help="Column-mapping profile: a shipped name or a YAML file.")] = None,
    corridor: Annotated[str | None, typer.Option(help="Rank only shipments of this corridor (e.g. san-diego).")] = None,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows and fields (file, line, field, reason) here (.csv or .jsonl).")] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Screen without writing the database.")] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="Override format detection (manifest-csv, manifest-jsonl, fwb, fhl, xfwb, ...).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of the file when it is not UTF-8 (e.g. gb18030, cp1252).")] = None,
    db: Annotated[str | None, typer.Option(help="Database URL (default: INTERDICTOR_DATABASE_URL or the embedded SQLite file).")] = None,
    top: Annotated[int, typer.Option(help="How many top targets to show on the terminal.")] = 15,
    ruleset: Annotated[str | None, typer.Option(help="Rule set to screen with, NAME or NAME-vN, stored or shipped (default: INTERDICTOR_RULESET, else the store's active version, else the shipped default).")] = None,
) -> None:
    """Screen a manifest: one ranked, explained row per shipment.

    Exit codes: 0 screened with no rejects; 3 screened, some rows or fields rejected (results still
    written); 2 nothing screened (bad arguments, unreadable file).
    """
    from interdictor.output import csv_text, write_rejects, write_results

    settings = db_settings(db)
    if ruleset is not None:
        settings = settings.with_ruleset(ruleset)
    check_out(out)
    list_reasons = out is not None and out.suffix.lower() in (".parquet", ".jsonl")
    results, summary, rejected = run_screen(
        file, settings=settings, partner=partner, fmt=fmt, profile_name=profile, corridor=corridor,
        store_it=not no_store, encoding=encoding, list_reasons=list_reasons,
    )
    if out is not None:
        write_results(results, out)
        err.print(f"wrote {results.height:,} ranked rows to {out}", highlight=False)
    elif not sys.stdout.isatty():
        sys.stdout.write(csv_text(results))
    else:
        show_top(results, top, Console())
    if rejects is not None:
        write_rejects(rejected, rejects)
        err.print(f"wrote {len(rejected):,} rejects to {rejects}", highlight=False)
    elif rejected:
        for r in rejected[:5]:
            where = f"line {r.line}" if r.line is not None else "file"
            err.print(f"  [yellow]reject[/] {r.source} {where}{' ' + r.field if r.field else ''}: {r.reason}", highlight=False)
        if len(rejected) > 5:
            err.print(f"  … and {len(rejected) - 5:,} more (write them all with --rejects PATH)", highlight=False)
    print_summary(summary, err, Settings.model_validate(settings.model_dump()).resolved_database_url() if summary.stored else None)
    if summary.shipments == 0:
        raise typer.Exit(EXIT_NOTHING)
    raise typer.Exit(EXIT_REJECTS if summary.rejects else EXIT_OK)


@app.command()
def demo(
    size: Annotated[int | None, typer.Option(help="Shipments in each generated day (default: 50,000 for one day, "
                                                  "2,000 a day with --days).", min=1)] = None,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same day.")] = 7,
    top: Annotated[int, typer.Option(help="How many top targets to show.")] = 15,
    days: Annotated[int, typer.Option(help="Run the loop over this many days instead: each day screened (with the "
                                           "model learned so far, and by rules alone to compare), its queue "
                                           "examined with simulated outcomes, then `learn`; prints each day's recall "
                                           "in the top 1 %.", min=0, max=60)] = 0,
    planted: Annotated[float, typer.Option(help="With --days: the share of each day's shipments planted as "
                                                "precursor cases (what the exams can find).", min=0.0, max=0.5)] = 0.01,
    db: Annotated[str | None, typer.Option(help="Database URL to store the demo in (default: a demo database of its own, made afresh each run, never your screening database).")] = None,
    keep: Annotated[Path | None, typer.Option(help="Also keep the generated manifest at this path.")] = None,
) -> None:
    """Generate a realistic day of corridor traffic, screen it on a database of its own, show the top targets.
    With --days N: the loop over N days (screen, queue, exams, outcomes, learn) and how recall moves."""
    import tempfile

    try:
        from interdictor.demo.generate import generate_manifest
    except ImportError as exc:  # pragma: no cover - the generator ships with the package
        raise fail(f"the demo generator is not installed: {exc}") from exc
    settings = db_settings(db) if db else demo_settings(Settings())
    if days:
        from interdictor.cli_loop import demo_days

        demo_days(settings.resolved_database_url(), days=days, size=size or 2_000, seed=seed, share=planted)
        return
    size = size or 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / f"demo-day-seed{seed}.csv"
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
                      TimeElapsedColumn(), console=err, disable=not err.is_terminal) as bar:
            task = bar.add_task("generating traffic", total=size)
            stats = generate_manifest(path, size=size, seed=seed, progress=lambda n: bar.update(task, completed=n))
        kept = f" → {path}" if keep else ""
        err.print(f"generated {stats.shipments:,} shipments ({stats.rows:,} item rows){kept}", highlight=False)
        results, summary, _ = run_screen(
            path, settings=settings, partner="demo", fmt="manifest-csv", profile_name=None, corridor=None,
            store_it=True, encoding=None, list_reasons=False,
        )
    show_top(results, top, Console(), title=f"Top {top} targets of {summary.shipments:,} shipments")
    print_summary(summary, err, settings.resolved_database_url())
    err.print("next: [bold]interdictor screen YOUR_MANIFEST.csv --out ranked.csv[/]", highlight=False)


@app.command()
def rules(
    name: Annotated[str, typer.Option(help="Rule set name.")] = "default",
    version: Annotated[int | None, typer.Option(help="Version (latest when omitted).")] = None,
    export: Annotated[Path | None, typer.Option(help="Write the rule set as one YAML file (the import/export format).")] = None,
) -> None:
    """Show a shipped rule set: every reason code, its weight, floor/cap and meaning."""
    from interdictor.score.rules import RuleSetError, dump_ruleset, load_ruleset

    try:
        rs = load_ruleset(name, version)
    except RuleSetError as exc:
        raise fail(str(exc)) from exc
    if export is not None:
        export.write_text(dump_ruleset(rs), encoding="utf-8")
        err.print(f"wrote {rs.label} to {export}")
        return
    table = Table(title=f"rule set {rs.label}", expand=True)
    for col in ("code", "weight", "floor/cap", "meaning"):
        table.add_column(col, overflow="fold")
    for code, r in sorted(rs.rules.items()):
        fc = ", ".join(x for x in (f"floor {r.floor}" if r.floor else "", f"cap {r.cap}" if r.cap else "") if x)
        table.add_row(code, f"{r.weight:g}", fc, r.description)
    Console().print(table)


@app.command()
def corridors(
    db: Annotated[str | None, typer.Option(help="Database URL whose corridor overrides apply (default: INTERDICTOR_DATABASE_URL or the embedded SQLite file).")] = None,
) -> None:
    """List the corridors screening uses: ports, thresholds and exam budgets (with the store's overrides)."""
    from interdictor.screening.assembly import choose_corridors

    settings = db_settings(db)
    with store_connection(settings) as conn:
        cfg = choose_corridors(conn, settings)
    table = Table(title=f"corridors (v{cfg.version})", expand=True)
    for col in ("name", "ports", "review/exam/hold", "exams/day", "explore"):
        table.add_column(col, overflow="fold")
    for c in cfg.all:
        t = c.thresholds
        table.add_row(c.name, " ".join(sorted(c.ports)) or "(all others)", f"{t.review:g}/{t.exam:g}/{t.hold:g}",
                      str(c.exam_budget_per_day), f"{c.exploration_share:.0%}")
    Console().print(table)


@app.command()
def runs(
    last: Annotated[int, typer.Option(help="How many of the latest runs to show.", min=1, max=10_000)] = 20,
    db: Annotated[str | None, typer.Option(help="Database URL (default: INTERDICTOR_DATABASE_URL or the embedded SQLite file).")] = None,
) -> None:
    """List the latest screening runs and how each ended: running, done, failed (with why) or interrupted."""
    from interdictor.store import repo

    with store_connection(db_settings(db)) as conn:
        rows = repo.recent_runs(conn, last)
    table = Table(title=f"the latest {len(rows)} runs", expand=True)
    for col in ("started (UTC)", "partner", "source", "shipments", "rejects", "status"):
        table.add_column(col, overflow="fold")
    colours = {"done": "green", "running": "cyan", "failed": "bold red", "interrupted": "yellow"}
    for r in rows:
        status = f"[{colours.get(r['status'], '')}]{r['status']}[/]" + (f": {r['error']}" if r["error"] else "")
        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        table.add_row(started, r["partner"], r["source"], f"{r['shipments'] or 0:,}", f"{r['rejects'] or 0:,}", status)
    Console().print(table)


@app.command()
def db(
    url: Annotated[str | None, typer.Option("--db", help="Database URL (default: the embedded SQLite file).")] = None,
) -> None:
    """Create or migrate the database and show where it is."""
    store = open_cli_store(db_settings(url))
    err.print(f"database ready: {store.safe_url} ({store.dialect})", highlight=False)
    store.close()


def _register_areas() -> None:
    """Commands owned by each area's own module."""
    from interdictor import (
        cli_alerts,
        cli_archive,
        cli_goods,
        cli_learn,
        cli_lists,
        cli_loop,
        cli_network,
        cli_notices,
        cli_profiles,
        cli_service,
        cli_spark,
        cli_stream,
    )

    app.add_typer(cli_lists.app, name="lists")
    app.add_typer(cli_profiles.app, name="profiles")
    cli_service.register(app)
    app.add_typer(cli_goods.kb_app, name="kb")
    app.add_typer(cli_goods.registry_app, name="registry")
    cli_stream.register(app)
    cli_learn.register(app)
    cli_loop.register(app)
    cli_alerts.register(app)
    app.add_typer(cli_network.app, name="network")
    cli_spark.register(app)
    app.add_typer(cli_notices.app, name="notifications")
    cli_archive.register(app)


_register_areas()


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"interdictor {__version__}")
        raise typer.Exit(0)


def main() -> None:
    os.environ.setdefault("POLARS_MAX_THREADS", str(os.cpu_count() or 2))
    app()


if __name__ == "__main__":
    main()
