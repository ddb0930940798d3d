"""Organisations, users, API keys, grants and sessions (store side).

Every function takes an open connection inside the caller's transaction and
writes an audit line for every change.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from interdictor.service import security
from interdictor.service.principal import ORG_KINDS, ROLES, ROLES_OF_KIND, Principal
from interdictor.store import schema_service as sv
from interdictor.store.audit import audit

AUTHORITY_ORG = "authority"
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,127}$")


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; the message says why."""


class LoginRefused(Exception):
    """Too many failed logins: the message says when to try again."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


# ------------------------------------------------------------------ organisations


def create_org(conn: Connection, org_id: str, name: str, kind: str, partner_code: str | None, actor: str) -> None:
    if not SLUG.match(org_id):
        raise AccountError(f"organisation id {org_id!r}: use lower-case letters, digits, '.', '_' or '-'")
    if kind not in ORG_KINDS:
        raise AccountError(f"organisation kind must be one of {', '.join(ORG_KINDS)}")
    if kind == "partner" and not partner_code:
        partner_code = org_id
    if kind != "partner" and partner_code:
        raise AccountError("only partner organisations have a partner code")
    if conn.execute(select(sv.organisations.c.org_id).where(sv.organisations.c.org_id == org_id)).first():
        raise AccountError(f"organisation {org_id!r} exists already")
    if partner_code and conn.execute(select(sv.organisations.c.org_id)
                                     .where(sv.organisations.c.partner_code == partner_code)).first():
        raise AccountError(f"partner code {partner_code!r} belongs to another organisation")
    conn.execute(insert(sv.organisations).values(org_id=org_id, name=name, kind=kind, partner_code=partner_code,
                                                 active=True, created_at=_now()))
    audit(conn, actor, "org.create", "organisation", org_id, {"kind": kind, "partner_code": partner_code})


def ensure_authority(conn: Connection, actor: str) -> None:
    if not conn.execute(select(sv.organisations.c.org_id).where(sv.organisations.c.org_id == AUTHORITY_ORG)).first():
        create_org(conn, AUTHORITY_ORG, "Targeting authority", "authority", None, actor)


def get_org(conn: Connection, org_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(sv.organisations).where(sv.organisations.c.org_id == org_id)).mappings().first()
    return dict(row) if row else None


def list_orgs(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(sv.organisations).order_by(sv.organisations.c.org_id)).mappings()]


def grant(conn: Connection, org_id: str, corridor: str, actor: str) -> None:
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}")
    if conn.execute(select(sv.grants).where(sv.grants.c.org_id == org_id, sv.grants.c.corridor == corridor)).first():
        return
    conn.execute(insert(sv.grants).values(org_id=org_id, corridor=corridor, granted_by=actor, granted_at=_now()))
    audit(conn, actor, "grant.add", "organisation", org_id, {"corridor": corridor})


def revoke_grant(conn: Connection, org_id: str, corridor: str, actor: str) -> None:
    conn.execute(delete(sv.grants).where(sv.grants.c.org_id == org_id, sv.grants.c.corridor == corridor))
    audit(conn, actor, "grant.revoke", "organisation", org_id, {"corridor": corridor})


def corridors_of(conn: Connection, org_id: str) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute(select(sv.grants.c.corridor).where(sv.grants.c.org_id == org_id)))


# ------------------------------------------------------------------ users and keys


def _check_role(org: dict[str, Any], role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    allowed = ROLES_OF_KIND[org["kind"]]
    if role not in allowed:
        raise AccountError(f"a {org['kind']} organisation's users can be {', '.join(allowed)}, not {role}")


def create_user(conn: Connection, username: str, password: str | None, role: str, org_id: str, actor: str,
                display_name: str | None = None) -> str:
    if not USERNAME.match(username):
        raise AccountError(f"user name {username!r}: 2–128 letters, digits, '.', '_', '@' or '-'")
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}; create it first (interdictor orgs add)")
    _check_role(org, role)
    if password is not None and (why := security.password_problem(password)):
        raise AccountError(why)
    if conn.execute(select(sv.users.c.user_id).where(sv.users.c.username == username)).first():
        raise AccountError(f"user {username!r} exists already")
    user_id = str(uuid.uuid4())
    conn.execute(insert(sv.users).values(
        user_id=user_id, org_id=org_id, username=username, display_name=display_name or username, role=role,
        password_hash=security.hash_password(password) if password else None, active=True, created_at=_now()))
    audit(conn, actor, "user.create", "user", username, {"org": org_id, "role": role})
    return user_id


def list_users(conn: Connection) -> list[dict[str, Any]]:
    cols = [c for c in sv.users.c if c.name != "password_hash"]
    return [dict(r) for r in conn.execute(select(*cols).order_by(sv.users.c.username)).mappings()]


def create_api_key(conn: Connection, secret_key: str, org_id: str, role: str, name: str, actor: str) -> str:
    """A new key; the full key is returned once and never stored."""
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}")
    _check_role(org, role)
    key_id, key = security.new_api_key()
    conn.execute(insert(sv.api_keys).values(key_id=key_id, key_hash=security.keyed_hash(secret_key, key),
                                            org_id=org_id, role=role, name=name, created_by=actor, created_at=_now()))
    audit(conn, actor, "key.create", "api_key", key_id, {"org": org_id, "role": role, "name": name})
    return key


def revoke_api_key(conn: Connection, key_id: str, actor: str) -> bool:
    done = conn.execute(update(sv.api_keys).where(sv.api_keys.c.key_id == key_id, sv.api_keys.c.revoked_at.is_(None))
                        .values(revoked_at=_now())).rowcount
    audit(conn, actor, "key.revoke", "api_key", key_id)
    return bool(done)


def _principal(conn: Connection, org_id: str, role: str, actor: str, **kw: Any) -> Principal | None:
    org = get_org(conn, org_id)
    if org is None or not org["active"]:
        return None
    return Principal(actor=actor, org_id=org_id, org_kind=org["kind"], role=role, partner_code=org["partner_code"],
                     corridors=corridors_of(conn, org_id) if role == "law_enforcement" else None, **kw)


@dataclass
class _Cached:
    principal: Principal | None
    until: float


class KeyCache:
    """Resolved keys for a few seconds: a key check per request stays a dictionary lookup.

    A revoked key stops working within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._d: dict[str, _Cached] = {}

    def get(self, digest: str) -> _Cached | None:
        hit = self._d.get(digest)
        if hit is None or hit.until < time.monotonic():
            return None
        return hit

    def put(self, digest: str, p: Principal | None) -> None:
        if len(self._d) > 10_000:
            self._d.clear()
        self._d[digest] = _Cached(p, time.monotonic() + self.ttl)


