"""The workspace's sharing pages: incidents (the nominal part only for those allowed), alert subscriptions
with their delivery log (administrators), and an organisation's watches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from interdictor.answers import sharing as policy
from interdictor.service import sharing
from interdictor.service.auth import require, state
from interdictor.service.errors import ApiError
from interdictor.service.principal import Principal
from interdictor.service.web_pages import render
from interdictor.service.web_work import back
from interdictor.store import alerts, incidents, watches
from interdictor.store.audit import audit

router = APIRouter(include_in_schema=False)


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, me: Annotated[Principal, Depends(require("incidents"))],
                   status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    with state(request).read() as conn:
        rows = incidents.list_incidents(conn, me.scope, status=status if status in ("open", "withdrawn") else None,
                                        limit=200)
    return render(request, "incidents.html", me, rows=[sharing.incident_view(r, me) for r in rows],
                  status=status or "")


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str,
                  me: Annotated[Principal, Depends(require("incidents"))]) -> Response:
    with state(request).write() as conn:
        inc = incidents.get_incident(conn, me.scope, incident_id)
        if inc is None:
            raise ApiError(404, "no such incident", "not_found")
        view = sharing.incident_view(inc, me)
        audit(conn, me.actor, "incident.read", "incident", incident_id, {"share": view["share"]})
    return render(request, "incident.html", me, inc=view)


@router.post("/incidents/{incident_id}/withdraw")
def withdraw_form(request: Request, incident_id: str, me: Annotated[Principal, Depends(require("edit_incidents"))],
                  reason: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    with state(request).write() as conn:
        try:
            inc = sharing.editable(conn, me, incident_id)
        except sharing.SharingError as exc:
            raise ApiError(exc.status, str(exc)) from exc
        incidents.withdraw_incident(conn, me.actor, inc, reason)
    return back(f"/incidents/{incident_id}", "incident withdrawn")


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, me: Annotated[Principal, Depends(require("admin"))],
                status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    with state(request).read() as conn:
        subs = alerts.list_subscriptions(conn)
        log = alerts.delivery_log(conn, status=status if status in ("pending", "delivered", "dead") else None,
                                  limit=200)
        counts = alerts.counts(conn)
    return render(request, "alerts.html", me, subs=subs, log=log, counts=counts, status=status or "",
                  events=policy.EVENTS, secret=None)


@router.post("/alerts/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request, me: Annotated[Principal, Depends(require("admin"))],
                   org: Annotated[str, Form(max_length=64)], target: Annotated[str, Form(max_length=2000)],
                   events: Annotated[list[str], Form()]) -> Response:
    by_mail = "@" in target and "://" not in target
    with state(request).write() as conn:
        try:
            sid, secret = sharing.subscribe(conn, me.actor, org_id=org, url=None if by_mail else target,
                                            email=target if by_mail else None, events=events, secret=None)
        except sharing.SharingError as exc:
            raise ApiError(exc.status, str(exc)) from exc
        subs = alerts.list_subscriptions(conn)
        log = alerts.delivery_log(conn, limit=200)
        counts = alerts.counts(conn)
    # the secret is shown once, on this page, never again
    return render(request, "alerts.html", me, subs=subs, log=log, counts=counts, status="",
                  events=policy.EVENTS, secret=secret, created=sid)


@router.get("/watches", response_class=HTMLResponse)
def watches_page(request: Request, me: Annotated[Principal, Depends(require("watches"))]) -> Response:
    with state(request).read() as conn:
        rows = watches.list_watches(conn, None if me.role == "admin" else me.org_id)
    return render(request, "watches.html", me, rows=rows, kinds=watches.KINDS)


@router.post("/watches/add")
def watch_form(request: Request, me: Annotated[Principal, Depends(require("watches"))],
               kind: Annotated[str, Form(max_length=16)], value: Annotated[str, Form(min_length=1, max_length=500)],
               country: Annotated[str | None, Form(max_length=2)] = None) -> Response:
    with state(request).write() as conn:
        try:
            sharing.add_watch(conn, me, None, kind, value, country=country or None)
        except sharing.SharingError as exc:
            raise ApiError(exc.status, str(exc)) from exc
    return back("/watches", f"watching {kind} {value}")
