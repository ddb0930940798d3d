"""Organisations, users, API keys, grants and sessions: what is allowed, and the audit line of every change.

Every function takes an open connection inside the caller's transaction; the SQL
lives in ``store/accounts.py``.
"""

from __future__ import annotations

import hmac
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from interdictor.service import security
from interdictor.service.principal import ORG_KINDS, ROLES, ROLES_OF_KIND, Principal
from interdictor.store import accounts as db
from interdictor.store.audit import audit

AUTHORITY_ORG = "authority"
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,127}$")


class AccountError(ValueError):
    """A request to change accounts that cannot be carried out; the message says why, ``status`` is the HTTP
    status to answer with (422 a bad value, 404 an unknown organisation, 409 a clash with what is stored)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class LoginRefused(Exception):
    """Too many failed sign-ins lately: ``retry_after`` says in how many seconds to try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} seconds")
        self.retry_after = retry_after


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
    if db.get_org(conn, org_id) is not None:
        raise AccountError(f"organisation {org_id!r} exists already", 409)
    if partner_code and db.org_of_partner_code(conn, partner_code) is not None:
        raise AccountError(f"partner code {partner_code!r} belongs to another organisation", 409)
    db.insert_org(conn, org_id=org_id, name=name, kind=kind, partner_code=partner_code, active=True, created_at=_now())
    audit(conn, actor, "org.create", "organisation", org_id, {"kind": kind, "partner_code": partner_code})


def ensure_authority(conn: Connection, actor: str) -> None:
    if db.get_org(conn, AUTHORITY_ORG) is None:
        create_org(conn, AUTHORITY_ORG, "Targeting authority", "authority", None, actor)


get_org = db.get_org
list_orgs = db.list_orgs
corridors_of = db.corridors_of
list_users = db.list_users


def grant(conn: Connection, org_id: str, corridor: str, actor: str) -> None:
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}", 404)
    if db.has_grant(conn, org_id, corridor):
        return
    db.insert_grant(conn, org_id=org_id, corridor=corridor, granted_by=actor, granted_at=_now())
    audit(conn, actor, "grant.add", "organisation", org_id, {"corridor": corridor})


def revoke_grant(conn: Connection, org_id: str, corridor: str, actor: str) -> None:
    db.delete_grant(conn, org_id, corridor)
    audit(conn, actor, "grant.revoke", "organisation", org_id, {"corridor": corridor})


# ------------------------------------------------------------------ users and keys


def _check_role(org: dict[str, Any], role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    allowed = ROLES_OF_KIND[org["kind"]]
    if role not in allowed:
        raise AccountError(f"a {org['kind']} organisation's users can be {', '.join(allowed)}, not {role}", 409)


def create_user(conn: Connection, username: str, password: str | None, role: str, org_id: str, actor: str,
                display_name: str | None = None) -> str:
    if not USERNAME.match(username):
        raise AccountError(f"user name {username!r}: 2–128 letters, digits, '.', '_', '@' or '-'")
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}; create it first (interdictor orgs add)", 404)
    _check_role(org, role)
    if password is not None and (why := security.password_problem(password)):
        raise AccountError(why)
    if db.user_by_name(conn, username) is not None:
        raise AccountError(f"user {username!r} exists already", 409)
    user_id = str(uuid.uuid4())
    db.insert_user(
        conn, user_id=user_id, org_id=org_id, username=username, display_name=display_name or username, role=role,
        password_hash=security.hash_password(password) if password else None, active=True, created_at=_now())
    audit(conn, actor, "user.create", "user", username, {"org": org_id, "role": role})
    return user_id


def create_api_key(conn: Connection, secret_key: str, org_id: str, role: str, name: str, actor: str) -> str:
    """A new key; the full key is returned once and never stored."""
    org = get_org(conn, org_id)
    if org is None:
        raise AccountError(f"no organisation {org_id!r}", 404)
    _check_role(org, role)
    key_id, key = security.new_api_key()
    db.insert_api_key(conn, key_id=key_id, key_hash=security.keyed_hash(secret_key, key), org_id=org_id, role=role,
                      name=name, created_by=actor, created_at=_now())
    audit(conn, actor, "key.create", "api_key", key_id, {"org": org_id, "role": role, "name": name})
    return key


def revoke_api_key(conn: Connection, key_id: str, actor: str) -> bool:
    done = db.revoke_api_key(conn, key_id, _now())
    audit(conn, actor, "key.revoke", "api_key", key_id)
    return done


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
    row = db.api_key(conn, key_id)
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["key_hash"], security.keyed_hash(secret_key, key)):
        return None
    return _principal(conn, row["org_id"], row["role"], f"key:{key_id}", via="key")


