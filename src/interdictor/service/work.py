"""Decisions, outcomes and referrals: what targeters decide, what exams find, what partners are told.

Writes go through here (each in the caller's transaction, each audited); reads of
referrals are scoped like every other read.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, false, insert, select, update

from interdictor.service import answering, reads
from interdictor.service.principal import Principal, Scope
from interdictor.store import schema_service as sv
from interdictor.store.repo import audit

DECISIONS = ("release", "review", "exam", "hold")
RESULTS = ("nothing_found", "seized", "referred")
REFERRAL_STATUSES = ("open", "acknowledged", "answered", "withdrawn")
REQUESTABLE_FIELDS = ("shipper_name", "shipper_address", "shipper_phone", "shipper_email", "consignee_name",
                      "consignee_address", "consignee_phone", "consignee_email", "item_description", "hs_code",
                      "item_value", "item_quantity", "cas_number", "licence", "commercial_invoice", "other")


class WorkError(ValueError):
    """A decision, outcome or referral that cannot be recorded; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _now() -> datetime:
    return datetime.now(UTC)


def record_decision(conn: Connection, who: Principal, partner: str, shipment_id: str, *, decision: str, reason: str,
                    exploration: bool, request_information: bool = False, asked: list[str] | None = None,
                    message: str | None = None, reason_codes: list[str] | None = None) -> dict[str, Any]:
    """Record a targeter's decision; exam and hold (and a review asking for data) send a referral to the filer."""
    if decision not in DECISIONS:
        raise WorkError(f"decision must be one of {', '.join(DECISIONS)}", 422)
    if not reason.strip():
        raise WorkError("every decision needs a reason", 422)
    ship = reads.find_shipment(conn, who.scope, partner, shipment_id)
    if ship is None:
        raise WorkError("no such shipment", 404)
    a = reads.latest_assessment(conn, partner, shipment_id, ship["version"])
    kind = answering.referral_kind(decision, request_information)
    answer = kind if kind is not None else answering.BY_DECISION[decision]
    res = conn.execute(insert(sv.decisions).values(
        partner=partner, shipment_id=shipment_id, version=ship["version"], decision=decision, reason=reason.strip(),
        answer=answer, corridor=a["corridor"] if a else None, score=a["score"] if a else None,
        recommended=a["disposition"] if a else None, exploration=exploration,
        ruleset=f"{a['ruleset']}-v{a['ruleset_version']}" if a else None, decided_by=who.actor, decided_at=_now()))
    decision_id = int(res.inserted_primary_key[0])  # type: ignore[index]
    audit(conn, who.actor, "decision.create", "shipment", f"{partner}/{shipment_id}",
          {"decision": decision, "reason": reason.strip(), "exploration": exploration, "decision_id": decision_id})
    referral = None
    if kind is not None:
        referral = create_referral(conn, who, ship, kind=kind, decision_id=decision_id, reason_codes=reason_codes or [],
                                   asked=asked or [], message=message)
    if decision == "release":
        _withdraw_open(conn, who, partner, shipment_id)
    return {"decision_id": decision_id, "decision": decision, "answer": answer, "referral": referral}


def _withdraw_open(conn: Connection, who: Principal, partner: str, shipment_id: str) -> None:
    t = sv.referrals
    open_ids = [r[0] for r in conn.execute(select(t.c.referral_id).where(
        t.c.partner == partner, t.c.shipment_id == shipment_id, t.c.status.in_(("open", "acknowledged"))))]
    if open_ids:
        conn.execute(update(t).where(t.c.referral_id.in_(open_ids)).values(status="withdrawn"))
        audit(conn, who.actor, "referral.withdraw", "shipment", f"{partner}/{shipment_id}", {"referrals": open_ids})


