"""Incidents, alert subscriptions, watches and sharing groups: what may be done, and by whom.

The SQL and the audit lines are the store's (``store/incidents.py``, ``store/alerts.py``,
``store/watches.py``, ``store/events.py``); what each organisation is pushed is the sharing
policy's (``answers/sharing.py``).  Reads through the API follow the reader's scope, and a reader
without the right to a nominal part (a partner) gets the filer's share of an incident.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from interdictor.answers import sharing
from interdictor.service.principal import NOMINAL_ROLES, Principal
from interdictor.store import accounts, alerts, groups, incidents, shipments, watches

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]+$")


class SharingError(ValueError):
    """A request that cannot be carried out; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------ incidents


def incident_view(inc: dict[str, Any], who: Principal) -> dict[str, Any]:
    """An incident as ``who`` may read it: whole, or (a partner) the filer's share."""
    base = {k: inc[k] for k in ("incident_id", "status", "source", "corridor", "opened_at", "updated_at")}
    if who.role in NOMINAL_ROLES:
        return {**base, "partner": inc["partner"], "shipment_id": inc["shipment_id"], "outcome_id": inc["outcome_id"],
                "opened_by": inc["opened_by"], "updated_by": inc["updated_by"], "share": "whole",
                "shipment": inc["identifiers"], "non_nominal": inc["non_nominal"], "nominal": inc["nominal"]}
    cut = sharing.cut({"shipment": inc["identifiers"], "non_nominal": inc["non_nominal"], "nominal": inc["nominal"]},
                      "filer")
    return {**base, "share": "filer", **cut}


def open_by_hand(conn: Connection, who: Principal, *, partner: str | None, shipment_id: str | None,
                 what: dict[str, Any], how: dict[str, Any], parties: list[dict[str, Any]] | None) -> dict[str, Any]:
    """An incident an officer opens: about a shipment they may read (its contents filled from what was filed,
    then what they give), or about none (only what they give)."""
    if (partner is None) != (shipment_id is None):
        raise SharingError("name both the partner and the shipment id, or neither")
    if partner is not None and shipment_id is not None:
        if shipments.find_shipment(conn, who.scope, partner, shipment_id) is None:
            raise SharingError("no such shipment", 404)
        parts = incidents.from_shipment(conn, partner, shipment_id, what=None, quantity=None, unit=None)
        assert parts is not None
    else:
        parts = {"identifiers": {}, "non_nominal": {"what": {}, "how": {}}, "nominal": {"who": []}}
    nn = parts["non_nominal"]
    nn["what"] = {**nn.get("what", {}), **{k: v for k, v in what.items() if k in incidents.WHAT_FIELDS}}
    nn["how"] = {**nn.get("how", {}), **{k: v for k, v in how.items() if k in incidents.HOW_FIELDS and v is not None}}
    if parties is not None:
        parts["nominal"] = {"who": [{k: p.get(k) for k in incidents.PARTY_FIELDS} for p in parties]}
    return incidents.open_incident(conn, who.actor, source="manual", parts=parts, partner=partner,
                                   shipment_id=shipment_id)


def editable(conn: Connection, who: Principal, incident_id: str) -> dict[str, Any]:
    inc = incidents.get_incident(conn, who.scope, incident_id)
    if inc is None:
        raise SharingError("no such incident", 404)
    if inc["status"] != "open":
        raise SharingError(f"the incident is {inc['status']}", 409)
    return inc


# ------------------------------------------------------------------ alert subscriptions


def subscribe(conn: Connection, actor: str, *, org_id: str, url: str | None, email: str | None, events: list[str],
              secret: str | None) -> tuple[str, str | None]:
    """A subscription of ``org_id`` to ``events`` by webhook (``url``) or e-mail; its id and the webhook's
    secret (generated when none is given: the receiver needs it to check signatures)."""
    if accounts.get_org(conn, org_id) is None:
        raise SharingError(f"no organisation {org_id!r}", 404)
    if (url is None) == (email is None):
        raise SharingError("give a webhook URL or an e-mail address (one of them)")
    bad = [e for e in events if e not in sharing.EVENTS]
    if bad or not events:
        raise SharingError(f"events are among {', '.join(sharing.EVENTS)}; not {', '.join(bad) or 'none'}")
    if url is not None:
        u = urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise SharingError(f"{url!r} is not an http(s) URL")
        secret = secret or secrets.token_urlsafe(32)
        return alerts.add_subscription(conn, actor, org_id=org_id, channel="webhook", target=url,
                                       events=sorted(set(events)), secret=secret), secret
    assert email is not None
    if not EMAIL.match(email):
        raise SharingError(f"{email!r} is not an e-mail address")
    return alerts.add_subscription(conn, actor, org_id=org_id, channel="email", target=email,
                                   events=sorted(set(events)), secret=None), None


# ------------------------------------------------------------------ watches


def watch_org(who: Principal, org_id: str | None) -> str:
    """The organisation a watch request is for: one's own; an administrator may name any."""
    if org_id is None or org_id == who.org_id:
        return who.org_id
    if who.role != "admin":
        raise SharingError("an organisation registers its own watches", 403)
    return org_id


def add_watch(conn: Connection, who: Principal, org_id: str | None, kind: str, value: str, *, note: str | None = None,
              postal_code: str | None = None, country: str | None = None) -> dict[str, Any]:
    org = watch_org(who, org_id)
    if accounts.get_org(conn, org) is None:
        raise SharingError(f"no organisation {org!r}", 404)
    try:
        return watches.add_watch(conn, who.actor, org, kind, value, note=note, postal_code=postal_code,
                                 country=country)
    except watches.WatchError as exc:
        raise SharingError(str(exc)) from exc


# ------------------------------------------------------------------ sharing groups


def create_group(conn: Connection, actor: str, group_id: str, name: str, kind: str, corridor: str | None,
                 policy: str) -> None:
    if kind not in sharing.GROUP_KINDS:
        raise SharingError(f"a group is one of {', '.join(sharing.GROUP_KINDS)}")
    if policy not in sharing.GROUP_POLICIES:
        raise SharingError(f"a group's policy is one of {', '.join(sharing.GROUP_POLICIES)}")
    if groups.exists(conn, group_id):
        raise SharingError(f"group {group_id!r} exists already", 409)
    groups.insert_group(conn, actor, group_id, name, kind, corridor, policy)


def add_member(conn: Connection, actor: str, group_id: str, org_id: str) -> None:
    if not groups.exists(conn, group_id):
        raise SharingError(f"no group {group_id!r}", 404)
    if accounts.get_org(conn, org_id) is None:
        raise SharingError(f"no organisation {org_id!r}", 404)
    groups.add_member(conn, actor, group_id, org_id)
