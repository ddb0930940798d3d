"""Who is asking, and what they may see.

A ``Principal`` is resolved once per request (from an API key or a session) and
carries a ``Scope`` (``store/scope.py``).  Every read in ``store/shipments.py`` takes
the scope and puts it into the SQL, so a route that forgets a check still cannot
return another partner's shipment: scoping lives where the data is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from interdictor.store.scope import Scope

ROLES = ("admin", "targeter", "analyst", "law_enforcement", "partner", "notifier")
# an export authority is another country's competent authority: it pre-notifies lawful trade, nothing more
ORG_KINDS = ("authority", "partner", "law_enforcement", "export_authority")
ROLES_OF_KIND = {
    "authority": ("admin", "targeter", "analyst"),
    "partner": ("partner",),
    "law_enforcement": ("law_enforcement",),
    "export_authority": ("notifier",),
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "submit": frozenset({"admin", "targeter", "partner"}),
    "read_shipments": frozenset(ROLES) - {"notifier"},
    "search_parties": frozenset({"admin", "targeter", "analyst", "law_enforcement"}),
    "queue": frozenset({"admin", "targeter", "analyst", "law_enforcement"}),
    "decide": frozenset({"admin", "targeter"}),
    "record_outcome": frozenset({"admin", "targeter", "law_enforcement"}),
    "referrals": frozenset({"admin", "targeter", "partner"}),
    "answer_referral": frozenset({"partner", "admin"}),
    "performance": frozenset({"admin", "targeter", "analyst"}),
    "metrics": frozenset({"admin", "targeter", "analyst"}),
    "audit": frozenset({"admin", "analyst"}),
    "network": frozenset({"admin", "targeter", "analyst"}),  # crosses partners: never a partner's key
    # an export authority (notifier) files pre-notifications only: it has no shipments, incidents or watches
    "incidents": frozenset(ROLES) - {"notifier"},  # a partner reads its own shipments' incidents, non-nominal only
    "edit_incidents": frozenset({"admin", "targeter", "law_enforcement"}),
    "watches": frozenset(ROLES) - {"notifier"},  # each organisation its own watches (the admin any organisation's)
    "admin": frozenset({"admin"}),
    # pre-notified trade: an export authority files and reads its own; the targeting authority reads all;
    # law enforcement those of its granted corridors (an unmatched one is alerted to it)
    "notify_trade": frozenset({"notifier"}),
    "read_notifications": frozenset({"admin", "targeter", "analyst", "notifier", "law_enforcement"}),
}
NOMINAL_ROLES = frozenset({"admin", "targeter", "analyst", "law_enforcement"})  # may read an incident's nominal part


@dataclass(frozen=True)
class Principal:
    actor: str  # what the audit log names: "user:alice" or "key:<key id>"
    org_id: str
    org_kind: str
    role: str
    partner_code: str | None = None
    corridors: frozenset[str] | None = None
    user_id: str | None = None
    username: str | None = None
    via: str = "key"  # key | session
    csrf_token: str | None = None

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, frozenset())

    @property
    def scope(self) -> Scope:
        if self.role == "partner":
            if not self.partner_code:
                return Scope(nothing=True, answers_only=True)
            return Scope(partner=self.partner_code, answers_only=True)
        if self.role == "law_enforcement":
            return Scope(corridors=self.corridors or frozenset())
        if self.role == "notifier":
            return Scope(nothing=True, answers_only=True)
        return Scope.everything()