def create_referral(conn: Connection, who: Principal, ship: dict[str, Any], *, kind: str, decision_id: int | None,
                    reason_codes: list[str], asked: list[str], message: str | None) -> dict[str, Any]:
    if kind not in answering.REFERRAL_KINDS:
        raise WorkError(f"referral kind must be one of {', '.join(answering.REFERRAL_KINDS)}", 422)
    bad = [f for f in asked if f not in REQUESTABLE_FIELDS]
    if bad:
        raise WorkError(f"cannot ask for {', '.join(bad)}; fields: {', '.join(REQUESTABLE_FIELDS)}", 422)
    rid = str(uuid.uuid4())
    conn.execute(insert(sv.referrals).values(
        referral_id=rid, partner=ship["partner"], shipment_id=ship["shipment_id"], version=ship["version"],
        hawb=ship.get("hawb"), mawb=ship.get("mawb"), kind=kind, reason_codes=json.dumps(reason_codes),
        asked=json.dumps(asked), message=message, status="open", decision_id=decision_id, created_by=who.actor,
        created_at=_now()))
    audit(conn, who.actor, "referral.create", "referral", rid,
          {"shipment": f"{ship['partner']}/{ship['shipment_id']}", "kind": kind})
    return {"referral_id": rid, "kind": kind, "status": "open"}


def record_outcome(conn: Connection, who: Principal, partner: str, shipment_id: str, *, result: str,
                   what: str | None = None, quantity: float | None = None, unit: str | None = None,
                   agency: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Record what an exam found.  Needs an exam or hold decision on the shipment."""
    if result not in RESULTS:
        raise WorkError(f"result must be one of {', '.join(RESULTS)}", 422)
    if result == "seized" and not (what and what.strip()):
        raise WorkError("a seizure says what was seized", 422)
    if result == "referred" and not (agency and agency.strip()):
        raise WorkError("a referral names the agency", 422)
    ship = reads.find_shipment(conn, who.scope, partner, shipment_id)
    if ship is None:
        raise WorkError("no such shipment", 404)
    d = sv.decisions
    last = conn.execute(select(d.c.id, d.c.decision).where(d.c.partner == partner, d.c.shipment_id == shipment_id,
                                                           d.c.decision.in_(("exam", "hold")))
                        .order_by(d.c.decided_at.desc(), d.c.id.desc()).limit(1)).first()
    if last is None:
        raise WorkError("record an exam or hold decision before its outcome", 409)
    res = conn.execute(insert(sv.outcomes).values(
        partner=partner, shipment_id=shipment_id, version=ship["version"], decision_id=last[0], result=result,
        what=what, quantity=quantity, unit=unit, agency=agency, note=note, recorded_by=who.actor, recorded_at=_now()))
    oid = int(res.inserted_primary_key[0])  # type: ignore[index]
    audit(conn, who.actor, "outcome.create", "shipment", f"{partner}/{shipment_id}",
          {"result": result, "what": what, "quantity": quantity, "unit": unit, "agency": agency, "outcome_id": oid})
    return {"outcome_id": oid, "result": result, "decision_id": last[0]}


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


def acknowledge(conn: Connection, who: Principal, referral_id: str) -> dict[str, Any]:
    r = get_referral(conn, who.scope, referral_id)
    if r is None:
        raise WorkError("no such referral", 404)
    if r["status"] != "open":
        raise WorkError(f"the referral is {r['status']}, not open", 409)
    conn.execute(update(sv.referrals).where(sv.referrals.c.referral_id == referral_id).values(
        status="acknowledged", acknowledged_by=who.actor, acknowledged_at=_now()))
    audit(conn, who.actor, "referral.acknowledge", "referral", referral_id)
    return {**r, "status": "acknowledged"}


def respond(conn: Connection, who: Principal, referral_id: str, data: dict[str, str]) -> dict[str, Any]:
    """A partner's answer: the data asked for (every asked field must be there)."""
    r = get_referral(conn, who.scope, referral_id)
    if r is None:
        raise WorkError("no such referral", 404)
    if r["status"] not in ("open", "acknowledged"):
        raise WorkError(f"the referral is {r['status']}; it takes no more answers", 409)
    missing = [f for f in r["asked"] if not str(data.get(f, "")).strip()]
    if missing:
        raise WorkError(f"the answer lacks {', '.join(missing)}", 422)
    clean = {str(k)[:64]: str(v)[:4000] for k, v in list(data.items())[:50]}
    conn.execute(update(sv.referrals).where(sv.referrals.c.referral_id == referral_id).values(
        status="answered", response=json.dumps(clean), responded_by=who.actor, responded_at=_now()))
    audit(conn, who.actor, "referral.respond", "referral", referral_id, {"fields": sorted(clean)})
    return {**r, "status": "answered", "response": clean}
