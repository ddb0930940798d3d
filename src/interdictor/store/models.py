"""Risk model versions (``interdictor learn`` / ``models``) and the traffic they learn from.

``traffic`` reads every current assessed shipment with its items, parties, the reasons of its
latest assessment and its exam outcomes (with how each exam was picked) as the frames
``learn.loop.Traffic`` holds; the pure ``learn.loop`` trains on them. A model version is stored
whole (card and text) and never edited; activating one deactivates the others. Each change is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, case, func, select, update
from sqlalchemy import literal as sa_literal
from sqlalchemy import null as sa_null

from interdictor.learn.loop import (
    BUDGET_SHARE,
    FOUND,
    KEY,
    History,
    Model,
    ModelError,
    Traffic,
    history_of,
    identities,
    load_model,
    train_model,
    validate,
)
from interdictor.store import schema as t
from interdictor.store import schema_service as sv
from interdictor.store.audit import audit
from interdictor.store.db import read_frame_on as frame
from interdictor.store.schema_models import model_versions as M

S, A, IT, P, R = t.shipments, t.assessments, t.items, t.parties, t.reasons
SEP = "\x1f"  # partner and shipment id joined into one key: shipment ids are unique only within a partner


def _key(table: Any) -> Any:
    return (table.c.partner + SEP + table.c.shipment_id).label("shipment_id")


def _current(table: Any) -> Any:
    return and_(S.c.partner == table.c.partner, S.c.shipment_id == table.c.shipment_id, S.c.version == table.c.version,
                S.c.is_current.is_(True))


def traffic(conn: Connection) -> Traffic:
    """Every current assessed shipment (its latest assessment) with what a model learns from. Items, parties
    and reasons are read whole and kept for the current versions here: joining each row to its shipment
    in the database costs SQLite several times the read."""
    ships = frame(conn, select(_key(S), S.c.version, S.c.filed_at, S.c.received_at, A.c.corridor, A.c.score, A.c.run_id,
                               A.c.created_at, S.c.mode, S.c.origin_country, S.c.destination_port, S.c.pieces,
                               S.c.gross_weight_kg, S.c.declared_value).select_from(S.join(A, _current(A))),
                  {"shipment_id": pl.String, "version": pl.Int64, "filed_at": pl.Datetime("us"), "received_at": pl.Datetime("us"),
                   "corridor": pl.String, "score": pl.Float64, "run_id": pl.String, "created_at": pl.Datetime("us"),
                   "mode": pl.String, "origin_country": pl.String, "destination_port": pl.String,
                   "pieces": pl.Int64, "gross_weight_kg": pl.Float64, "declared_value": pl.Float64})
    ships = (ships.sort("created_at").unique("shipment_id", keep="last")
             .with_columns(pl.coalesce("filed_at", "received_at").alias("time")).sort("time", "shipment_id"))
    current = ships.select("shipment_id", "version")
    items = frame(conn, select(_key(IT), IT.c.version, IT.c.item, IT.c.description, IT.c.hs_code, IT.c.quantity),
                  {"shipment_id": pl.String, "version": pl.Int64, "item": pl.Int32, "description": pl.String, "hs_code": pl.String,
                   "quantity": pl.Float64}).join(current, on=["shipment_id", "version"], how="semi").drop("version")
    parties = frame(conn, select(_key(P), P.c.version, P.c.party, P.c.name, P.c.address, P.c.city, P.c.phone,
                                 P.c.email),
                    {"shipment_id": pl.String, "version": pl.Int64, "party": pl.String, "name": pl.String, "address": pl.String,
                     "city": pl.String, "phone": pl.String, "email": pl.String}
                    ).join(current, on=["shipment_id", "version"], how="semi").drop("version")
    reasons = frame(conn, select(_key(R), R.c.version, R.c.run_id, R.c.code, R.c.weight),
                    {"shipment_id": pl.String, "version": pl.Int64, "run_id": pl.String, "code": pl.String,
                     "weight": pl.Float64})
    reasons = reasons.join(ships.select("shipment_id", "version", "run_id"), on=["shipment_id", "version", "run_id"],
                           how="semi").drop("version", "run_id")
    o, d = sv.outcomes, sv.decisions
    outcomes = frame(conn, select((o.c.partner + SEP + o.c.shipment_id).label("shipment_id"),
                                  func.coalesce(o.c.examined_at, o.c.recorded_at), o.c.result, d.c.pick_kind)
                     .select_from(o.outerjoin(d, d.c.id == o.c.decision_id)),
                     {"shipment_id": pl.String, "at": pl.Datetime("us"), "result": pl.String, "pick_kind": pl.String})
    outcomes = outcomes.join(ships.select("shipment_id"), on="shipment_id", how="semi")
    return Traffic(ships.drop("version", "run_id", "created_at", "filed_at", "received_at"), items, parties, reasons, outcomes)


def history(conn: Connection) -> History:
    """What screening counts a model's history features from, aggregated by the database: for each shipper
    (name, address, phone, e-mail) and consignee name, per day, how many current shipments and the latest
    time among them; and per day, how many of their shipments' latest exam outcomes and how many found
    something, with the latest outcome time. Rows are grouped on the raw fields, then normalised into
    identifiers (``learn.loop.identities``) here; the whole store is never read into memory.

    Each aggregate is dated at the latest time it holds, so a shipment screened at time T counts only
    groups whose every member is before T: never a later shipment or outcome (no leakage). For a
    shipment later than every stored one of its identifiers — live screening — the counts are those the
    shipment-by-shipment history (``learn.loop.history_of``) gives; an older one misses its own day's
    earlier shipments (fewer, never more)."""
    time = func.coalesce(S.c.filed_at, S.c.received_at)
    o = sv.outcomes
    at = func.coalesce(o.c.examined_at, o.c.recorded_at)
    last = select(o.c.partner, o.c.shipment_id, func.max(at).label("at")).group_by(o.c.partner, o.c.shipment_id).subquery()
    latest = (select(o.c.partner, o.c.shipment_id, last.c.at,
                     func.max(case((o.c.result.in_(FOUND), 1), else_=0)).label("found"))
              .select_from(o.join(last, and_(o.c.partner == last.c.partner, o.c.shipment_id == last.c.shipment_id,
                                             at == last.c.at)))
              .group_by(o.c.partner, o.c.shipment_id, last.c.at).subquery())
    seen, exams = [], []
    for party, fields in (("shipper", (P.c.name, P.c.address, P.c.city, P.c.phone, P.c.email)), ("consignee", (P.c.name,))):
        cols = [*fields, *(sa_null().label(n) for n in _PARTY_FIELDS[len(fields):])]
        seen.append(frame(conn, select(sa_literal(party).label("party"), *cols, func.count(), sa_null(), func.max(time))
                          .select_from(P.join(S, _current(P))).where(P.c.party == party)
                          .group_by(*fields, func.date(time)), _GROUPED))
        on_latest = and_(latest.c.partner == P.c.partner, latest.c.shipment_id == P.c.shipment_id)
        exams.append(frame(conn, select(sa_literal(party).label("party"), *cols, func.count(), func.sum(latest.c.found),
                                        func.max(latest.c.at))
                           .select_from(P.join(S, _current(P)).join(latest, on_latest)).where(P.c.party == party)
                           .group_by(*fields, func.date(latest.c.at)), _GROUPED))
    return counted_history(pl.concat(seen), pl.concat(exams))


_PARTY_FIELDS = ("name", "address", "city", "phone", "email")
_GROUPED = {"party": pl.String, **dict.fromkeys(_PARTY_FIELDS, pl.String), "n": pl.Int64, "found": pl.Int64,
            "time": pl.Datetime("us")}


def counted_history(seen: pl.DataFrame, exams: pl.DataFrame) -> History:
    """A ``History`` from grouped party rows (``party``, the party fields, ``n`` shipments, ``found`` among
    them, the latest ``time``): each group's identifiers hold its counts from its latest time on."""
    def per_identifier(rows: pl.DataFrame) -> pl.DataFrame:
        rows = rows.with_row_index(KEY).with_columns(pl.col(KEY).cast(pl.String))
        ids = identities(rows.select(KEY, "party", *_PARTY_FIELDS))
        return (ids.join(rows.select(KEY, "time", "n", "found"), on=KEY)
                .group_by("kind", "value", "time").agg(pl.col("n").sum(), pl.col("found").sum())
                .sort("kind", "value", "time"))

    s = per_identifier(seen)
    e = per_identifier(exams)
    return History(
        s.select("kind", "value", "time", pl.col("n").cum_sum().over("kind", "value").cast(pl.Int64).alias("seen")),
        e.select("kind", "value", "time", pl.col("n").cum_sum().over("kind", "value").cast(pl.Int64).alias("examined"),
                 pl.col("found").fill_null(0).cum_sum().over("kind", "value").cast(pl.Int64).alias("seized")))


