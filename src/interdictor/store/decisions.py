"""Stored decisions and what follows them: exam outcomes and referrals to the filer.

Each write is audited in the caller's transaction; reads of referrals are scoped like every other read.
What may be decided or asked is checked before (``service/work.py``; an outcome's own rules are
``queue/outcomes.py``, which outcomes imported in bulk are checked by too).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, false, insert, select, update

from interdictor.answers.model import Status
from interdictor.model import Reject
from interdictor.queue.build import PICK_KINDS, Budget
from interdictor.queue.outcomes import OutcomeRow
from interdictor.reference.corridors import CorridorConfig
from interdictor.store import facts, incidents, schema, shipments
from interdictor.store import schema_service as sv
from interdictor.store.audit import audit
from interdictor.store.events import emit
from interdictor.store.scope import Scope


def _now() -> datetime:
    return datetime.now(UTC)


def add_decision(conn: Connection, actor: str, ship: dict[str, Any], assessment: dict[str, Any] | None, *,
                 decision: str, reason: str, answer: str, pick_kind: str, decided_at: datetime | None = None,
                 detail: dict[str, Any] | None = None) -> int:
    """Record a decision on the shipment's current version (with the assessment it was shown) and how the
    shipment was picked (``queue.build.PICK_KINDS``); its id."""
    if pick_kind not in PICK_KINDS:
        raise ValueError(f"pick_kind must be one of {', '.join(PICK_KINDS)}")
    a = assessment
    partner, shipment_id = ship["partner"], ship["shipment_id"]
    exploration = pick_kind.startswith("explore_")
    res = conn.execute(insert(sv.decisions).values(
        partner=partner, shipment_id=shipment_id, version=ship["version"], decision=decision, reason=reason,
        answer=answer, corridor=a["corridor"] if a else None, score=a["score"] if a else None,
        recommended=a["disposition"] if a else None, exploration=exploration, pick_kind=pick_kind,
        ruleset=f"{a['ruleset']}-v{a['ruleset_version']}" if a else None, decided_by=actor,
        decided_at=decided_at or _now()))
    decision_id = int(res.inserted_primary_key[0])  # type: ignore[index]
    audit(conn, actor, "decision.create", "shipment", f"{partner}/{shipment_id}",
          {"decision": decision, "reason": reason, "exploration": exploration, "pick_kind": pick_kind,
           "decision_id": decision_id, **(detail or {})})
    return decision_id


def withdraw_open_referrals(conn: Connection, actor: str, partner: str, shipment_id: str) -> list[str]:
    """Open or acknowledged referrals of the shipment are withdrawn; their ids."""
    t = sv.referrals
    open_ids = [r[0] for r in conn.execute(select(t.c.referral_id).where(
        t.c.partner == partner, t.c.shipment_id == shipment_id, t.c.status.in_(("open", "acknowledged"))))]
    if open_ids:
        conn.execute(update(t).where(t.c.referral_id.in_(open_ids)).values(status="withdrawn"))
        audit(conn, actor, "referral.withdraw", "shipment", f"{partner}/{shipment_id}", {"referrals": open_ids})
    return open_ids


def add_referral(conn: Connection, actor: str, ship: dict[str, Any], *, kind: str, decision_id: int | None,
                 reason_codes: list[str], asked: list[str], message: str | None) -> str:
    """Open a referral to the shipment's filer; its id."""
    rid = str(uuid.uuid4())
    conn.execute(insert(sv.referrals).values(
        referral_id=rid, partner=ship["partner"], shipment_id=ship["shipment_id"], version=ship["version"],
        hawb=ship.get("hawb"), mawb=ship.get("mawb"), kind=kind, reason_codes=json.dumps(reason_codes),
        asked=json.dumps(asked), message=message, status="open", decision_id=decision_id, created_by=actor,
        created_at=_now()))
    audit(conn, actor, "referral.create", "referral", rid,
          {"shipment": f"{ship['partner']}/{ship['shipment_id']}", "kind": kind})
    a = shipments.latest_assessment(conn, ship["partner"], ship["shipment_id"], ship["version"])
    emit(conn, "referral.created",
         {"referral_id": rid, "kind": kind, "reason_codes": reason_codes, "asked": asked, "message": message,
          "shipment": {"partner": ship["partner"], "shipment_id": ship["shipment_id"], "hawb": ship.get("hawb"),
                       "mawb": ship.get("mawb")},
          "internal": {"decision_id": decision_id, "score": a["score"] if a else None}},
         partner=ship["partner"], shipment_id=ship["shipment_id"], corridor=a["corridor"] if a else None)
    return rid


def last_exam_or_hold(conn: Connection, partner: str, shipment_id: str) -> int | None:
    """The id of the latest exam or hold decision on the shipment."""
    d = sv.decisions
    last = conn.execute(select(d.c.id).where(d.c.partner == partner, d.c.shipment_id == shipment_id,
                                             d.c.decision.in_(("exam", "hold")))
                        .order_by(d.c.decided_at.desc(), d.c.id.desc()).limit(1)).first()
    return int(last[0]) if last is not None else None


