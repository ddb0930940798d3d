"""Read registrant and notified-transaction files (CSV) into registry frames — every problem reported.

Columns are documented in ``docs/registry.md``.  A file is a registrants file when it has an
``activities`` column, a transactions file when it has ``transaction_id``.  Bad rows are reported with
their line and field and left out; good rows go on.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.licence import ACTIVITY_FOR, REGISTRANT_SCHEMA, TRANSACTION_SCHEMA

FORMS = ("486", "357", "452")
ACTIVITIES = tuple(ACTIVITY_FOR.values())
REGISTRANT_REQUIRED = ("registration", "name", "activities")
TRANSACTION_REQUIRED = ("transaction_id", "form", "registration", "importer", "goods")


@dataclass
class RegistryFile:
    kind: str  # registrants | transactions
    frame: pl.DataFrame
    problems: list[str] = field(default_factory=list)


def goods_ids(kb: KnowledgeBase) -> dict[str, str]:
    """Every knowledge-base id, name, abbreviation and synonym (lower case) → the id."""
    out: dict[str, str] = {}
    for e in kb.equipment:
        out.setdefault(e.id, e.id)
        out.setdefault(e.name.lower(), e.id)
        out.setdefault(e.name.lower().split(" (")[0], e.id)
    for s in kb.substances:
        for n in (s.id, s.name, *s.abbreviations, *s.synonyms, *s.names_zh):
            out.setdefault(n.lower(), s.id)
        if s.cas:
            out.setdefault(s.cas, s.id)
    return out


def _date(v: str, line: int, col: str, problems: list[str]) -> date | None:
    v = v.strip()
    if not v:
        return None
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        problems.append(f"line {line}, field {col}: {v!r} is not a date (use YYYY-MM-DD)")
        raise


def _float(v: str, line: int, col: str, problems: list[str]) -> float | None:
    v = v.strip()
    if not v:
        return None
    try:
        x = float(v)
    except ValueError:
        problems.append(f"line {line}, field {col}: {v!r} is not a number")
        raise
    if x < 0:
        problems.append(f"line {line}, field {col}: {v!r} is negative")
        raise ValueError(v)
    return x


def read_registry(text: str, kb: KnowledgeBase, kind: str | None = None) -> RegistryFile:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    cols = [c.strip().lower() for c in (reader.fieldnames or [])]
    if kind is None:
        kind = "transactions" if "transaction_id" in cols else "registrants" if "activities" in cols else ""
    if kind not in ("registrants", "transactions"):
        return RegistryFile("unknown", pl.DataFrame(), [
            "cannot tell the file kind: a registrants file has an 'activities' column, a transactions file a "
            "'transaction_id' column (see docs/registry.md)"])
    required = REGISTRANT_REQUIRED if kind == "registrants" else TRANSACTION_REQUIRED
    missing = [c for c in required if c not in cols]
    if missing:
        return RegistryFile(kind, pl.DataFrame(), [f"missing required column(s): {', '.join(missing)}"])
    ids = goods_ids(kb)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, raw in enumerate(reader, start=2):
        r = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        empty = [c for c in required if not r.get(c)]
        if empty:
            problems.append(f"line {i}: empty required field(s) {', '.join(empty)}")
            continue
        try:
            if kind == "registrants":
                acts = [a.strip() for a in r["activities"].replace(",", ";").split(";") if a.strip()]
                bad = [a for a in acts if a not in ACTIVITIES]
                if bad:
                    problems.append(f"line {i}, field activities: unknown {', '.join(bad)} (use {', '.join(ACTIVITIES)})")
                    continue
                rows.append({
                    "registration": r["registration"], "name": r["name"], "city": r.get("city") or None,
                    "state": r.get("state") or None, "country": (r.get("country") or "").upper() or None,
                    "activities": ";".join(acts),
                    "valid_from": _date(r.get("valid_from", ""), i, "valid_from", problems),
                    "valid_to": _date(r.get("valid_to", ""), i, "valid_to", problems),
                })
            else:
                form = r["form"].upper().removeprefix("DEA").removeprefix("FORM").strip(" -")
                if form not in FORMS:
                    problems.append(f"line {i}, field form: {r['form']!r} is not one of {', '.join(FORMS)}")
                    continue
                goods = ids.get(r["goods"].lower())
                if goods is None:
                    problems.append(f"line {i}, field goods: {r['goods']!r} is not a knowledge-base id or name "
                                    "(see `interdictor kb list`)")
                    continue
                rows.append({
                    "transaction_id": r["transaction_id"], "form": form, "registration": r["registration"],
                    "importer": r["importer"], "goods": goods,
                    "quantity_kg": _float(r.get("quantity_kg", ""), i, "quantity_kg", problems),
                    "units": _float(r.get("units", ""), i, "units", problems),
                    "filed_on": _date(r.get("filed_on", ""), i, "filed_on", problems),
                    "arrival_from": _date(r.get("arrival_from", ""), i, "arrival_from", problems),
                    "arrival_to": _date(r.get("arrival_to", ""), i, "arrival_to", problems),
                    "exporter": r.get("exporter") or None, "port": r.get("port") or None,
                })
        except ValueError:
            continue
    schema = REGISTRANT_SCHEMA if kind == "registrants" else TRANSACTION_SCHEMA
    frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    key = "registration" if kind == "registrants" else "transaction_id"
    dupes = frame.filter(pl.col(key).is_duplicated())[key].unique().to_list()
    if dupes:
        problems.append(f"{key} repeated in the file (the last row wins): {', '.join(map(str, dupes[:10]))}")
        frame = frame.unique(key, keep="last", maintain_order=True)
    return RegistryFile(kind, frame, problems)
