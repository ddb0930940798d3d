"""What each organisation may be told of an event: the sharing policy, pure.

An event's ``data`` is whole, in sections: ``shipment`` (the identifiers: filer, shipment id, house
and master bill), ``non_nominal`` (goods, route, modus operandi), ``nominal`` (names, addresses,
phones, e-mails) and ``internal`` (scores, rules, list names); other top-level keys (an incident's
id, a referral's kind) travel with every share.  A recipient gets one of three shares:

- ``whole``: the targeting authority, and a law-enforcement organisation granted the event's
  corridor (or named as a recipient, or a member of a ``whole`` group covering the corridor);
- ``filer``: the partner that filed the shipment — its own shipment's identifiers and the
  non-nominal part, never a nominal or internal part;
- ``anonymous``: any other member of a group whose corridor covers the event (incidents only) —
  the non-nominal part without shipment id, air waybill or partner name.

A partner never receives a nominal part, whatever a group's policy says.  Which audiences an event
reaches is ``AUDIENCES``; an event not listed reaches the authority, the corridor's law enforcement
and the organisations it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

EVENTS = ("incident.created", "referral.created", "watch.hit", "list.hit", "notification.unmatched")
SHARES = ("whole", "filer", "anonymous")
GROUP_KINDS = ("task_force", "national", "industry")
GROUP_POLICIES = ("whole", "non_nominal")

# who hears of each event beyond the organisations it names: authority, the corridor's law enforcement,
# the filer of the shipment, the members of groups covering the corridor
AUDIENCES: dict[str, frozenset[str]] = {
    "incident.created": frozenset({"authority", "corridor", "filer", "groups"}),
    "referral.created": frozenset({"authority", "corridor", "filer"}),
    "watch.hit": frozenset(),  # the watch's owner only (the event names it)
    "list.hit": frozenset({"authority", "corridor"}),
    "notification.unmatched": frozenset({"authority", "corridor"}),
}
DEFAULT_AUDIENCE = frozenset({"authority", "corridor"})
SECTIONS = ("shipment", "non_nominal", "nominal", "internal")
SHIPMENT_KEYS = ("partner", "shipment_id", "hawb", "mawb", "postal_item_id", "filer")
NOMINAL_KINDS = frozenset({"authority", "law_enforcement"})  # organisation kinds that may see a nominal part


@dataclass(frozen=True)
class Group:
    group_id: str
    corridor: str | None  # None: every corridor
    policy: str  # whole | non_nominal

    def covers(self, corridor: str | None) -> bool:
        return self.corridor is None or (corridor is not None and self.corridor == corridor)


@dataclass(frozen=True)
class Recipient:
    """An organisation as the policy sees it."""

    org_id: str
    kind: str  # authority | partner | law_enforcement (or another kind: treated as a partner would be)
    partner_code: str | None = None
    corridors: frozenset[str] = frozenset()
    groups: tuple[Group, ...] = ()

    @property
    def may_see_nominal(self) -> bool:
        return self.kind in NOMINAL_KINDS


@dataclass(frozen=True)
class Event:
    event: str
    partner: str | None
    corridor: str | None
    orgs: tuple[str, ...]


def share_of(ev: Event, who: Recipient) -> str | None:
    """The share ``who`` gets of ``ev`` (``SHARES``), or None: nothing."""
    audience = AUDIENCES.get(ev.event, DEFAULT_AUDIENCE)
    own = who.kind == "partner" and who.partner_code is not None and who.partner_code == ev.partner
    if who.org_id in ev.orgs:
        if who.may_see_nominal:
            return "whole"
        return "filer" if own or ev.partner is None else "anonymous"
    if "authority" in audience and who.kind == "authority":
        return "whole"
    if ("corridor" in audience and who.kind == "law_enforcement" and ev.corridor is not None
            and ev.corridor in who.corridors):
        return "whole"
    if "filer" in audience and own:
        return "filer"
    if "groups" in audience:
        covering = [g for g in who.groups if g.covers(ev.corridor)]
        if covering:
            if who.may_see_nominal and any(g.policy == "whole" for g in covering):
                return "whole"
            return "anonymous"
    return None


def cut(data: Mapping[str, Any], share: str) -> dict[str, Any]:
    """The part of an event's whole ``data`` a share carries."""
    if share == "whole":
        return dict(data)
    out = {k: v for k, v in data.items() if k not in SECTIONS}
    if "non_nominal" in data:
        out["non_nominal"] = data["non_nominal"]
    if share == "filer" and isinstance(data.get("shipment"), Mapping):
        out["shipment"] = {k: v for k, v in data["shipment"].items() if k in SHIPMENT_KEYS}
    return out


def recipients(ev: Event, orgs: Iterable[Recipient]) -> list[tuple[Recipient, str]]:
    """Every organisation that hears of ``ev``, with its share."""
    out = []
    for who in orgs:
        share = share_of(ev, who)
        if share is not None:
            out.append((who, share))
    return out
