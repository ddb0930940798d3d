"""Stored configuration: rule-set versions, corridor overrides and per-port exam budgets.

Shipped files are the defaults.  An admin's changes are new versions in the
store — a rule-set version in ``ruleset_versions`` (never edited in place), a
corridor override set in ``config_versions`` — and per-port budgets in
``port_budgets``.  Which of them a screen uses is decided by the screening
assembly (``screening/assembly.py``), once, and again only after a change.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy import Connection, func, insert, select, update

from interdictor.queue.build import Budget
from interdictor.reference.corridors import Corridor, CorridorConfig, Thresholds, load_corridors
from interdictor.score.rules import (
    RuleSet,
    RuleSetError,
    dump_ruleset,
    load_ruleset,
    parse_ruleset,
    shipped_rulesets,
)
from interdictor.store import schema as core
from interdictor.store import schema_service as sv
from interdictor.store.audit import audit


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------ rule sets


def active_ruleset(conn: Connection) -> RuleSet | None:
    """The stored version an administrator activated, if any."""
    row = conn.execute(select(core.ruleset_versions.c.content).where(core.ruleset_versions.c.active.is_(True))
                       .order_by(core.ruleset_versions.c.created_at.desc())).first()
    return None if row is None else parse_ruleset(yaml.safe_load(row[0]), "store")


def named_ruleset(conn: Connection | None, name: str, version: int | None) -> RuleSet:
    """Rule set ``name`` at ``version`` (the highest known when None), stored or shipped."""
    if conn is not None:
        t = core.ruleset_versions
        query = select(t.c.version, t.c.content).where(t.c.name == name)
        if version is not None:
            query = query.where(t.c.version == version)
        row = conn.execute(query.order_by(t.c.version.desc())).first()
        shipped = [r for r in shipped_rulesets() if r.name == name and (version is None or r.version == version)]
        if row is not None and (not shipped or row[0] >= shipped[-1].version):
            return parse_ruleset(yaml.safe_load(row[1]), f"{name}-v{row[0]}")
    return load_ruleset(name, version)


def ruleset_versions(conn: Connection, active: RuleSet) -> list[dict[str, Any]]:
    """Every version known, shipped and stored, with the one that screens now (``active``) marked."""
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for rs in shipped_rulesets():
        out[(rs.name, rs.version)] = {"name": rs.name, "version": rs.version, "source": "shipped",
                                      "rules": len(rs.rules), "created_at": None}
    for r in conn.execute(select(core.ruleset_versions)).mappings():
        rules = len((yaml.safe_load(r["content"]) or {}).get("rules") or {})
        out[(r["name"], r["version"])] = {"name": r["name"], "version": r["version"], "source": "stored",
                                          "rules": rules, "created_at": r["created_at"]}
    for key, v in out.items():
        v["active"] = key == (active.name, active.version)
    return sorted(out.values(), key=lambda v: (v["name"], v["version"]))


def find_ruleset(conn: Connection, name: str, version: int) -> RuleSet:
    row = conn.execute(select(core.ruleset_versions.c.content).where(
        core.ruleset_versions.c.name == name, core.ruleset_versions.c.version == version)).first()
    if row is not None:
        return parse_ruleset(yaml.safe_load(row[0]), f"{name}-v{version}")
    return load_ruleset(name, version)


def add_ruleset(conn: Connection, text: str, actor: str) -> RuleSet:
    """Store a new version from YAML (the export format); its number is the next free one."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleSetError(f"the rule set is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleSetError("a rule set is a YAML mapping with name, version and rules")
    name = str(raw.get("name") or "default")
    stored = conn.execute(select(func.max(core.ruleset_versions.c.version))
                          .where(core.ruleset_versions.c.name == name)).scalar_one()
    shipped = max((r.version for r in shipped_rulesets() if r.name == name), default=0)
    raw["name"], raw["version"] = name, max(int(stored or 0), shipped) + 1
    rs = parse_ruleset(raw, "upload")
    if not rs.rules:  # a version without rules would screen everything clear
        raise RuleSetError("a rule set needs at least one rule under rules:")
    conn.execute(insert(core.ruleset_versions).values(name=rs.name, version=rs.version, content=dump_ruleset(rs),
                                                      created_at=_now(), active=False))
    audit(conn, actor, "ruleset.add", "ruleset", rs.label, {"rules": len(rs.rules)})
    return rs


def activate_ruleset(conn: Connection, name: str, version: int, actor: str) -> RuleSet:
    rs = find_ruleset(conn, name, version)
    t = core.ruleset_versions
    if conn.execute(select(t.c.name).where(t.c.name == name, t.c.version == version)).first() is None:
        conn.execute(insert(t).values(name=name, version=version, content=dump_ruleset(rs), created_at=_now(),
                                      active=False))
    conn.execute(update(t).values(active=False))
    conn.execute(update(t).where(t.c.name == name, t.c.version == version).values(active=True))
    audit(conn, actor, "ruleset.activate", "ruleset", rs.label)
    return rs


