"""Incidents: what a seizure teaches, kept in a non-nominal and a nominal part and shared by policy.

An incident is opened at once when a seizure is recorded (the workspace, the API, or
``outcomes import --notify``), or by an officer by hand; it can be edited and withdrawn.  Each
change is audited; opening one raises ``incident.created`` in the same transaction.  The parts:

- ``identifiers``: filer (partner code), shipment id, house and master bill, postal item id;
- ``non_nominal``: ``what`` (substance or equipment, quantity, unit) and ``how`` (the description
  used, HS codes, concealment, packaging, route, gateway, dates) — no names, no bills, no filer;
- ``nominal``: ``who`` (the parties: names, addresses, phones, e-mails).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, false, insert, select, update

from interdictor.store import schema_sharing as sh
from interdictor.store import shipments
from interdictor.store.audit import audit
from interdictor.store.events import emit
from interdictor.store.scope import Scope

WHAT_FIELDS = ("substance", "quantity", "unit")
HOW_FIELDS = ("description", "hs_codes", "concealment", "packaging", "route", "gateway", "dates")
PARTY_FIELDS = ("role", "name", "address", "city", "state", "postal_code", "country", "phone", "email")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return str(value)


def from_shipment(conn: Connection, partner: str, shipment_id: str, *, what: str | None, quantity: float | None,
                  unit: str | None, examined_at: datetime | None = None) -> dict[str, Any] | None:
    """The three parts of an incident about a stored shipment (its current version), from what was filed."""
    d = shipments.shipment_detail(conn, Scope.everything(), partner, shipment_id)
    if d is None:
        return None
    s = d["shipment"]
    route = {k: s.get(k) for k in ("mode", "origin_country", "origin_port", "routing", "destination_port")}
    how = {
        "description": [i["description"] for i in d["items"] if i.get("description")],
        "hs_codes": sorted({i["hs_code"] for i in d["items"] if i.get("hs_code")}),
        "concealment": None,
        "packaging": {"pieces": s.get("pieces"), "gross_weight_kg": s.get("gross_weight_kg"),
                      "declared_value": s.get("declared_value"), "currency": s.get("currency")},
        "route": route,
        "gateway": s.get("destination_port"),
        "dates": {"filed_at": _iso(s.get("filed_at")), "examined_at": _iso(examined_at)},
    }
    who = [{"role": p.get("party"), **{k: p.get(k) for k in PARTY_FIELDS if k != "role"}} for p in d["parties"]]
    a = d["assessment"]
    return {
        "version": s["version"], "corridor": a["corridor"] if a else None,
        "identifiers": {"partner": partner, "shipment_id": shipment_id, "hawb": s.get("hawb"), "mawb": s.get("mawb"),
                        "postal_item_id": s.get("postal_item_id"), "filer": s.get("filer")},
        "non_nominal": {"what": {"substance": what, "quantity": quantity, "unit": unit}, "how": how},
        "nominal": {"who": who},
    }


def event_data(inc: dict[str, Any]) -> dict[str, Any]:
    """An incident as an event carries it (sections the sharing policy cuts)."""
    return {"incident_id": inc["incident_id"], "status": inc["status"], "source": inc["source"],
            "opened_at": _iso(inc["opened_at"]), "corridor": inc["corridor"], "shipment": inc["identifiers"],
            "non_nominal": inc["non_nominal"], "nominal": inc["nominal"]}


def open_incident(conn: Connection, actor: str, *, source: str, parts: dict[str, Any],
                  partner: str | None = None, shipment_id: str | None = None, outcome_id: int | None = None,
                  detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store a new incident (``parts``: identifiers, non_nominal, nominal, and version and corridor when it is
    about a shipment), audit it and raise ``incident.created``; the incident."""
    inc: dict[str, Any] = {
        "incident_id": str(uuid.uuid4()), "partner": partner, "shipment_id": shipment_id,
        "version": parts.get("version"), "outcome_id": outcome_id, "corridor": parts.get("corridor"),
        "status": "open", "source": source, "identifiers": parts.get("identifiers") or {},
        "non_nominal": parts.get("non_nominal") or {}, "nominal": parts.get("nominal") or {},
        "opened_by": actor, "opened_at": _now(), "updated_by": None, "updated_at": None,
    }
    conn.execute(insert(sh.incidents).values(**{k: json.dumps(v, default=str) if k in (
        "identifiers", "non_nominal", "nominal") else v for k, v in inc.items()}))
    audit(conn, actor, "incident.create", "incident", inc["incident_id"],
          {"source": source, "shipment": f"{partner}/{shipment_id}" if shipment_id else None,
           "outcome_id": outcome_id, **(detail or {})})
    emit(conn, "incident.created", event_data(inc), partner=partner, shipment_id=shipment_id,
         corridor=inc["corridor"])
    return inc


