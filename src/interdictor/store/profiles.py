"""Stored column-mapping profiles: add a version, list them, find the latest by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from interdictor.intake.base import IntakeError
from interdictor.intake.mapping import PROFILE_NAME, Profile, parse_profile_text, shipped_profiles
from interdictor.store.audit import audit
from interdictor.store.schema_profiles import column_profiles as t


def add_profile(conn: Connection, text: str, source: str, actor: str, name: str | None = None) -> tuple[Profile, int]:
    """Check ``text`` with the typed model and store it as the next version of its name."""
    profile = parse_profile_text(text, source)
    name = name or profile.name
    if not PROFILE_NAME.fullmatch(name):
        raise IntakeError(f"{source}: profile name {name!r} must be lower-case letters, digits, '-' or '_' "
                          "(at most 64, starting with a letter or digit)")
    if name in shipped_profiles():
        raise IntakeError(f"{source}: {name!r} is a shipped profile; store yours under another name")
    latest = conn.execute(select(func.max(t.c.version)).where(t.c.name == name)).scalar_one()
    version = int(latest or 0) + 1
    conn.execute(insert(t).values(name=name, version=version, content=text, created_at=datetime.now(UTC),
                                  created_by=actor))
    audit(conn, actor, "profile.add", "column_profile", f"{name}-v{version}", {"columns": len(profile.columns)})
    return replace(profile, name=name), version


def stored_profile(conn: Connection, name: str) -> Profile | None:
    """The latest stored version of ``name``; None when there is none."""
    row = conn.execute(select(t.c.content, t.c.version).where(t.c.name == name)
                       .order_by(t.c.version.desc()).limit(1)).first()
    if row is None:
        return None
    return replace(parse_profile_text(row[0], f"{name}-v{row[1]}"), name=name)


def list_profiles(conn: Connection) -> list[dict[str, Any]]:
    """Every profile: shipped ones, then the latest version of each stored one."""
    out: list[dict[str, Any]] = [{"name": p.name, "version": None, "source": "shipped", "description": p.description,
                                  "created_at": None, "created_by": None}
                                 for p in sorted(shipped_profiles().values(), key=lambda p: p.name)]
    latest = select(t.c.name, func.max(t.c.version).label("version")).group_by(t.c.name).subquery()
    rows = conn.execute(select(t).join(latest, (t.c.name == latest.c.name) & (t.c.version == latest.c.version))
                        .order_by(t.c.name)).mappings()
    for r in rows:
        desc = parse_profile_text(r["content"], r["name"]).description
        out.append({"name": r["name"], "version": r["version"], "source": "stored", "description": desc,
                    "created_at": r["created_at"], "created_by": r["created_by"]})
    return out