def add_outcome(conn: Connection, actor: str, ship: dict[str, Any], decision_id: int, *, result: str,
                what: str | None, quantity: float | None, unit: str | None, agency: str | None,
                note: str | None, examined_at: datetime | None = None, detail: dict[str, Any] | None = None) -> int:
    """Record what the exam of ``decision_id`` found; the outcome's id."""
    partner, shipment_id = ship["partner"], ship["shipment_id"]
    res = conn.execute(insert(sv.outcomes).values(
        partner=partner, shipment_id=shipment_id, version=ship["version"], decision_id=decision_id, result=result,
        what=what, quantity=quantity, unit=unit, agency=agency, note=note, examined_at=examined_at.astimezone(UTC) if examined_at else None,
        recorded_by=actor, recorded_at=_now()))
    oid = int(res.inserted_primary_key[0])  # type: ignore[index]
    audit(conn, actor, "outcome.create", "shipment", f"{partner}/{shipment_id}",
          {"result": result, "what": what, "quantity": quantity, "unit": unit, "agency": agency, "outcome_id": oid,
           **(detail or {})})
    return oid


def has_outcome(conn: Connection, partner: str, shipment_id: str, *, result: str, examined_at: datetime) -> bool:
    """Is this exam's outcome (the shipment, the result, when it was examined) already stored?"""
    o = sv.outcomes
    return conn.execute(select(o.c.id).where(o.c.partner == partner, o.c.shipment_id == shipment_id,
                                             o.c.result == result, o.c.examined_at == examined_at.astimezone(UTC))
                        .limit(1)).first() is not None


def history(conn: Connection, partner: str, shipment_id: str) -> dict[str, list[dict[str, Any]]]:
    """Decisions, outcomes and referrals of one shipment (call only after a scoped read found it)."""
    def rows(t: Any, order: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in conn.execute(select(t).where(t.c.partner == partner, t.c.shipment_id == shipment_id)
                                              .order_by(order)).mappings()]

    return {"decisions": rows(sv.decisions, sv.decisions.c.id), "outcomes": rows(sv.outcomes, sv.outcomes.c.id),
            "referrals": [_referral(r) for r in rows(sv.referrals, sv.referrals.c.created_at)]}


def current_answer(conn: Connection, partner: str, shipment_id: str) -> str | None:
    d = sv.decisions
    row = conn.execute(select(d.c.answer).where(d.c.partner == partner, d.c.shipment_id == shipment_id)
                       .order_by(d.c.decided_at.desc(), d.c.id.desc()).limit(1)).first()
    return str(row[0]) if row else None


# ------------------------------------------------------------------ referrals (scoped)