@dataclass(frozen=True)
class Learned:
    """What ``learn`` did: the version stored, whether it is active (and whether forced), and why."""

    version: int
    active: bool
    forced: bool
    why: str
    notes: tuple[str, ...] = ()


def learn(conn: Connection, actor: str, *, activate: bool = False, code_version: str = "") -> Learned:
    """Train a model on every stored outcome, validate it on a time-ordered holdout against what screens
    today, and store it — active when it validates no worse (or ``activate``). ``ModelError`` when there
    is nothing to learn from (nothing is stored then)."""
    data = traffic(conn)
    data = Traffic(data.shipments, data.items, data.parties, data.reasons, data.outcomes, identities(data.parties))
    counted = history_of(data)  # one history for training, the validation model and validation alike
    notes = [f"{data.shipments.height:,} assessed shipments, {data.outcomes.height:,} exam outcomes"]
    try:
        active = active_model(conn)
    except ModelError as exc:
        notes.append(f"the active model cannot be used ({exc}); comparing with rules alone")
        active = None
    model = train_model(data, code_version=code_version, history=counted)
    try:
        check = validate(data, active, history=counted)
        model.card["validation"] = check.to_json()
        better = check.better
        why = (f"recall in the top {BUDGET_SHARE} % of {check.rows:,} newer shipments ({check.positives} found): "
               f"model {check.candidate:.3f}, rules alone {check.rules:.3f}"
               + (f", active v{active.version} {check.active:.3f}" if active is not None and check.active is not None
                  else ""))
    except ModelError as exc:
        model.card["validation"] = None
        better, why = False, str(exc)
    on = activate or better
    version = add_model(conn, actor, model, active=on)
    return Learned(version, on, on and not better, why, tuple(notes))


