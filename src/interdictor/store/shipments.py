"""Scoped reads of stored shipments and their parties.

Every function takes the reader's ``Scope`` and puts it into the query itself: a
partner's reads carry ``partner = <its code>``, a law-enforcement reader's carry
``EXISTS (an assessment in a granted corridor)``.  A shipment outside the scope is
simply not found — the same answer as an id that does not exist, so ids cannot be
probed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, false, func, or_, select

from interdictor.store import schema as t
from interdictor.store.scope import Scope

S, A, P, IT, R = t.shipments, t.assessments, t.parties, t.items, t.reasons


def scoped(q: Select[Any], scope: Scope, ship: Any = S) -> Select[Any]:
    """``q`` limited to the shipments ``scope`` may read (``ship``: the shipments table or alias in ``q``)."""
    if scope.nothing:
        return q.where(false())
    if scope.partner is not None:
        q = q.where(ship.c.partner == scope.partner)
    if scope.corridors is not None:
        a = A.alias("scope_a")
        q = q.where(exists().where(a.c.partner == ship.c.partner, a.c.shipment_id == ship.c.shipment_id,
                                   a.c.version == ship.c.version, a.c.corridor.in_(sorted(scope.corridors))))
    return q


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day)
    return start, start + timedelta(days=1)


def filed_since(since: datetime) -> Any:
    """Shipments filed at or after ``since`` (received at or after it when the filing time is unknown)."""
    return or_(S.c.filed_at >= since, and_(S.c.filed_at.is_(None), S.c.received_at >= since))


def latest_assessment(conn: Connection, partner: str, shipment_id: str, version: int) -> dict[str, Any] | None:
    row = conn.execute(select(A).where(A.c.partner == partner, A.c.shipment_id == shipment_id, A.c.version == version)
                       .order_by(A.c.created_at.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def find_shipment(conn: Connection, scope: Scope, partner: str, shipment_id: str) -> dict[str, Any] | None:
    """The current version of a shipment, if the scope may read it."""
    q = scoped(select(S).where(S.c.partner == partner, S.c.shipment_id == shipment_id, S.c.is_current.is_(True)), scope)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def shipment_detail(conn: Connection, scope: Scope, partner: str, shipment_id: str) -> dict[str, Any] | None:
    ship = find_shipment(conn, scope, partner, shipment_id)
    if ship is None:
        return None
    key = (S.c.partner == partner, S.c.shipment_id == shipment_id)
    v = ship["version"]
    items = [dict(r) for r in conn.execute(select(IT).where(IT.c.partner == partner, IT.c.shipment_id == shipment_id,
                                                           IT.c.version == v).order_by(IT.c.item)).mappings()]
    parties = [dict(r) for r in conn.execute(select(P).where(P.c.partner == partner, P.c.shipment_id == shipment_id,
                                                             P.c.version == v)).mappings()]
    assessment = latest_assessment(conn, partner, shipment_id, v)
    reasons = []
    if assessment is not None:
        reasons = [dict(r) for r in conn.execute(
            select(R.c.code, R.c.weight, R.c.evidence, R.c.item, R.c.party).where(
                R.c.partner == partner, R.c.shipment_id == shipment_id, R.c.version == v,
                R.c.run_id == assessment["run_id"]).order_by(R.c.weight.desc(), R.c.code)).mappings()]
    versions = [dict(r) for r in conn.execute(select(S.c.version, S.c.received_at, S.c.content_hash, S.c.is_current)
                                              .where(*key).order_by(S.c.version)).mappings()]
    return {"shipment": ship, "items": items, "parties": parties, "assessment": assessment, "reasons": reasons,
            "versions": versions, "inputs": run_inputs(conn, assessment["run_id"]) if assessment else {}}


def run_inputs(conn: Connection, run_id: str) -> dict[str, Any]:
    """The versions of every input a run screened with (rule set, model, watchlists, ...); {} when unknown."""
    text = conn.execute(select(t.ingest_runs.c.versions).where(t.ingest_runs.c.run_id == run_id)).scalar_one_or_none()
    try:
        found = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


@dataclass
class SearchQuery:
    text: str | None = None  # shipment id, house or master bill, postal item id
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    hs_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    corridor: str | None = None
    disposition: str | None = None
    limit: int = 50
    offset: int = 0


def contains_pattern(value: str) -> str:
    """A LIKE pattern for "contains ``value``" (lower-cased; the user's own wildcards taken out)."""
    cleaned = value.strip().lower().replace("\\", "").replace("%", "").replace("_", " ")
    return f"%{cleaned}%"


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def search_shipments(conn: Connection, scope: Scope, q: SearchQuery) -> list[dict[str, Any]]:
    """Current shipments matching every given field, newest first, with their latest assessment."""
    cond: list[Any] = [S.c.is_current.is_(True)]
    if q.text:
        v = q.text.strip()
        cond.append(or_(S.c.shipment_id == v, S.c.hawb == v, S.c.mawb == v, S.c.postal_item_id == v,
                        func.lower(S.c.shipment_id).like(contains_pattern(v))))
    party_cond: list[Any] = []
    if q.name:
        party_cond.append(func.lower(P.c.name).like(contains_pattern(q.name)))
    if q.address:
        like = contains_pattern(q.address)
        party_cond.append(or_(func.lower(P.c.address).like(like), func.lower(P.c.city).like(like),
                              func.lower(P.c.postal_code).like(like)))
    if q.phone and _digits(q.phone):
        party_cond.append(func.replace(func.replace(func.replace(func.replace(P.c.phone, " ", ""), "-", ""), "+", ""),
                                       ".", "").like(f"%{_digits(q.phone)}%"))
    if q.email:
        party_cond.append(func.lower(P.c.email).like(contains_pattern(q.email)))
    if party_cond:
        cond.append(exists().where(P.c.partner == S.c.partner, P.c.shipment_id == S.c.shipment_id,
                                   P.c.version == S.c.version, and_(*party_cond)))
    if q.hs_code and _digits(q.hs_code):
        cond.append(exists().where(IT.c.partner == S.c.partner, IT.c.shipment_id == S.c.shipment_id,
                                   IT.c.version == S.c.version, IT.c.hs_code.like(f"{_digits(q.hs_code)}%")))
    if q.date_from:
        cond.append(S.c.received_at >= day_bounds(q.date_from)[0])
    if q.date_to:
        cond.append(S.c.received_at < day_bounds(q.date_to)[1])
    if q.corridor or q.disposition:
        fa = A.alias("f")
        acond = [fa.c.partner == S.c.partner, fa.c.shipment_id == S.c.shipment_id, fa.c.version == S.c.version]
        if q.corridor:
            acond.append(fa.c.corridor == q.corridor)
        if q.disposition:
            acond.append(fa.c.disposition == q.disposition)
        cond.append(exists().where(*acond))
    stmt = scoped(select(S.c.partner, S.c.shipment_id, S.c.version, S.c.hawb, S.c.mawb, S.c.mode, S.c.received_at,
                         S.c.origin_country, S.c.destination_port).where(*cond), scope)
    stmt = stmt.order_by(S.c.received_at.desc(), S.c.shipment_id).limit(max(1, min(q.limit, 500))).offset(max(0, q.offset))
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    for r in rows:
        got = latest_assessment(conn, r["partner"], r["shipment_id"], r["version"])
        r.update({"score": got["score"], "disposition": got["disposition"], "corridor": got["corridor"]} if got else
                 {"score": None, "disposition": None, "corridor": None})
    return rows


def search_parties(conn: Connection, scope: Scope, q: SearchQuery) -> list[dict[str, Any]]:
    """Distinct parties (name, address, city, country, phone, email) matching, with how many shipments name them."""
    cond: list[Any] = [S.c.is_current.is_(True)]
    if q.name:
        cond.append(func.lower(P.c.name).like(contains_pattern(q.name)))
    if q.address:
        cond.append(or_(func.lower(P.c.address).like(contains_pattern(q.address)), func.lower(P.c.city).like(contains_pattern(q.address))))
    if q.phone and _digits(q.phone):
        cond.append(P.c.phone.like(f"%{_digits(q.phone)[-7:]}%"))
    if q.email:
        cond.append(func.lower(P.c.email).like(contains_pattern(q.email)))
    if len(cond) == 1:
        return []
    cols = (P.c.party, P.c.name, P.c.address, P.c.city, P.c.state, P.c.postal_code, P.c.country, P.c.phone, P.c.email)
    stmt = scoped(select(*cols, func.count().label("shipments"), func.max(S.c.received_at).label("last_seen"))
                  .select_from(P.join(S, and_(S.c.partner == P.c.partner, S.c.shipment_id == P.c.shipment_id,
                                              S.c.version == P.c.version)))
                  .where(*cond), scope).group_by(*cols).order_by(func.count().desc()).limit(max(1, min(q.limit, 500)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def linked_shipments(conn: Connection, scope: Scope, parties: list[dict[str, Any]], exclude: tuple[str, str],
                     limit: int = 60) -> list[dict[str, Any]]:
    """Other current shipments sharing a party's name, address, phone or email: ``via`` says which."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for p in parties:
        checks = []
        if p.get("name"):
            checks.append(("name", func.lower(P.c.name) == str(p["name"]).lower()))
        if p.get("address"):
            checks.append(("address", and_(func.lower(P.c.address) == str(p["address"]).lower(),
                                           func.coalesce(P.c.postal_code, "") == (p.get("postal_code") or ""))))
        if p.get("phone") and len(_digits(p["phone"])) >= 7:
            checks.append(("phone", P.c.phone == p["phone"]))
        if p.get("email"):
            checks.append(("email", func.lower(P.c.email) == str(p["email"]).lower()))
        for via, cond in checks:
            stmt = scoped(select(S.c.partner, S.c.shipment_id, S.c.received_at, P.c.party, P.c.name)
                          .select_from(P.join(S, and_(S.c.partner == P.c.partner, S.c.shipment_id == P.c.shipment_id,
                                                      S.c.version == P.c.version)))
                          .where(S.c.is_current.is_(True), cond), scope).order_by(S.c.received_at.desc()).limit(limit)
            for r in conn.execute(stmt).mappings():
                k = (r["partner"], r["shipment_id"])
                if k == exclude:
                    continue
                hit = out.setdefault(k, {"partner": k[0], "shipment_id": k[1], "received_at": r["received_at"],
                                         "via": [], "name": r["name"]})
                tag = f"{p['party']}→{r['party']} {via}"
                if tag not in hit["via"]:
                    hit["via"].append(tag)
    rows = sorted(out.values(), key=lambda h: (-len(h["via"]), str(h["received_at"])), reverse=False)[:limit]
    for row in rows:
        cur = conn.execute(select(S.c.version).where(S.c.partner == row["partner"], S.c.shipment_id == row["shipment_id"],
                                                     S.c.is_current.is_(True))).first()
        a = latest_assessment(conn, row["partner"], row["shipment_id"], cur[0]) if cur else None
        row["score"] = a["score"] if a else None
        row["disposition"] = a["disposition"] if a else None
    return rows
