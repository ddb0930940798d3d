"""Decisions, outcomes and referrals: what targeters decide, what exams find, what partners are told.

What may be recorded is checked here; ``store/decisions.py`` keeps it (each write in the caller's
transaction, each audited), and its reads of referrals are scoped like every other read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from interdictor.queue import outcomes
from interdictor.reference.corridors import CorridorConfig
from interdictor.service import answering, insight
from interdictor.service.principal import Principal
from interdictor.store import decisions, incidents, shipments
from interdictor.store.config import Budgets

DECISIONS = ("release", "review", "exam", "hold")
REFERRAL_STATUSES = ("open", "acknowledged", "answered", "withdrawn")
REQUESTABLE_FIELDS = ("shipper_name", "shipper_address", "shipper_phone", "shipper_email", "consignee_name",
                      "consignee_address", "consignee_phone", "consignee_email", "item_description", "hs_code",
                      "item_value", "item_quantity", "cas_number", "licence", "commercial_invoice", "other")


class WorkError(ValueError):
    """A decision, outcome or referral that cannot be recorded; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def record_decision(conn: Connection, who: Principal, partner: str, shipment_id: str, *, decision: str, reason: str,
                    cfg: CorridorConfig, budgets: Budgets, request_information: bool = False,
                    asked: list[str] | None = None, message: str | None = None,
                    reason_codes: list[str] | None = None) -> dict[str, Any]:
    """Record a targeter's decision, and how the shipment was picked: as its day's queue (``cfg``,
    ``budgets``) picked it for exam or exploration, else by the targeter (``manual``).  Exam and hold (and a
    review asking for data) send a referral to the filer."""
    if decision not in DECISIONS:
        raise WorkError(f"decision must be one of {', '.join(DECISIONS)}", 422)
    if not reason.strip():
        raise WorkError("every decision needs a reason", 422)
    ship = shipments.find_shipment(conn, who.scope, partner, shipment_id)
    if ship is None:
        raise WorkError("no such shipment", 404)
    a = shipments.latest_assessment(conn, partner, shipment_id, ship["version"])
    kind = answering.referral_kind(decision, request_information)
    answer = kind if kind is not None else answering.BY_DECISION[decision]
    pick = insight.queue_pick(conn, who.scope, cfg, budgets, ship)
    decision_id = decisions.add_decision(conn, who.actor, ship, a, decision=decision, reason=reason.strip(),
                                         answer=answer, pick_kind=pick)
    referral = None
    if kind is not None:
        referral = create_referral(conn, who, ship, kind=kind, decision_id=decision_id, reason_codes=reason_codes or [],
                                   asked=asked or [], message=message)
    if decision == "release":
        decisions.withdraw_open_referrals(conn, who.actor, partner, shipment_id)
    return {"decision_id": decision_id, "decision": decision, "answer": answer, "referral": referral}


def create_referral(conn: Connection, who: Principal, ship: dict[str, Any], *, kind: str, decision_id: int | None,
                    reason_codes: list[str], asked: list[str], message: str | None) -> dict[str, Any]:
    if kind not in answering.REFERRAL_KINDS:
        raise WorkError(f"referral kind must be one of {', '.join(answering.REFERRAL_KINDS)}", 422)
    bad = [f for f in asked if f not in REQUESTABLE_FIELDS]
    if bad:
        raise WorkError(f"cannot ask for {', '.join(bad)}; fields: {', '.join(REQUESTABLE_FIELDS)}", 422)
    rid = decisions.add_referral(conn, who.actor, ship, kind=kind, decision_id=decision_id,
                                 reason_codes=reason_codes, asked=asked, message=message)
    return {"referral_id": rid, "kind": kind, "status": "open"}


def record_outcome(conn: Connection, who: Principal, partner: str, shipment_id: str, *, result: str,
                   what: str | None = None, quantity: float | None = None, unit: str | None = None,
                   agency: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Record what an exam found.  Needs an exam or hold decision on the shipment.  A seizure opens an
    incident at once (and raises ``incident.created``, in this transaction)."""
    if bad := outcomes.problems(result, what, agency):
        raise WorkError(bad[0][1], 422)
    ship = shipments.find_shipment(conn, who.scope, partner, shipment_id)
    if ship is None:
        raise WorkError("no such shipment", 404)
    decision_id = decisions.last_exam_or_hold(conn, partner, shipment_id)
    if decision_id is None:
        raise WorkError("record an exam or hold decision before its outcome", 409)
    oid = decisions.add_outcome(conn, who.actor, ship, decision_id, result=result, what=what, quantity=quantity,
                                unit=unit, agency=agency, note=note)
    incident = None
    if result == "seized":
        inc = incidents.open_for_seizure(conn, who.actor, partner, shipment_id, oid, source="outcome", what=what,
                                         quantity=quantity, unit=unit)
        incident = inc["incident_id"] if inc else None
    return {"outcome_id": oid, "result": result, "decision_id": decision_id, "incident_id": incident}


def acknowledge(conn: Connection, who: Principal, referral_id: str) -> dict[str, Any]:
    r = decisions.get_referral(conn, who.scope, referral_id)
    if r is None:
        raise WorkError("no such referral", 404)
    if r["status"] != "open":
        raise WorkError(f"the referral is {r['status']}, not open", 409)
    decisions.acknowledge_referral(conn, who.actor, referral_id)
    return {**r, "status": "acknowledged"}


def respond(conn: Connection, who: Principal, referral_id: str, data: dict[str, str]) -> dict[str, Any]:
    """A partner's answer: the data asked for (every asked field must be there)."""
    r = decisions.get_referral(conn, who.scope, referral_id)
    if r is None:
        raise WorkError("no such referral", 404)
    if r["status"] not in ("open", "acknowledged"):
        raise WorkError(f"the referral is {r['status']}; it takes no more answers", 409)
    missing = [f for f in r["asked"] if not str(data.get(f, "")).strip()]
    if missing:
        raise WorkError(f"the answer lacks {', '.join(missing)}", 422)
    clean = {str(k)[:64]: str(v)[:4000] for k, v in list(data.items())[:50]}
    decisions.answer_referral(conn, who.actor, referral_id, clean)
    return {**r, "status": "answered", "response": clean}