# ------------------------------------------------------------------ corridors and budgets

CORRIDOR_FIELDS = ("thresholds", "exam_budget_per_day", "exploration_share")


def corridor_overrides(conn: Connection | None) -> dict[str, dict[str, Any]]:
    if conn is None:
        return {}
    row = conn.execute(select(sv.config_versions.c.content).where(
        sv.config_versions.c.kind == "corridors", sv.config_versions.c.active.is_(True))
        .order_by(sv.config_versions.c.version.desc())).first()
    return json.loads(row[0]) if row else {}


def _apply(c: Corridor, o: dict[str, Any]) -> Corridor:
    changes: dict[str, Any] = {}
    if "thresholds" in o:
        t = c.thresholds
        given = {k: float(v) for k, v in o["thresholds"].items()}  # 10 and 10.0 alike: the scorer's table is float
        changes["thresholds"] = Thresholds(**{"review": t.review, "exam": t.exam, "hold": t.hold, **given})
    if "exam_budget_per_day" in o:
        changes["exam_budget_per_day"] = int(o["exam_budget_per_day"])
    if "exploration_share" in o:
        changes["exploration_share"] = float(o["exploration_share"])
    return replace(c, **changes)


def with_overrides(base: CorridorConfig, over: dict[str, dict[str, Any]]) -> CorridorConfig:
    """``base`` with an administrator's stored changes applied."""
    if not over:
        return base
    return CorridorConfig(default=_apply(base.default, over.get(base.default.name, {})),
                          corridors=tuple(_apply(c, over.get(c.name, {})) for c in base.corridors),
                          version=base.version)


def set_corridor(conn: Connection, name: str, change: dict[str, Any], actor: str) -> Corridor:
    """A new override version for one corridor of the shipped file (checked by applying it before it is stored)."""
    cfg = with_overrides(load_corridors(), corridor_overrides(conn))
    current = cfg.get(name)  # KeyError names the known corridors
    change = {k: v for k, v in change.items() if k in CORRIDOR_FIELDS and v is not None}
    updated = _apply(current, change)
    if not 0 <= updated.exploration_share <= 1 or updated.exam_budget_per_day < 0:
        raise ValueError("exam_budget_per_day must be >= 0 and exploration_share within 0..1")
    over = corridor_overrides(conn)
    merged = {**over.get(name, {}), **change}
    if "thresholds" in change:
        merged["thresholds"] = {**over.get(name, {}).get("thresholds", {}), **change["thresholds"]}
    over[name] = merged
    t = sv.config_versions
    last = conn.execute(select(func.max(t.c.version)).where(t.c.kind == "corridors")).scalar_one()
    conn.execute(update(t).where(t.c.kind == "corridors").values(active=False))
    conn.execute(insert(t).values(kind="corridors", version=int(last or 0) + 1, content=json.dumps(over),
                                  created_by=actor, created_at=_now(), active=True))
    audit(conn, actor, "corridor.update", "corridor", name, change)
    return updated


def port_budgets(conn: Connection) -> dict[tuple[str, str], Budget]:
    return {(r["corridor"], r["port"]): Budget(r["exam_budget_per_day"], r["exploration_share"])
            for r in conn.execute(select(sv.port_budgets)).mappings()}


def set_port_budget(conn: Connection, corridor: str, port: str, exams: int, share: float, actor: str) -> Budget:
    budget = Budget(exams, share)
    t = sv.port_budgets
    port = port.upper()
    conn.execute(t.delete().where(t.c.corridor == corridor, t.c.port == port))
    conn.execute(insert(t).values(corridor=corridor, port=port, exam_budget_per_day=exams, exploration_share=share,
                                  updated_by=actor, updated_at=_now()))
    audit(conn, actor, "budget.update", "port", f"{corridor}/{port}", {"exams": exams, "share": share})
    return budget


class Budgets:
    """The budget of a port: its own row, else the corridor's ``*`` row, else the corridor's configuration."""

    def __init__(self, cfg: CorridorConfig, rows: dict[tuple[str, str], Budget]) -> None:
        self.cfg = cfg
        self.rows = rows

    def __call__(self, corridor: str, port: str | None) -> Budget:
        for key in ((corridor, (port or "*").upper()), (corridor, "*")):
            if key in self.rows:
                return self.rows[key]
        try:
            c = self.cfg.get(corridor)
        except KeyError:
            c = self.cfg.default
        return Budget(c.exam_budget_per_day, c.exploration_share)
