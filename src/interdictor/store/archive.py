"""What ``interdictor export`` reads: the current version of every stored shipment with its canonical
records, its assessments and reasons, and the decisions and outcomes recorded on it.

It reads one partner's current shipments a slice at a time, in key order: each slice is a range of the
shipments' primary key (``partner, shipment_id``), so every query of a slice walks an index range, and
the rows of the other tables are those of the slice's versions, joined in the database.  Everything is
read through ``Store.read_frame`` (ADBC, Arrow, no Python per row).  Which assessment is the latest and
how the rows are partitioned is the archive's business (``archive/export.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, and_, exists, func, select

from interdictor.model import ITEM_SCHEMA, PARTY_SCHEMA, SHIPMENT_SCHEMA
from interdictor.store import schema as t
from interdictor.store import schema_service as sv
from interdictor.store.db import Store
from interdictor.store.shipments import filed_since

S, IT, P, A, R = t.shipments, t.items, t.parties, t.assessments, t.reasons
D, OC = sv.decisions, sv.outcomes
UTC_TIME = pl.Datetime("us", "UTC")
KEY = {"partner": pl.String(), "shipment_id": pl.String(), "version": pl.Int32()}

ASSESSMENT_COLUMNS = {**KEY, "run_id": pl.String(), "score": pl.Float64(), "disposition": pl.String(),
                      "corridor": pl.String(), "ruleset": pl.String(), "ruleset_version": pl.Int32(),
                      "created_at": UTC_TIME}
REASON_COLUMNS = {**KEY, "run_id": pl.String(), "code": pl.String(), "weight": pl.Float64(), "evidence": pl.String(),
                  "item": pl.Int32(), "party": pl.String()}
DECISION_COLUMNS = {**KEY, "decision_id": pl.Int64(), "decision": pl.String(), "reason": pl.String(),
                    "answer": pl.String(), "corridor": pl.String(), "score": pl.Float64(), "recommended": pl.String(),
                    "exploration": pl.Boolean(), "pick_kind": pl.String(), "ruleset": pl.String(),
                    "decided_by": pl.String(), "decided_at": UTC_TIME}
OUTCOME_COLUMNS = {**KEY, "outcome_id": pl.Int64(), "decision_id": pl.Int64(), "result": pl.String(),
                   "what": pl.String(), "quantity": pl.Float64(), "unit": pl.String(), "agency": pl.String(),
                   "note": pl.String(), "examined_at": UTC_TIME, "recorded_by": pl.String(),
                   "recorded_at": UTC_TIME}


@dataclass
class StoredSlice:
    """One key range of a partner's current shipments and what the store holds of them."""

    partner: str
    shipments: pl.DataFrame  # partner, shipment_id, version, the batch columns, received_at
    items: pl.DataFrame  # partner, shipment_id, version, the batch columns
    parties: pl.DataFrame
    assessments: pl.DataFrame  # every assessment of the slice's versions (``ASSESSMENT_COLUMNS``)
    reasons: pl.DataFrame  # the reasons of those assessments (``REASON_COLUMNS``)
    decisions: pl.DataFrame  # on any version of the slice's shipments (``DECISION_COLUMNS``)
    outcomes: pl.DataFrame  # (``OUTCOME_COLUMNS``)


def _current(since: datetime | None) -> list[ColumnElement[bool]]:
    return [S.c.is_current.is_(True), *([filed_since(since)] if since is not None else [])]


def count_current(store: Store, since: datetime | None = None) -> int:
    """How many shipments have a current version (filed since ``since``)."""
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(S).where(*_current(since))).scalar_one())


def _cols(table: Any, schema: pl.Schema, *, with_key: bool = True) -> tuple[list[Any], dict[str, Any]]:
    """The columns of ``table`` in ``schema`` (after the key), and the frame schema to read them with."""
    names = [c for c in schema if c != "shipment_id" and c in table.c]
    key = [table.c.partner, table.c.shipment_id, table.c.version] if with_key else []
    return [*key, *[table.c[c] for c in names]], {**(KEY if with_key else {}), **{c: schema[c] for c in names}}


def _range(table: Any, partner: str, lo: str | None, hi: str | None) -> list[ColumnElement[bool]]:
    """``partner``'s shipment ids in (lo, hi] (an index range of ``table``; None: open)."""
    return [table.c.partner == partner, *([table.c.shipment_id > lo] if lo is not None else []),
            *([table.c.shipment_id <= hi] if hi is not None else [])]


