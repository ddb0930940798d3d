"""Accounts in the database: organisations, grants, users, API keys, sessions and failed sign-ins.

Plain reads and writes on an open connection, inside the caller's transaction;
what is allowed and what is audited is decided in ``service/accounts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from interdictor.store import schema_service as sv

# ------------------------------------------------------------------ organisations and grants


def get_org(conn: Connection, org_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(sv.organisations).where(sv.organisations.c.org_id == org_id)).mappings().first()
    return dict(row) if row else None


def org_of_partner_code(conn: Connection, partner_code: str) -> str | None:
    return conn.execute(select(sv.organisations.c.org_id)
                        .where(sv.organisations.c.partner_code == partner_code)).scalar_one_or_none()


def insert_org(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sv.organisations).values(**values))


def list_orgs(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(sv.organisations).order_by(sv.organisations.c.org_id)).mappings()]


def has_grant(conn: Connection, org_id: str, corridor: str) -> bool:
    return conn.execute(select(sv.grants.c.org_id)
                        .where(sv.grants.c.org_id == org_id, sv.grants.c.corridor == corridor)).first() is not None


def insert_grant(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sv.grants).values(**values))


def delete_grant(conn: Connection, org_id: str, corridor: str) -> None:
    conn.execute(delete(sv.grants).where(sv.grants.c.org_id == org_id, sv.grants.c.corridor == corridor))


def corridors_of(conn: Connection, org_id: str) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute(select(sv.grants.c.corridor).where(sv.grants.c.org_id == org_id)))


# ------------------------------------------------------------------ users and keys


def user_by_name(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(sv.users).where(sv.users.c.username == username)).mappings().first()
    return dict(row) if row else None


def insert_user(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sv.users).values(**values))


def set_password_hash(conn: Connection, user_id: str, password_hash: str) -> None:
    conn.execute(update(sv.users).where(sv.users.c.user_id == user_id).values(password_hash=password_hash))


def list_users(conn: Connection) -> list[dict[str, Any]]:
    cols = [c for c in sv.users.c if c.name != "password_hash"]
    return [dict(r) for r in conn.execute(select(*cols).order_by(sv.users.c.username)).mappings()]


def insert_api_key(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sv.api_keys).values(**values))


def api_key(conn: Connection, key_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(sv.api_keys).where(sv.api_keys.c.key_id == key_id)).mappings().first()
    return dict(row) if row else None


def revoke_api_key(conn: Connection, key_id: str, at: datetime) -> bool:
    """True when a key that was in use is revoked now."""
    done = conn.execute(update(sv.api_keys).where(sv.api_keys.c.key_id == key_id, sv.api_keys.c.revoked_at.is_(None))
                        .values(revoked_at=at)).rowcount
    return bool(done)


# ------------------------------------------------------------------ sessions and failed sign-ins


def insert_session(conn: Connection, **values: Any) -> None:
    conn.execute(insert(sv.sessions).values(**values))


def session_user(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """The session's CSRF token and expiry with its user's id, name, organisation, role and state."""
    q = (select(sv.sessions.c.csrf_token, sv.sessions.c.expires_at, sv.users.c.user_id, sv.users.c.username,
                sv.users.c.org_id, sv.users.c.role, sv.users.c.active)
         .join(sv.users, sv.users.c.user_id == sv.sessions.c.user_id).where(sv.sessions.c.token_hash == token_hash))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(sv.sessions).where(sv.sessions.c.token_hash == token_hash))


@dataclass(frozen=True)
class Failures:
    count: int
    last: datetime | None


def login_failures(conn: Connection, since: datetime, *, username: str | None = None,
                   client: str | None = None) -> Failures:
    """Failed sign-ins since ``since`` for a user name, a client address, or the pair of both."""
    lf = sv.login_failures
    q = select(func.count(), func.max(lf.c.at)).where(lf.c.at >= since)
    if username is not None:
        q = q.where(lf.c.username == username)
    if client is not None:
        q = q.where(lf.c.client == client)
    count, last = conn.execute(q).one()
    return Failures(int(count), last)


def record_login_failure(conn: Connection, username: str, client: str, at: datetime) -> None:
    conn.execute(insert(sv.login_failures).values(username=username[:128], client=client[:64], at=at))


def clear_login_failures(conn: Connection, username: str, client: str) -> None:
    """Forget a pair's failures (after it signed in with the right password)."""
    lf = sv.login_failures
    conn.execute(delete(lf).where(lf.c.username == username, lf.c.client == client[:64]))
