"""API: incidents, alert subscriptions and their delivery log, watches and sharing groups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from interdictor.answers import sharing as policy
from interdictor.service import sharing, views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.params import NotBlank
from interdictor.service.principal import Principal
from interdictor.store import alerts, groups, incidents, watches
from interdictor.store.audit import audit

router = APIRouter(responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(require("admin"))]
EventName = Literal["incident.created", "referral.created", "watch.hit", "list.hit", "notification.unmatched"]
assert set(EventName.__args__) == set(policy.EVENTS)  # type: ignore[attr-defined]


@contextmanager
def answering() -> Iterator[None]:
    try:
        yield
    except sharing.SharingError as exc:
        raise ApiError(exc.status, str(exc)) from exc


# ------------------------------------------------------------------ incidents


class WhatIn(BaseModel):
    substance: str | None = Field(None, max_length=500, description="Substance or equipment")
    quantity: float | None = Field(None, ge=0, le=1e9)
    unit: str | None = Field(None, max_length=16)


class HowIn(BaseModel):
    description: list[Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=50,
                                                                              description="Descriptions used")
    concealment: str | None = Field(None, max_length=1000)
    packaging: str | None = Field(None, max_length=1000)
    route: str | None = Field(None, max_length=500)
    gateway: str | None = Field(None, max_length=16)
    dates: dict[str, Annotated[str, Field(max_length=40)]] | None = Field(None, max_length=10)


class PartyIn(BaseModel):
    role: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=300)
    address: str | None = Field(None, max_length=500)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=200)


class IncidentIn(BaseModel):
    partner: str | None = Field(None, max_length=64, description="With shipment_id: the shipment it is about")
    shipment_id: str | None = Field(None, max_length=128)
    what: WhatIn | None = None
    how: HowIn | None = None
    who: list[PartyIn] | None = Field(None, max_length=20, description="Parties (the nominal part)")


class IncidentEdit(BaseModel):
    what: WhatIn | None = None
    how: HowIn | None = None
    who: list[PartyIn] | None = Field(None, max_length=20)


class WithdrawIn(BaseModel):
    reason: NotBlank = Field(max_length=2000)


def _given(m: BaseModel | None) -> dict[str, Any]:
    return m.model_dump(exclude_unset=True) if m is not None else {}


@router.get("/incidents", tags=["sharing"], summary="Incidents (a partner: its own shipments', non-nominal)")
def list_incidents(request: Request, who: Annotated[Principal, Depends(require("incidents"))],
                   status: Annotated[Literal["open", "withdrawn"] | None, Query()] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
    with state(request).read() as conn:
        rows = incidents.list_incidents(conn, who.scope, status=status, limit=limit, offset=offset)
    return {"results": views.jsonable([sharing.incident_view(r, who) for r in rows])}


@router.get("/incidents/{incident_id}", tags=["sharing"], summary="One incident (audited)")
def get_incident(request: Request, incident_id: str,
                 who: Annotated[Principal, Depends(require("incidents"))]) -> dict[str, Any]:
    with state(request).write() as conn:
        inc = incidents.get_incident(conn, who.scope, incident_id)
        if inc is None:
            raise ApiError(404, "no such incident", "not_found")
        view = sharing.incident_view(inc, who)
        audit(conn, who.actor, "incident.read", "incident", incident_id, {"share": view["share"]})
    return dict(views.jsonable(view))


@router.post("/incidents", status_code=201, tags=["sharing"], summary="Open an incident by hand (audited)")
def open_incident(request: Request, body: IncidentIn,
                  who: Annotated[Principal, Depends(require("edit_incidents"))]) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        inc = sharing.open_by_hand(conn, who, partner=body.partner, shipment_id=body.shipment_id,
                                   what=_given(body.what), how=_given(body.how),
                                   parties=[p.model_dump() for p in body.who] if body.who is not None else None)
    return dict(views.jsonable(sharing.incident_view(inc, who)))


@router.patch("/incidents/{incident_id}", tags=["sharing"], summary="Edit an open incident (audited)")
def edit_incident(request: Request, incident_id: str, body: IncidentEdit,
                  who: Annotated[Principal, Depends(require("edit_incidents"))]) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        inc = sharing.editable(conn, who, incident_id)
        inc = incidents.edit_incident(conn, who.actor, inc, what=_given(body.what), how=_given(body.how),
                                      who=[p.model_dump() for p in body.who] if body.who is not None else None)
    return dict(views.jsonable(sharing.incident_view(inc, who)))


@router.post("/incidents/{incident_id}/withdraw", tags=["sharing"], summary="Withdraw an incident (audited)")
def withdraw_incident(request: Request, incident_id: str, body: WithdrawIn,
                      who: Annotated[Principal, Depends(require("edit_incidents"))]) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        inc = sharing.editable(conn, who, incident_id)
        inc = incidents.withdraw_incident(conn, who.actor, inc, body.reason)
    return dict(views.jsonable(sharing.incident_view(inc, who)))


# ------------------------------------------------------------------ alerts (administrators)


class SubscriptionIn(BaseModel):
    org: str = Field(max_length=64, description="The organisation pushed to")
    url: str | None = Field(None, max_length=2000, description="Webhook URL (or give email)")
    email: str | None = Field(None, max_length=320, description="E-mail address (or give url)")
    events: list[EventName] = Field(min_length=1, max_length=len(policy.EVENTS))
    secret: str | None = Field(None, min_length=16, max_length=200,
                               description="HMAC key of the signature (default: generated, returned once)")


@router.post("/alerts/subscriptions", status_code=201, tags=["alerts"], summary="Subscribe an organisation to events")
def subscribe(request: Request, body: SubscriptionIn, who: Admin) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        sid, secret = sharing.subscribe(conn, who.actor, org_id=body.org, url=body.url, email=body.email,
                                        events=list(body.events), secret=body.secret)
        sub = alerts.get_subscription(conn, sid)
    return {**views.jsonable(sub), "secret": secret}


@router.get("/alerts/subscriptions", tags=["alerts"], summary="Alert subscriptions (secrets left out)")
def list_subscriptions(request: Request, who: Admin,
                       org: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    with state(request).read() as conn:
        return {"results": views.jsonable(alerts.list_subscriptions(conn, org))}


@router.delete("/alerts/subscriptions/{subscription_id}", tags=["alerts"], summary="End a subscription")
def unsubscribe(request: Request, subscription_id: str, who: Admin) -> dict[str, Any]:
    with state(request).write() as conn:
        if not alerts.deactivate(conn, who.actor, subscription_id):
            raise ApiError(404, "no such active subscription", "not_found")
    return {"subscription_id": subscription_id, "active": False}


@router.get("/alerts/deliveries", tags=["alerts"], summary="The delivery log, newest first")
def delivery_log(request: Request, who: Admin, org: Annotated[str | None, Query(max_length=64)] = None,
                 status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    with state(request).read() as conn:
        return {"counts": alerts.counts(conn),
                "results": views.jsonable(alerts.delivery_log(conn, org_id=org, status=status, limit=limit))}


# ------------------------------------------------------------------ watches


class WatchIn(BaseModel):
    kind: Literal["account", "name", "address", "phone", "email"]
    value: NotBlank = Field(max_length=500)
    org: str | None = Field(None, max_length=64, description="Administrators: the organisation (default: yours)")
    postal_code: str | None = Field(None, max_length=20, description="Address: its postal code, if known")
    country: str | None = Field(None, max_length=2, description="Address: its country, if known")
    note: str | None = Field(None, max_length=1000)


@router.post("/watches", status_code=201, tags=["sharing"], summary="Watch an identifier (hits raise watch.hit)")
def add_watch(request: Request, body: WatchIn, who: Annotated[Principal, Depends(require("watches"))]) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        w = sharing.add_watch(conn, who, body.org, body.kind, body.value, note=body.note,
                              postal_code=body.postal_code, country=body.country)
    return dict(views.jsonable(w))


@router.get("/watches", tags=["sharing"], summary="Your organisation's watches (administrators: any)")
def list_watches(request: Request, who: Annotated[Principal, Depends(require("watches"))],
                 org: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    with answering(), state(request).read() as conn:
        target = sharing.watch_org(who, org) if (org or who.role != "admin") else None
        return {"results": views.jsonable(watches.list_watches(conn, target))}


@router.delete("/watches/{watch_id}", tags=["sharing"], summary="Stop watching")
def remove_watch(request: Request, watch_id: str,
                 who: Annotated[Principal, Depends(require("watches"))]) -> dict[str, Any]:
    with state(request).write() as conn:
        if not watches.remove_watch(conn, who.actor, watch_id, None if who.role == "admin" else who.org_id):
            raise ApiError(404, "no such watch", "not_found")
    return {"watch_id": watch_id, "removed": True}


# ------------------------------------------------------------------ sharing groups (administrators)


class GroupIn(BaseModel):
    group_id: str = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    name: NotBlank = Field(max_length=200)
    kind: Literal["task_force", "national", "industry"]
    corridor: str | None = Field(None, max_length=64, description="Its corridor (none: every corridor)")
    policy: Literal["whole", "non_nominal"] = "non_nominal"
    members: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=500)


@router.post("/sharing/groups", status_code=201, tags=["sharing"], summary="Create a sharing group")
def create_group(request: Request, body: GroupIn, who: Admin) -> dict[str, Any]:
    with answering(), state(request).write() as conn:
        sharing.create_group(conn, who.actor, body.group_id, body.name, body.kind, body.corridor, body.policy)
        for org in body.members:
            sharing.add_member(conn, who.actor, body.group_id, org)
        rows = [g for g in groups.list_groups(conn) if g["group_id"] == body.group_id]
    return dict(views.jsonable(rows[0]))


@router.get("/sharing/groups", tags=["sharing"], summary="Sharing groups and their members")
def list_groups(request: Request, who: Admin) -> dict[str, Any]:
    with state(request).read() as conn:
        return {"results": views.jsonable(groups.list_groups(conn))}