@dataclass(frozen=True)
class _Slice:
    store: Store
    partner: str
    lo: str | None
    hi: str
    since: datetime | None

    def rows(self, table: Any, cols: list[Any], schema: dict[str, Any], *order: Any) -> pl.DataFrame:
        """``table``'s rows of the slice's current versions (joined to them in the database)."""
        on = and_(S.c.partner == table.c.partner, S.c.shipment_id == table.c.shipment_id,
                  S.c.version == table.c.version)
        stmt = (select(*cols).select_from(table.join(S, on))
                .where(*_range(table, self.partner, self.lo, self.hi), *_current(self.since)).order_by(*order))
        return self.store.read_frame(stmt, schema)

    def records(self, table: Any, schema: dict[str, Any]) -> pl.DataFrame:
        """Decisions or outcomes on any version of the slice's shipments."""
        stmt = select(*_named(table, schema)).where(*_range(table, self.partner, self.lo, self.hi))
        return self.store.read_frame(stmt.order_by(table.c.id), schema)


def current_slices(store: Store, since: datetime | None = None, rows: int = 50_000) -> Iterator[StoredSlice]:
    """Every current shipment (filed since ``since``), ``rows`` shipments a slice, with its records."""
    ship_cols, ship_schema = _cols(S, SHIPMENT_SCHEMA)
    ship_schema = {**ship_schema, "received_at": UTC_TIME}
    item_cols, item_schema = _cols(IT, ITEM_SCHEMA)
    party_cols, party_schema = _cols(P, PARTY_SCHEMA)
    with store.connect() as conn:
        partners = [r[0] for r in conn.execute(select(S.c.partner).where(*_current(since)).distinct()
                                               .order_by(S.c.partner))]
    for partner in partners:
        lo: str | None = None
        while True:
            ships = store.read_frame(
                select(*ship_cols, S.c.received_at).where(*_range(S, partner, lo, None), *_current(since))
                .order_by(S.c.shipment_id).limit(rows), ship_schema)
            if ships.is_empty():
                break
            sl = _Slice(store, partner, lo, str(ships["shipment_id"][-1]), since)
            yield StoredSlice(
                partner=partner, shipments=ships,
                items=sl.rows(IT, item_cols, item_schema, IT.c.shipment_id, IT.c.item),
                parties=sl.rows(P, party_cols, party_schema, P.c.shipment_id, P.c.party),
                assessments=sl.rows(A, [A.c[c] for c in ASSESSMENT_COLUMNS], ASSESSMENT_COLUMNS, A.c.shipment_id),
                reasons=sl.rows(R, [R.c[c] for c in REASON_COLUMNS], REASON_COLUMNS, R.c.shipment_id),
                decisions=sl.records(D, DECISION_COLUMNS),
                outcomes=sl.records(OC, OUTCOME_COLUMNS),
            )
            if ships.height < rows:
                break
            lo = sl.hi


def _named(table: Any, schema: dict[str, Any]) -> list[Any]:
    """``table``'s columns for ``schema``: a record's own ``id`` read as ``decision_id`` or ``outcome_id``."""
    own = "decision_id" if table is D else "outcome_id"
    return [table.c.id if c == own else table.c[c] for c in schema]


def orphan_records(store: Store, table: str, since: datetime | None = None) -> pl.DataFrame:
    """Decisions (``table="decisions"``) or outcomes recorded on a shipment that has no current version —
    none in a store that keeps its shipments — with when they were recorded (``at``; since ``since``)."""
    tab, schema = (D, DECISION_COLUMNS) if table == "decisions" else (OC, OUTCOME_COLUMNS)
    at = tab.c.decided_at if tab is D else tab.c.recorded_at
    stored = exists().where(S.c.partner == tab.c.partner, S.c.shipment_id == tab.c.shipment_id,
                            S.c.is_current.is_(True))
    stmt = select(*_named(tab, schema), at.label("at")).where(~stored, *([at >= since] if since else []))
    return store.read_frame(stmt.order_by(tab.c.id), {**schema, "at": UTC_TIME})


def run_inputs(store: Store, run_ids: list[str]) -> dict[str, str | None]:
    """The ``versions`` JSON each of ``run_ids`` recorded (the inputs it screened with)."""
    runs = t.ingest_runs
    found: dict[str, str | None] = dict.fromkeys(run_ids)
    with store.connect() as conn:
        for i in range(0, len(run_ids), 500):
            found.update((r[0], r[1]) for r in conn.execute(
                select(runs.c.run_id, runs.c.versions).where(runs.c.run_id.in_(run_ids[i:i + 500]))))
    return found
