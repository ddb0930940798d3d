"""Learning on the command line: ``interdictor evaluate`` (how well a model ranks any labelled
declarations file, beside two baselines), ``interdictor learn`` (the risk model trained on stored exam
outcomes) and ``interdictor models`` (its versions, which one screens)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from interdictor.cli_common import db_settings, err, fail, store_connection

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: INTERDICTOR_DATABASE_URL or the "
                                                           "embedded SQLite file).")]
models_app = typer.Typer(help="Risk model versions trained by `interdictor learn`: list, activate, deactivate.",
                         invoke_without_command=True)


def read_table(path: Path) -> pl.DataFrame:
    """A CSV (any delimiter polars detects from the name: .tsv is tab-separated) or a Parquet file;
    dates in ISO form are read as dates."""
    if not path.is_file():
        raise fail(f"{path}: no such file")
    with path.open("rb") as fh:
        parquet = fh.read(4) == b"PAR1"
    try:
        if parquet:
            return pl.read_parquet(path)
        separator = "\t" if path.suffix.lower() == ".tsv" else ","
        return pl.read_csv(path, separator=separator, try_parse_dates=True, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError) as exc:
        kind = "Parquet" if parquet else "CSV"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(f"{path}: cannot read it as {kind}: {first}") from exc


def show(report: dict[str, object], shares: tuple[int, ...], console: Console) -> None:
    """The three rankings side by side: precision / recall at each share of the test rows."""
    rows = report["rows"]
    assert isinstance(rows, dict)
    names = ("model", "random", "lookup")
    table = Table(title=f"precision / recall in the top k % of {rows['test']:,} test rows "
                        f"(trained on {rows['train']:,})")
    table.add_column("top", justify="right")
    for name in names:
        table.add_column(name, justify="center")
    for share in shares:
        cells = []
        for name in names:
            figures = report[name]
            assert isinstance(figures, dict)
            cells.append(f"{figures[f'precision@{share}%']:.3f} / {figures[f'recall@{share}%']:.3f}")
        table.add_row(f"{share} %", *cells)
    console.print(table)


def evaluate(
    file: Annotated[Path, typer.Argument(help="Labelled declarations, CSV or Parquet: one row per declaration; "
                                              "every column but the label, the time and --drop is a feature.")],
    label: Annotated[str, typer.Option(help="The label column: 1 for a positive (e.g. a seizure), 0 otherwise.")],
    time: Annotated[str, typer.Option(help="The column that orders the rows in time (ISO dates or times).")],
    test_from: Annotated[str, typer.Option(help="Train on the rows before this date (YYYY-MM-DD), test on the rest.")],
    ids: Annotated[list[str] | None, typer.Option(
        "--id", help="An identifier column (importer, declarant, seller …), one per --id: the model sees its "
                     "history from earlier rows, the lookup baseline falls back to it.")] = None,
    drop: Annotated[list[str] | None, typer.Option(
        help="A column to leave out (e.g. a declaration number), one per --drop.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the JSON report here. Without it: the "
                                                                  "JSON on stdout when piped, a table on a terminal.")] = None,
) -> None:
    """Evaluate ranking on your own labelled data: precision and recall in the top 1, 2, 5 and 10 %
    of the test rows for a LightGBM model, a random ranking and a lookup (memorisation) baseline.

    The lookup baseline scores a test row by the training label rate of its exact feature tuple,
    else of its first --id value seen in training. No feature sees a test-period label, nor a row's
    own label or a later one. The same file gives the same report on any machine.

    Exit codes: 0 evaluated; 2 nothing evaluated (bad arguments, unreadable file, a label that is
    not 0/1, an empty training or test period), and no report written.
    """
    from interdictor.learn.evaluate import evaluate as run
    from interdictor.learn.metrics import SHARES
    from interdictor.learn.table import EvaluateError, Spec, parse_test_from

    if out is not None and out.is_dir():
        raise fail(f"--out {out} is a folder: give the path of the report file")
    if out is not None and not out.parent.is_dir():
        raise fail(f"--out {out}: the folder {out.parent} does not exist")
    try:
        spec = Spec(label, time, parse_test_from(test_from), tuple(ids or ()), tuple(drop or ()))
    except EvaluateError as exc:
        raise fail(str(exc)) from exc
    frame = read_table(file)
    err.print(f"read {frame.height:,} rows × {frame.width} columns from {file}", highlight=False)
    try:
        report = run(frame, spec, progress=lambda line: err.print(line, highlight=False)).to_json()
    except EvaluateError as exc:
        raise fail(str(exc)) from exc
    text = json.dumps(report, indent=2) + "\n"
    if out is not None:
        partial = out.with_name(out.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(out)
        err.print(f"wrote the report to {out}", highlight=False)
        if err.is_terminal:
            show(report, SHARES, err)
    elif sys.stdout.isatty():
        show(report, SHARES, Console())
    else:
        sys.stdout.write(text)


def learn(
    activate: Annotated[bool, typer.Option("--activate", help="Make the new model active even when it validates "
                                                              "worse than what screens today.")] = False,
    db: DbOption = None,
) -> None:
    """Train the risk model on every stored exam outcome and store it as a new model version.

    Features: the detectors' reasons, the shipment's own fields, the words of its descriptions and the
    history of its shipper, consignee, return address, phone and e-mail (shipments, exams and seizures
    before it). Exams are weighed by how they were picked (random exploration most). Validation is
    time-ordered: a model trained on the older outcomes ranks the newest period; the new version becomes
    active only when its recall in the top 1 % is no lower than the active model's (or rules alone when
    none is active), or with --activate.

    Exit codes: 0 a version was stored (active or not); 2 nothing stored (no outcomes that found
    something, no database).
    """
    from interdictor import __version__
    from interdictor.learn.loop import ModelError
    from interdictor.store import models

    with store_connection(db_settings(db), errors=(ModelError,)) as conn:
        done = models.learn(conn, "cli", activate=activate, code_version=__version__)
    for note in (*done.notes, done.why):
        err.print(note, highlight=False)
    state = ("active" + (" (forced with --activate)" if done.forced else "")) if done.active else \
        "stored, not active: it does not validate better than what screens today (--activate forces it)"
    err.print(f"model v{done.version}: {state}", highlight=False)


@models_app.callback()
def models_list(ctx: typer.Context, db: DbOption = None) -> None:
    """List the model versions, newest first: when trained, on what, how it validated, which is active."""
    if ctx.invoked_subcommand is not None:
        return
    from interdictor.store import models

    with store_connection(db_settings(db)) as conn:
        rows = models.list_models(conn)
    if not rows:
        err.print("no model versions yet: train one with `interdictor learn`", highlight=False)
        return
    table = Table(title="risk model versions")
    for col in ("version", "active", "trained", "outcomes", "found", "recall@1% model / rules"):
        table.add_column(col)
    for r in rows:
        card = r["card"] or {}
        data = card.get("data") or {}
        v = (card.get("validation") or {}).get("recall@1%") or {}
        recall = f"{v['model']:.3f} / {v['rules']:.3f}" if v else "not validated"
        table.add_row(str(r["version"]), "yes" if r["active"] else "", f"{r['created_at']:%Y-%m-%d %H:%M}",
                      str(data.get("labelled", "")), str(data.get("found", "")), recall)
    Console(width=120).print(table)


@models_app.command("activate")
def models_activate(version: Annotated[int, typer.Argument(help="The model version to screen with.")],
                    db: DbOption = None) -> None:
    """Screen with model VERSION from now on (it is checked first: a model that cannot load is refused).

    Exit codes: 0 activated; 2 no such version, or it cannot be used."""
    from interdictor.learn.loop import ModelError
    from interdictor.store import models

    with store_connection(db_settings(db), errors=(ModelError,)) as conn:
        models.activate(conn, "cli", version)
    err.print(f"model v{version} is active", highlight=False)


@models_app.command("deactivate")
def models_deactivate(db: DbOption = None) -> None:
    """Screen with rules alone from now on (the model versions stay stored)."""
    from interdictor.store import models

    with store_connection(db_settings(db)) as conn:
        version = models.deactivate(conn, "cli")
    err.print(f"model v{version} deactivated: screening is rules alone" if version is not None
              else "no model was active: screening is rules alone", highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(evaluate)
    app.command()(learn)
    app.add_typer(models_app, name="models")