def _row(r: Any) -> dict[str, Any]:
    d = dict(r)
    for k in ("identifiers", "non_nominal", "nominal"):
        d[k] = json.loads(d[k]) if d.get(k) else {}
    return d


def _scoped(q: Any, scope: Scope) -> Any:
    t = sh.incidents
    if scope.nothing:
        return q.where(false())
    cond = []
    if scope.partner is not None:
        cond.append(t.c.partner == scope.partner)
    if scope.corridors is not None:
        cond.append(t.c.corridor.in_(sorted(scope.corridors)))
    return q.where(and_(*cond)) if cond else q


def list_incidents(conn: Connection, scope: Scope, *, status: str | None = None, limit: int = 100,
                   offset: int = 0) -> list[dict[str, Any]]:
    t = sh.incidents
    q = _scoped(select(t), scope)
    if status:
        q = q.where(t.c.status == status)
    q = q.order_by(t.c.opened_at.desc(), t.c.incident_id).limit(max(1, min(limit, 500))).offset(max(0, offset))
    return [_row(r) for r in conn.execute(q).mappings()]


def get_incident(conn: Connection, scope: Scope, incident_id: str) -> dict[str, Any] | None:
    t = sh.incidents
    r = conn.execute(_scoped(select(t).where(t.c.incident_id == incident_id), scope)).mappings().first()
    return _row(r) if r else None


def of_outcome(conn: Connection, outcome_id: int) -> str | None:
    t = sh.incidents
    return conn.execute(select(t.c.incident_id).where(t.c.outcome_id == outcome_id)).scalar_one_or_none()


def edit_incident(conn: Connection, actor: str, inc: dict[str, Any], *, what: dict[str, Any] | None = None,
                  how: dict[str, Any] | None = None, who: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Change the fields given (``what`` and ``how`` merge into the non-nominal part, ``who`` replaces the
    parties); audited with the names of the fields changed."""
    nn = dict(inc["non_nominal"])
    if what:
        nn["what"] = {**nn.get("what", {}), **{k: v for k, v in what.items() if k in WHAT_FIELDS}}
    if how:
        nn["how"] = {**nn.get("how", {}), **{k: v for k, v in how.items() if k in HOW_FIELDS}}
    nominal = dict(inc["nominal"])
    if who is not None:
        nominal["who"] = [{k: p.get(k) for k in PARTY_FIELDS} for p in who]
    now = _now()
    t = sh.incidents
    conn.execute(update(t).where(t.c.incident_id == inc["incident_id"]).values(
        non_nominal=json.dumps(nn, default=str), nominal=json.dumps(nominal, default=str), updated_by=actor,
        updated_at=now))
    audit(conn, actor, "incident.edit", "incident", inc["incident_id"],
          {"what": sorted(what or {}), "how": sorted(how or {}), "who": who is not None})
    return {**inc, "non_nominal": nn, "nominal": nominal, "updated_by": actor, "updated_at": now}


def withdraw_incident(conn: Connection, actor: str, inc: dict[str, Any], reason: str) -> dict[str, Any]:
    now = _now()
    t = sh.incidents
    conn.execute(update(t).where(t.c.incident_id == inc["incident_id"]).values(
        status="withdrawn", updated_by=actor, updated_at=now))
    audit(conn, actor, "incident.withdraw", "incident", inc["incident_id"], {"reason": reason})
    return {**inc, "status": "withdrawn", "updated_by": actor, "updated_at": now}


def open_for_seizure(conn: Connection, actor: str, partner: str, shipment_id: str, outcome_id: int, *, source: str,
                     what: str | None, quantity: float | None, unit: str | None,
                     examined_at: datetime | None = None, detail: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The incident a recorded seizure opens at once (None when the shipment is not stored)."""
    parts = from_shipment(conn, partner, shipment_id, what=what, quantity=quantity, unit=unit, examined_at=examined_at)
    if parts is None:
        return None
    return open_incident(conn, actor, source=source, parts=parts, partner=partner, shipment_id=shipment_id,
                         outcome_id=outcome_id, detail=detail)
