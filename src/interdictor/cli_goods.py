"""``interdictor kb`` (the goods knowledge base) and ``interdictor registry`` (registrants and
notified transactions)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from interdictor.cli_common import db_settings, err, fail, store_connection
from interdictor.settings import Settings

kb_app = typer.Typer(
    help="The goods knowledge base: precursors, designer relatives, equipment, HS headings. List, search, show.",
    no_args_is_help=True,
)
registry_app = typer.Typer(
    help="DEA registrants and notified transactions (Forms 486, 357, 452): import and list. A controlled good "
    "matching a notified transaction of a registered importer is kept at review; without one it is held.",
    no_args_is_help=True,
)
out = Console()
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: the embedded SQLite file).")]


# ------------------------------------------------------------------------------------------------ kb


@kb_app.command("list")
def kb_list(
    kind: Annotated[str, typer.Option("--kind", help="substances | equipment | headings")] = "substances",
    tier: Annotated[str | None, typer.Option("--tier", help="Only this tier: controlled, designer, watch, "
                                              "context, lookalike, drug.")] = None,
    family: Annotated[str | None, typer.Option("--family", help="Only this family: fentanyl, methamphetamine, mdma.")] = None,
) -> None:
    """List the knowledge base."""
    from interdictor.reference.kb import load_kb

    kb = load_kb()
    if kind == "substances":
        table = Table(title=f"substances ({kb.version})", expand=True)
        for col in ("id", "name", "CAS", "HS", "tier", "status"):
            table.add_column(col, overflow="fold")
        for s in kb.substances:
            if (tier and s.tier != tier) or (family and s.family != family):
                continue
            table.add_row(s.id, s.name, s.cas or "—", s.hs or "—", s.tier, s.status())
    elif kind == "equipment":
        table = Table(title=f"equipment ({kb.version})", expand=True)
        for col in ("id", "name", "HS", "licence", "models", "declared instead as"):
            table.add_column(col, overflow="fold")
        for e in kb.equipment:
            models = ", ".join(e.models.series) if e.models else "—"
            declared = "; ".join(", ".join(d.words) + ("" if d.verified else " (unverified)") for d in e.declared_as)
            table.add_row(e.id, e.name, ", ".join(e.hs), e.licence or "—", models, declared or "—")
    elif kind == "headings":
        table = Table(title=f"HS headings ({kb.version})", expand=True)
        for col in ("code", "role", "what", "names"):
            table.add_column(col, overflow="fold")
        for code, h in sorted(kb.headings.items()):
            table.add_row(code, h.role, h.title, h.substance or h.equipment or "—")
    else:
        raise fail(f"--kind must be substances, equipment or headings, not {kind!r}")
    out.print(table)


@kb_app.command("search")
def kb_search(
    query: Annotated[str, typer.Argument(help="A name, synonym, abbreviation, CAS number, HS code, Chinese name, "
                                         "SMILES or a whole item description.")],
) -> None:
    """Search the knowledge base the way screening reads a description (typos and tricks included)."""
    from interdictor.model import Batch
    from interdictor.reference.kb import hs_dotted, load_kb
    from interdictor.screen.goods import build_goods_context, detect_goods
    from interdictor.screen.goods.structure import find_opsin

    kb = load_kb()
    g = build_goods_context(kb, names=find_opsin(getattr(Settings(), "opsin_jar", None)))
    hs = hs_dotted(query) if query.replace(".", "").replace(" ", "").isdigit() else None
    batch = Batch.build(
        pl.DataFrame({"shipment_id": ["q"]}),
        pl.DataFrame({"shipment_id": ["q"], "item": [0], "description": [query],
                      "hs_code": [hs.replace(".", "") if hs else None]}),
    )
    reasons = detect_goods(batch, g).filter(~pl.col("code").str.starts_with("LICENCE"))
    if reasons.is_empty():
        needle = query.strip().lower()
        hits = [s for s in kb.substances if needle in " ".join((s.id, s.name, *s.synonyms, *s.abbreviations)).lower()]
        if not hits:
            err.print(f"nothing in the knowledge base matches {query!r}", highlight=False)
            raise typer.Exit(1)
        for s in hits:
            out.print(f"[bold]{s.id}[/]  {s.name}  CAS {s.cas or '—'}  HS {s.hs or '—'}  {s.tier}: {s.status()}",
                      highlight=False)
        return
    for code, ev in reasons.select("code", "evidence").iter_rows():
        out.print(f"[bold]{code}[/]  {ev}", highlight=False)


@kb_app.command("show")
def kb_show(item_id: Annotated[str, typer.Argument(help="A substance or equipment id (see `kb list`).")]) -> None:
    """Everything the knowledge base holds on one substance or piece of equipment."""
    from interdictor.reference.kb import load_kb

    kb = load_kb()
    if item_id in kb.by_id:
        s = kb.by_id[item_id]
        rows = [("name", s.name), ("tier", s.tier), ("family", s.family), ("CAS", ", ".join(s.all_cas()) or "—"),
                ("SMILES", s.smiles), ("HS", s.hs or "—"), ("abbreviations", ", ".join(s.abbreviations) or "—"),
                ("ambiguous abbreviations", ", ".join(s.abbreviations_ambiguous) or "—"),
                ("synonyms", "; ".join(s.synonyms) or "—"), ("Chinese", ", ".join(s.names_zh) or "—"),
                ("control", "\n".join(c.label() for c in s.control) or "not listed"),
                ("import licence", s.licence or "—"),
                ("leads to", ", ".join(s.leads_to) or "—"), ("note", s.note or "—")]
    else:
        try:
            e = kb.equipment_by_id(item_id)
        except StopIteration:
            raise fail(f"no substance or equipment {item_id!r}; see `interdictor kb list`") from None
        rows = [("name", e.name), ("kind", e.kind), ("HS", ", ".join(e.hs)), ("licence", e.licence or "—"),
                ("HS note", e.hs_note or "—"), ("Chinese", ", ".join(e.names_zh) or "—"),
                ("model series", ", ".join(e.models.series) if e.models else "—"),
                ("phrases", f"{len(e.all_phrases())} generated, e.g. " + ", ".join(e.all_phrases()[:6]))]
    table = Table(show_header=False, expand=True)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for k, v in rows:
        table.add_row(k, v)
    out.print(table)


# ------------------------------------------------------------------------------------------ registry


def _conn(db: str | None) -> AbstractContextManager[Connection]:
    return store_connection(db_settings(db))


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="A registrants or transactions CSV (columns: docs/registry.md).",
                                         exists=True, dir_okay=False, readable=True)],
    kind: Annotated[str | None, typer.Option("--kind", help="registrants | transactions (default: from the "
                                             "columns).")] = None,
    db: DbOption = None,
) -> None:
    """Import registrants or notified transactions; rows with the same key replace earlier ones.

    Exit 0 when every row was imported, 3 when some rows were rejected (they are listed), 2 when nothing
    could be imported.
    """
    from interdictor.reference.kb import load_kb
    from interdictor.screen.goods.registry_file import read_registry
    from interdictor.store.goods import import_registry

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {file}: {exc}") from exc
    parsed = read_registry(text, load_kb(), kind)
    for p in parsed.problems[:50]:
        err.print(f"[yellow]{file.name}:[/] {p}", highlight=False)
    if len(parsed.problems) > 50:
        err.print(f"... and {len(parsed.problems) - 50} more problems", highlight=False)
    if parsed.frame.is_empty():
        raise fail(f"nothing imported from {file}")
    rows = parsed.frame.with_columns(
        pl.lit(datetime.now(UTC)).alias("imported_at"), pl.lit(str(file.name)).alias("source")
    ).to_dicts()
    with _conn(db) as conn:
        total = import_registry(conn, parsed.kind, rows)
    err.print(f"imported {len(rows)} {parsed.kind} from {file.name}; {total} on record", highlight=False)
    if parsed.problems:
        raise typer.Exit(3)


@registry_app.command("list")
def registry_list(
    kind: Annotated[str, typer.Option("--kind", help="registrants | transactions")] = "transactions",
    goods: Annotated[str | None, typer.Option("--goods", help="Only transactions of this knowledge-base id.")] = None,
    db: DbOption = None,
) -> None:
    """Show registrants or notified transactions on record."""
    from interdictor.store.goods import registry

    with _conn(db) as conn:
        reg = registry(conn)
    frame = reg.registrants if kind == "registrants" else reg.transactions
    if kind not in ("registrants", "transactions"):
        raise fail("--kind must be registrants or transactions")
    if goods and kind == "transactions":
        frame = frame.filter(pl.col("goods") == goods)
    table = Table(title=f"{kind}: {frame.height}", expand=True)
    for col in frame.columns:
        table.add_column(col, overflow="fold")
    for row in frame.head(500).iter_rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)
