"""Registrants and notified transactions: lawful trade is announced before it arrives.

An import of a tableting or encapsulating machine needs a DEA transaction identification (Form
452); an import of a List I chemical needs a registered importer and an import declaration (Form
486) filed before arrival; a Schedule II immediate precursor needs an import permit (Form 357).  A
controlled good that matches a notified transaction of a registered importer is explained as lawful;
one with no match is a hold-level reason.  The exporting side's pre-notifications (``notified.py``) are
the registry's third table.  Columns of the registry files: ``docs/registry.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from rapidfuzz import fuzz

from interdictor.screen.goods.notified import NOTIFICATION_SCHEMA, prepare

REGISTRANT_SCHEMA = pl.Schema(
    {"registration": pl.String, "name": pl.String, "city": pl.String, "state": pl.String,
     "country": pl.String, "activities": pl.String, "valid_from": pl.Date, "valid_to": pl.Date}
)
TRANSACTION_SCHEMA = pl.Schema(
    {"transaction_id": pl.String, "form": pl.String, "registration": pl.String, "importer": pl.String,
     "goods": pl.String, "quantity_kg": pl.Float64, "units": pl.Float64, "filed_on": pl.Date,
     "arrival_from": pl.Date, "arrival_to": pl.Date, "exporter": pl.String, "port": pl.String}
)
FORM_FOR = {"list_i": "486", "schedule_ii": "357", "dea_452": "452"}
ACTIVITY_FOR = {"list_i": "import_list_i", "schedule_ii": "import_schedule_ii", "dea_452": "import_machines"}
_SUFFIX = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|llc|l\.l\.c|ltd|limited|plc|gmbh|sa|srl|bv|ag|lp|llp)\b\.?",
    re.I,
)
MATCH_SCORE = 90.0
QUANTITY_TOLERANCE = 1.10


def company_key(name: str | None) -> str:
    """Lower case, legal suffixes and punctuation dropped: 'Acme Pharma, Inc.' → 'acme pharma'."""
    s = _SUFFIX.sub(" ", (name or "").lower())
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


@dataclass(frozen=True)
class Registry:
    registrants: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REGISTRANT_SCHEMA))
    transactions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=TRANSACTION_SCHEMA))
    # the exporting authorities' pre-notifications still standing (not withdrawn), ``NOTIFICATION_SCHEMA``
    notifications: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NOTIFICATION_SCHEMA))
    notices: pl.DataFrame = field(init=False, repr=False, compare=False)  # prepared for matching

    def __post_init__(self) -> None:
        object.__setattr__(self, "notices", prepare(self.notifications))  # folded once, matched every batch
        # index once: most screened goods have no notification at all, and that must cost nothing
        by: dict[tuple[str, str], list[dict[str, object]]] = {}
        for row in self.transactions.iter_rows(named=True):
            by.setdefault((row["goods"], row["form"]), []).append(row)
        regs: dict[str, list[dict[str, object]]] = {}
        for row in self.registrants.iter_rows(named=True):
            regs.setdefault(row["registration"], []).append(row)
        object.__setattr__(self, "_by_goods", by)
        object.__setattr__(self, "_by_registration", regs)

    def notified(self, goods: str, form: str) -> list[dict[str, Any]]:
        return self._by_goods.get((goods, form), [])  # type: ignore[attr-defined,no-any-return]

    def registrant(self, registration: str) -> list[dict[str, Any]]:
        return self._by_registration.get(registration, [])  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class Verdict:
    notified: bool
    evidence: str


def _day(v: datetime | date | None) -> date | None:
    if v is None:
        return None
    return v.date() if isinstance(v, datetime) else v


def check_transaction(
    registry: Registry, *, goods: str, licence: str, consignee: str | None, when: datetime | date | None,
    weight_kg: float | None, what: str,
) -> Verdict:
    """Is this import of ``goods`` (a knowledge-base id) by ``consignee`` notified in advance?"""
    form = FORM_FOR[licence]
    need = f"DEA Form {form}" + (" transaction identification" if form == "452" else " filed by a registered importer")
    if not consignee:
        return Verdict(False, f"{what} needs {need}; the consignee is not named, so no notification can match")
    key = company_key(consignee)
    day = _day(when)
    near: list[str] = []
    for row in registry.notified(goods, form):
        if fuzz.token_sort_ratio(key, company_key(row["importer"])) < MATCH_SCORE:
            continue
        tid = row["transaction_id"]
        if day is not None and row["filed_on"] is not None and row["filed_on"] > day:
            near.append(f"{tid} was filed on {row['filed_on']}, after this shipment ({day})")
            continue
        if day is not None and row["arrival_to"] is not None and day > row["arrival_to"]:
            near.append(f"{tid} covered arrivals up to {row['arrival_to']}")
            continue
        if day is not None and row["arrival_from"] is not None and day < row["arrival_from"]:
            near.append(f"{tid} covers arrivals from {row['arrival_from']}")
            continue
        if weight_kg is not None and row["quantity_kg"] is not None and weight_kg > row["quantity_kg"] * QUANTITY_TOLERANCE:
            near.append(f"{tid} notified {row['quantity_kg']:g} kg, this line declares {weight_kg:g} kg")
            continue
        active = [
            r for r in registry.registrant(str(row["registration"]))
            if ACTIVITY_FOR[licence] in (r["activities"] or "").split(";")
            and (day is None or r["valid_from"] is None or r["valid_from"] <= day)
            and (day is None or r["valid_to"] is None or day <= r["valid_to"])
        ]
        if not active:
            near.append(f"{tid} names registration {row['registration']}, which is not registered for this activity then")
            continue
        return Verdict(
            True,
            f"{what} matches notified transaction {tid} (DEA Form {form}, filed {row['filed_on']}) of registered "
            f"importer {active[0]['name']} (registration {row['registration']})",
        )
    if near:
        return Verdict(False, f"{what} needs {need}; no notification fits: " + "; ".join(near[:3]))
    return Verdict(False, f"{what} needs {need} before arrival; none is on record for consignee '{consignee}'")
