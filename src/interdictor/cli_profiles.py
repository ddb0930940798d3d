"""``interdictor profiles``: column-mapping profiles stored in the database, for the API to use by name; and
the goods profiles learned from the store's own traffic (``learn``, ``learned``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interdictor.cli_common import db_settings, fail, store_connection
from interdictor.intake.base import IntakeError

app = typer.Typer(help="Column-mapping profiles: the shipped ones and those stored for the API (by name). "
                  "Goods profiles: what goods of each HS code and each family of goods weigh and cost, learned from "
                  "the store's traffic (learn, learned).", no_args_is_help=True)
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


@app.command("learn")
def learn(
    days: Annotated[float, typer.Option("--days", min=0.0, help="Learn from the current lines and assessments received in the last "
                                        "DAYS days (0: all).")] = 90.0,
    min_n: Annotated[int, typer.Option("--min-n", min=1, help="Lines a code or family needs before its learned "
                                       "profile replaces the built-in prior.")] = 30,
    actor: Annotated[str, typer.Option("--actor", help="Who learns it (recorded in the audit log).")] = "cli",
    db: DbOption = None,
) -> None:
    """Learn goods profiles — weight per unit and per piece, value per kg, pieces per shipment, per HS code and
    per family of goods the words name — and each corridor's calibrated exam threshold (the score the top
    2 % of its recent assessments reach, hard findings left out) from the stored traffic, as the next version;
    screening uses the latest and records its version with every assessment."""
    from interdictor.score.calibration import MIN_N
    from interdictor.screening.loaders import learn_profiles

    settings = db_settings(db)
    with store_connection(settings, errors=(IntakeError,)) as conn:
        version, n = learn_profiles(conn, settings, actor=actor, days=days or None, min_n=min_n)
    out.print(f"learned profile set {version} from {n['lines']:,} lines: {n['codes']:,} HS code prefixes and "
              f"{n['families']:,} families of goods with at least {min_n} lines (the rest keep the built-in priors)",
              highlight=False)
    out.print(f"calibrated exam thresholds for {n['corridors']:,} corridors from {n['scores']:,} assessments "
              f"(a corridor needs {MIN_N:,}; the rest keep their own thresholds)", highlight=False)


@app.command("learned")
def learned(
    version: Annotated[int | None, typer.Option("--version", help="Show this set's family profiles "
                                                "(default: list the sets).")] = None,
    db: DbOption = None,
) -> None:
    """The learned goods profile sets (newest first), or one set's profiles per family of goods."""
    from interdictor.store.learned import list_sets, set_rows

    with store_connection(db_settings(db), errors=(IntakeError,)) as conn:
        if version is None:
            rows = list_sets(conn)
            table = Table(expand=True)
            for col in ("version", "learned", "from lines", "codes", "families", "min n", "calibrated corridors"):
                table.add_column(col)
            for r in rows:
                table.add_row(str(r["version"]), f"{r['created_at']:%Y-%m-%d %H:%M} {r['created_by']}",
                              f"{r['lines']:,}", str(r["codes"]), str(r["families"]), str(r["min_n"]),
                              str(r["corridors"]))
            out.print(table if rows else "no learned profile set yet: screening uses the built-in priors "
                      "(run `interdictor profiles learn`)")
            return
        found = set_rows(conn, version)
    if found is None:
        raise fail(f"there is no learned profile set {version}")
    table = Table(title=f"learned profile set {version}: families of goods", expand=True)
    for col in ("family", "metric", "median", "typical range", "lines"):
        table.add_column(col)
    for kind, key, metric, med, spread, n in found.sort("kind", "key", "metric").iter_rows():
        if kind != "family":
            continue
        table.add_row(key, metric, f"{10 ** med:.3g}", f"{10 ** (med - spread):.3g}–{10 ** (med + spread):.3g}", f"{n:,}")
    out.print(table)
