"""Read pre-notifications (a CSV, or one posted through the API) into registry rows — every problem named
with its line and field, the good rows kept.

Columns (``docs/registry.md``): ``reference, exporter, exporter_country, importer, importer_country, goods,
quantity, unit, arrival_from, arrival_to`` and optionally ``port``.  ``goods`` is a knowledge-base id,
name, synonym or CAS number; it is stored as the knowledge-base id screening assigns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from interdictor.screen.goods.notified import UNITS, unit_of

REQUIRED = ("reference", "exporter", "importer", "goods", "quantity", "unit", "arrival_from", "arrival_to")
OPTIONAL = ("exporter_country", "importer_country", "port")
MAX_WINDOW_DAYS = 366
_LONGEST = {"reference": 64, "port": 16, "exporter": 300, "importer": 300}


@dataclass
class NotificationFile:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_notification(raw: dict[str, Any], ids: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """One notification as given (text values) → (the registry row, None on a problem; {field: problem})."""
    r = {k: ("" if v is None else str(v)).strip() for k, v in raw.items()}
    bad: dict[str, str] = {}
    for c in REQUIRED:
        if not r.get(c):
            bad[c] = "is needed"
    for c, most in _LONGEST.items():
        if len(r.get(c, "")) > most:
            bad[c] = f"is longer than {most} characters"
    for c in ("exporter_country", "importer_country"):
        v = r.get(c, "").upper()
        if v and (len(v) != 2 or not v.isalpha()):
            bad[c] = f"{r[c]!r} is not a two-letter country code (ISO 3166-1)"
    goods = ids.get(r.get("goods", "").lower())
    if r.get("goods") and goods is None:
        bad["goods"] = f"{r['goods']!r} is not a knowledge-base id, name or CAS number (see `interdictor kb list`)"
    quantity: float | None = None
    if r.get("quantity"):
        try:
            quantity = float(r["quantity"].replace(",", "."))
            if not 0 < quantity < 1e9:
                bad["quantity"] = f"{r['quantity']!r} must be more than 0"
        except ValueError:
            bad["quantity"] = f"{r['quantity']!r} is not a number"
    unit = unit_of(r.get("unit", "")) if r.get("unit") else None
    if r.get("unit") and unit is None:
        bad["unit"] = f"{r['unit']!r} is not a unit (use {', '.join(sorted({u for u in UNITS if len(u) <= 3}))})"
    days: dict[str, date] = {}
    for c in ("arrival_from", "arrival_to"):
        if r.get(c):
            try:
                days[c] = date.fromisoformat(r[c][:10])
            except ValueError:
                bad[c] = f"{r[c]!r} is not a date (use YYYY-MM-DD)"
    if len(days) == 2:
        span = (days["arrival_to"] - days["arrival_from"]).days
        if span < 0:
            bad["arrival_to"] = f"{days['arrival_to']} is before arrival_from {days['arrival_from']}"
        elif span > MAX_WINDOW_DAYS:
            bad["arrival_to"] = f"the window is {span} days; a notification covers at most {MAX_WINDOW_DAYS}"
    if bad:
        return None, bad
    return {
        "reference": r["reference"], "exporter": r["exporter"], "exporter_country": r.get("exporter_country", "").upper() or None,
        "importer": r["importer"], "importer_country": r.get("importer_country", "").upper() or None,
        "goods": goods, "quantity": quantity, "unit": unit, "arrival_from": days["arrival_from"],
        "arrival_to": days["arrival_to"], "port": r.get("port", "").upper() or None,
    }, {}


def read_notifications(text: str, ids: dict[str, str]) -> NotificationFile:
    """Every row of a notifications CSV; a bad row is reported (``line N, field F: problem``) and left out."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    cols = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in cols]
    out = NotificationFile()
    if missing:
        out.problems.append(f"missing required column(s): {', '.join(missing)} (see docs/registry.md)")
        return out
    seen: dict[str, int] = {}
    for i, raw in enumerate(reader, start=2):
        r = {(k or "").strip().lower(): v for k, v in raw.items() if k}
        if None in raw:
            out.problems.append(f"line {i}: more fields than the header has columns")
            continue
        row, bad = check_notification(r, ids)
        if row is None:
            out.problems += [f"line {i}, field {f}: {p}" for f, p in bad.items()]
            continue
        if row["reference"] in seen:
            out.problems.append(f"line {i}, field reference: {row['reference']!r} repeats line {seen[row['reference']]} "
                                "(the later row wins)")
            out.rows = [x for x in out.rows if x["reference"] != row["reference"]]
        seen[row["reference"]] = i
        out.rows.append(row)
    return out