def add_model(conn: Connection, actor: str, model: Model, *, active: bool) -> int:
    """Store ``model`` as the next version (active when ``active``, the others then inactive); its version."""
    version = int(conn.execute(select(func.coalesce(func.max(M.c.version), 0))).scalar_one()) + 1
    if active:
        conn.execute(update(M).values(active=False))
    conn.execute(M.insert().values(version=version, created_at=datetime.now(UTC), created_by=actor,
                                   card=json.dumps(model.card, sort_keys=True), content=model.text, active=active))
    audit(conn, actor, "model.create", "model", str(version), {"active": active, "validation": model.card.get("validation")})
    return version


def list_models(conn: Connection) -> list[dict[str, Any]]:
    """Every version, newest first: version, created_at, created_by, active, and its card (parsed; None
    when the card is not JSON)."""
    out = []
    for r in conn.execute(select(M.c.version, M.c.created_at, M.c.created_by, M.c.active, M.c.card)
                          .order_by(M.c.version.desc())).mappings():
        try:
            card = json.loads(r["card"])
        except json.JSONDecodeError:
            card = None
        out.append({**{k: r[k] for k in ("version", "created_at", "created_by", "active")}, "card": card})
    return out


def get_model(conn: Connection, version: int) -> Model:
    """Model ``version``, checked (``ModelError`` when it is not stored or cannot be used)."""
    row = conn.execute(select(M.c.content, M.c.card).where(M.c.version == version)).first()
    if row is None:
        known = [str(v) for v in conn.execute(select(M.c.version).order_by(M.c.version)).scalars()]
        raise ModelError(f"no model version {version}; stored: {', '.join(known) or 'none (train one with `interdictor learn`)'}")
    return load_model(row[0], row[1], version)


def active_version(conn: Connection) -> int | None:
    return conn.execute(select(M.c.version).where(M.c.active.is_(True))).scalar_one_or_none()


def active_model(conn: Connection) -> Model | None:
    version = active_version(conn)
    return None if version is None else get_model(conn, version)


def activate(conn: Connection, actor: str, version: int) -> None:
    """Make ``version`` the one screening uses (checked first: a model that cannot load is never activated)."""
    get_model(conn, version)
    conn.execute(update(M).values(active=M.c.version == version))
    audit(conn, actor, "model.activate", "model", str(version))


def deactivate(conn: Connection, actor: str) -> int | None:
    """No model screens any more (rules alone); the version that was active."""
    version = active_version(conn)
    if version is not None:
        conn.execute(update(M).values(active=False))
        audit(conn, actor, "model.deactivate", "model", str(version))
    return version