def principal_for_key(conn: Connection, secret_key: str, key: str) -> Principal | None:
    key_id = security.split_api_key(key)
    if key_id is None:
        return None
    row = conn.execute(select(sv.api_keys).where(sv.api_keys.c.key_id == key_id)).mappings().first()
    if row is None or row["revoked_at"] is not None:
        return None
    import hmac

    if not hmac.compare_digest(row["key_hash"], security.keyed_hash(secret_key, key)):
        return None
    return _principal(conn, row["org_id"], row["role"], f"key:{key_id}", via="key")


# ------------------------------------------------------------------ sessions


@dataclass(frozen=True)
class LoginPolicy:
    max_user_failures: int = 5  # per user name within the window
    max_client_failures: int = 30  # per client address within the window
    window: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(hours=12)


def _failures(conn: Connection, column: Any, value: str, since: datetime) -> int:
    return int(conn.execute(select(func.count()).select_from(sv.login_failures)
                            .where(column == value, sv.login_failures.c.at >= since)).scalar_one())


def login(conn: Connection, secret_key: str, username: str, password: str, client: str,
          policy: LoginPolicy = LoginPolicy()) -> tuple[str, Principal] | None:
    """(session token, principal), or None for a wrong name or password.

    Raises ``LoginRefused`` when the name or the client has failed too often: the
    password is then not even checked, so guessing cannot go on at full speed.
    """
    now = _now()
    since = now - policy.window
    username = username[:128]
    if (_failures(conn, sv.login_failures.c.username, username, since) >= policy.max_user_failures
            or _failures(conn, sv.login_failures.c.client, client, since) >= policy.max_client_failures):
        audit(conn, f"user:{username}", "login.refused", "user", username, {"client": client})
        raise LoginRefused(f"too many failed sign-ins; try again in {int(policy.window.total_seconds() // 60)} minutes")
    row = conn.execute(select(sv.users).where(sv.users.c.username == username)).mappings().first()
    ok = security.check_password(password, row["password_hash"] if row else None)
    if not ok or row is None or not row["active"]:
        conn.execute(insert(sv.login_failures).values(username=username, client=client[:64], at=now))
        audit(conn, f"user:{username}", "login.failed", "user", username, {"client": client})
        return None
    token = security.new_token()
    csrf = security.new_token()
    conn.execute(insert(sv.sessions).values(token_hash=security.keyed_hash(secret_key, token), user_id=row["user_id"],
                                            csrf_token=csrf, created_at=now, expires_at=now + policy.session_lifetime))
    audit(conn, f"user:{username}", "login", "user", username, {"client": client})
    p = _principal(conn, row["org_id"], row["role"], f"user:{username}", user_id=row["user_id"], username=username,
                   via="session", csrf_token=csrf)
    return (token, p) if p is not None else None


def principal_for_session(conn: Connection, secret_key: str, token: str) -> Principal | None:
    digest = security.keyed_hash(secret_key, token)
    q = (select(sv.sessions.c.csrf_token, sv.sessions.c.expires_at, sv.users.c.user_id, sv.users.c.username,
                sv.users.c.org_id, sv.users.c.role, sv.users.c.active)
         .join(sv.users, sv.users.c.user_id == sv.sessions.c.user_id).where(sv.sessions.c.token_hash == digest))
    row = conn.execute(q).mappings().first()
    if row is None or not row["active"] or _aware(row["expires_at"]) < _now():
        return None
    return _principal(conn, row["org_id"], row["role"], f"user:{row['username']}", user_id=row["user_id"],
                      username=row["username"], via="session", csrf_token=row["csrf_token"])


def logout(conn: Connection, secret_key: str, token: str, actor: str) -> None:
    conn.execute(delete(sv.sessions).where(sv.sessions.c.token_hash == security.keyed_hash(secret_key, token)))
    audit(conn, actor, "logout", "user", actor.partition(":")[2])