def _referral(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    for key in ("reason_codes", "asked", "response"):
        r[key] = json.loads(r[key]) if r.get(key) else ([] if key != "response" else None)
    return r


def _referral_scope(scope: Scope) -> Any:
    t = sv.referrals
    if scope.nothing:
        return false()
    cond = []
    if scope.partner is not None:
        cond.append(t.c.partner == scope.partner)
    if scope.corridors is not None:
        d = sv.decisions
        cond.append(t.c.decision_id.in_(select(d.c.id).where(d.c.corridor.in_(sorted(scope.corridors)))))
    return and_(*cond) if cond else None


def list_referrals(conn: Connection, scope: Scope, status: str | None = None, limit: int = 100,
                   offset: int = 0) -> list[dict[str, Any]]:
    t = sv.referrals
    q = select(t)
    cond = _referral_scope(scope)
    if cond is not None:
        q = q.where(cond)
    if status:
        q = q.where(t.c.status == status)
    q = q.order_by(t.c.created_at.desc()).limit(max(1, min(limit, 500))).offset(max(0, offset))
    return [_referral(dict(r)) for r in conn.execute(q).mappings()]


def get_referral(conn: Connection, scope: Scope, referral_id: str) -> dict[str, Any] | None:
    t = sv.referrals
    q = select(t).where(t.c.referral_id == referral_id)
    cond = _referral_scope(scope)
    if cond is not None:
        q = q.where(cond)
    row = conn.execute(q).mappings().first()
    return _referral(dict(row)) if row else None


def acknowledge_referral(conn: Connection, actor: str, referral_id: str) -> None:
    conn.execute(update(sv.referrals).where(sv.referrals.c.referral_id == referral_id).values(
        status="acknowledged", acknowledged_by=actor, acknowledged_at=_now()))
    audit(conn, actor, "referral.acknowledge", "referral", referral_id)


def answer_referral(conn: Connection, actor: str, referral_id: str, response: dict[str, str]) -> None:
    conn.execute(update(sv.referrals).where(sv.referrals.c.referral_id == referral_id).values(
        status="answered", response=json.dumps(response), responded_by=actor, responded_at=_now()))
    audit(conn, actor, "referral.respond", "referral", referral_id, {"fields": sorted(response)})


# ------------------------------------------------------------------ outcomes in bulk


@dataclass
class ImportSummary:
    """What an import of outcomes did: outcomes stored, exam decisions they implied, rows already stored."""

    stored: int = 0
    decisions: int = 0
    already: int = 0
    incidents: int = 0
    rejects: list[Reject] = field(default_factory=list)
    seized: list[tuple[str, str]] = field(default_factory=list)  # (partner, shipment_id) of stored seizures


def import_outcomes(conn: Connection, actor: str, rows: list[OutcomeRow], *, cfg: CorridorConfig,
                    budgets: Callable[[str, str | None], Budget], source: str, notify: bool) -> ImportSummary:
    """Store exam outcomes read from a file: the records the workspace writes, with the exam decision each
    implies when none is stored (picked as its day's queue picked it, else ``imported``; no referral: the
    exam is over).  A row whose outcome (shipment, result, time of the exam) is stored already changes
    nothing, so importing a file twice is importing it once.  An unknown shipment, another partner's, or a
    version never stored is a reject with its line and field."""
    out = ImportSummary()
    found: list[tuple[OutcomeRow, dict[str, Any]]] = []
    for row in rows:
        ship = _imported_ship(conn, row)
        if isinstance(ship, Reject):
            out.rejects.append(replace(ship, source=source))
        elif has_outcome(conn, row.partner, row.shipment_id, result=row.result, examined_at=row.examined_at):
            out.already += 1
        else:
            found.append((row, ship))
    # the implied decisions are on the current versions, picked as their day's queue picked them
    undecided = [(row, shipments.find_shipment(conn, Scope.everything(), row.partner, row.shipment_id) or ship)
                 for row, ship in found if last_exam_or_hold(conn, row.partner, row.shipment_id) is None]
    current = dict(undecided)
    picks = dict(zip(current, facts.queue_picks(conn, Scope.everything(), cfg, budgets, list(current.values()),
                                                otherwise="imported"), strict=True))
    for row, ship in found:
        if out.stored and has_outcome(conn, row.partner, row.shipment_id, result=row.result,
                                      examined_at=row.examined_at):
            out.already += 1  # the same exam twice in the file
            continue
        detail = {"source": source, "line": row.line, "notify": notify}
        decision_id = last_exam_or_hold(conn, row.partner, row.shipment_id)
        if decision_id is None:
            a = shipments.latest_assessment(conn, row.partner, row.shipment_id, current[row]["version"])
            decision_id = add_decision(conn, actor, current[row], a, decision="exam",
                                       reason=f"exam implied by an imported outcome ({source}, line {row.line})",
                                       answer=Status.HOLD_FOR_SCREENING.value, pick_kind=picks[row],
                                       decided_at=row.examined_at, detail=detail)
            out.decisions += 1
        oid = add_outcome(conn, actor, ship, decision_id, result=row.result, what=row.what, quantity=row.quantity,
                          unit=row.unit, agency=row.agency, note=row.note, examined_at=row.examined_at, detail=detail)
        out.stored += 1
        if row.result == "seized":
            out.seized.append((row.partner, row.shipment_id))
        if notify and row.result == "seized" and incidents.open_for_seizure(
                conn, actor, row.partner, row.shipment_id, oid, source="import", what=row.what,
                quantity=row.quantity, unit=row.unit, examined_at=row.examined_at, detail=detail) is not None:
            out.incidents += 1
    return out


def _imported_ship(conn: Connection, row: OutcomeRow) -> dict[str, Any] | Reject:
    """The stored shipment (the row's version, else the current one) an imported outcome is about."""
    s = schema.shipments
    q = select(s).where(s.c.partner == row.partner, s.c.shipment_id == row.shipment_id)
    q = q.where(s.c.version == row.version) if row.version is not None else q.where(s.c.is_current.is_(True))
    hit = conn.execute(q.limit(1)).mappings().first()
    if hit is not None:
        return dict(hit)
    if row.version is not None and conn.execute(select(s.c.version).where(
            s.c.partner == row.partner, s.c.shipment_id == row.shipment_id).limit(1)).first() is not None:
        return Reject("", row.line, "version", f"{row.partner}/{row.shipment_id} has no version {row.version}",
                      shipment_id=row.shipment_id)
    others = sorted({str(r[0]) for r in conn.execute(select(s.c.partner).where(s.c.shipment_id == row.shipment_id)
                                                     .limit(5))})
    if others:
        return Reject("", row.line, "partner", f"shipment {row.shipment_id} was not filed by {row.partner}",
                      shipment_id=row.shipment_id)
    return Reject("", row.line, "shipment_id", f"no shipment {row.shipment_id} was ever screened",
                  shipment_id=row.shipment_id)