# ------------------------------------------------------------------ sessions


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff after failed sign-ins: ``free`` failures cost nothing, then each one doubles the
    wait after it (``base``, 2×, 4×, …) up to ``cap``."""

    free: int
    base: timedelta
    cap: timedelta

    def wait(self, failures: db.Failures, now: datetime) -> float:
        """Seconds to wait before the next attempt may be checked (0: go ahead)."""
        if failures.last is None or failures.count < self.free:
            return 0.0
        delay = min(self.cap.total_seconds(), self.base.total_seconds() * 2.0 ** min(failures.count - self.free, 40))
        return max(0.0, (_aware(failures.last) - now).total_seconds() + delay)


@dataclass(frozen=True)
class LoginPolicy:
    """Slows guessing without letting a stranger lock a user out.

    The wait grows fastest for one address guessing one account, and for one address
    trying many accounts; the wait of an account across every address (a spread-out
    guess) is short and capped, so the real user, signing in from elsewhere, is at
    most briefly delayed — never refused for long.
    """

    pair: Backoff = field(default_factory=lambda: Backoff(3, timedelta(seconds=1), timedelta(minutes=15)))
    client: Backoff = field(default_factory=lambda: Backoff(20, timedelta(seconds=1), timedelta(minutes=15)))
    account: Backoff = field(default_factory=lambda: Backoff(10, timedelta(seconds=1), timedelta(seconds=30)))
    window: timedelta = timedelta(hours=1)  # failures older than this are forgotten
    session_lifetime: timedelta = timedelta(hours=12)


def login_wait(conn: Connection, username: str, client: str, policy: LoginPolicy, now: datetime) -> float:
    """Seconds before ``client`` may try ``username`` again (0: now)."""
    since = now - policy.window
    return max(policy.pair.wait(db.login_failures(conn, since, username=username, client=client), now),
               policy.client.wait(db.login_failures(conn, since, client=client), now),
               policy.account.wait(db.login_failures(conn, since, username=username), now))


def login(conn: Connection, secret_key: str, username: str, password: str, client: str,
          policy: LoginPolicy = LoginPolicy()) -> tuple[str, Principal] | None:
    """(session token, principal), or None for a wrong name or password.

    Raises ``LoginRefused`` while a failure backs the attempt off: the password is then
    not even checked, so guessing cannot go on at full speed.  A stored hash of an older
    scheme is replaced by today's once the password proved right.
    """
    now = _now()
    username, client = username[:128], client[:64]
    wait = login_wait(conn, username, client, policy, now)
    if wait > 0:
        audit(conn, f"user:{username}", "login.refused", "user", username, {"client": client})
        raise LoginRefused(max(1, math.ceil(wait)))
    row = db.user_by_name(conn, username)
    ok = security.check_password(password, row["password_hash"] if row else None)
    if not ok or row is None or not row["active"]:
        db.record_login_failure(conn, username, client, now)
        audit(conn, f"user:{username}", "login.failed", "user", username, {"client": client})
        return None
    if security.needs_rehash(row["password_hash"]):
        db.set_password_hash(conn, row["user_id"], security.hash_password(password))
        audit(conn, f"user:{username}", "user.password_rehash", "user", username)
    db.clear_login_failures(conn, username, client)
    token = security.new_token()
    csrf = security.new_token()
    db.insert_session(conn, token_hash=security.keyed_hash(secret_key, token), user_id=row["user_id"],
                      csrf_token=csrf, created_at=now, expires_at=now + policy.session_lifetime)
    audit(conn, f"user:{username}", "login", "user", username, {"client": client})
    p = _principal(conn, row["org_id"], row["role"], f"user:{username}", user_id=row["user_id"], username=username,
                   via="session", csrf_token=csrf)
    return (token, p) if p is not None else None


def principal_for_session(conn: Connection, secret_key: str, token: str) -> Principal | None:
    row = db.session_user(conn, security.keyed_hash(secret_key, token))
    if row is None or not row["active"] or _aware(row["expires_at"]) < _now():
        return None
    return _principal(conn, row["org_id"], row["role"], f"user:{row['username']}", user_id=row["user_id"],
                      username=row["username"], via="session", csrf_token=row["csrf_token"])


def logout(conn: Connection, secret_key: str, token: str, actor: str) -> None:
    db.delete_session(conn, security.keyed_hash(secret_key, token))
    audit(conn, actor, "logout", "user", actor.partition(":")[2])
