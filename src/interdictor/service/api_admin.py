"""API: sessions, administration (organisations, users, keys, grants, rule sets, corridors, budgets,
watchlists), rule performance, metrics and the audit log."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from interdictor.queue import performance
from interdictor.queue.backtest import backtest
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import RuleSetError
from interdictor.service import accounts, views
from interdictor.service.auth import (
    clear_session_cookie,
    client_of,
    do_login,
    optional_principal,
    require,
    set_session_cookie,
    state,
)
from interdictor.service.errors import ERROR_RESPONSES, ERROR_SCHEMA, ApiError
from interdictor.service.params import REASON_CODE, SLUG, Slug
from interdictor.service.principal import ROLES, Principal
from interdictor.store import config, facts
from interdictor.store.audit import audit_entries

router = APIRouter(responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(require("admin"))]
RsName = Annotated[str, PathParam(max_length=64)]
CorridorName = Annotated[str, PathParam(min_length=1, max_length=64, pattern=SLUG)]
RsVersion = Annotated[int, PathParam(ge=1, le=1_000_000)]


@router.get("/health", tags=["service"], summary="Is the service up")
def health(request: Request) -> dict[str, Any]:
    st = state(request)
    return {"status": "ok", "database": st.store.dialect, "ruleset": st.screening.ruleset.label}


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


@router.post("/session", tags=["service"], summary="Sign in (sets the session cookie, returns the CSRF token)",
             responses={429: ERROR_SCHEMA})
def login(request: Request, response: Response, body: LoginIn) -> dict[str, Any]:
    st = state(request)
    token, p = do_login(st, body.username, body.password, client_of(request))
    set_session_cookie(request, response, token, st)
    return {"user": p.username, "role": p.role, "org": p.org_id, "csrf_token": p.csrf_token}


@router.delete("/session", tags=["service"], summary="Sign out")
async def logout(request: Request, response: Response,
                 who: Annotated[Principal | None, Depends(optional_principal)]) -> dict[str, Any]:
    token = request.cookies.get("interdictor_session")
    if who is not None and token:
        st = state(request)
        await run_in_threadpool(_logout, st, token, who.actor)
    clear_session_cookie(response)
    return {"signed_out": True}


def _logout(st: Any, token: str, actor: str) -> None:
    with st.write() as conn:
        accounts.logout(conn, st.secret_key, token, actor)


# ------------------------------------------------------------------ accounts


class PartnerOrgIn(BaseModel):
    org_id: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["partner"]
    partner_code: Slug | None = Field(None, description="The filer code its submissions carry (default: org_id)")


class OtherOrgIn(BaseModel):
    """Only partners file, so only they have a partner code."""

    model_config = ConfigDict(extra="forbid")
    org_id: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["authority", "law_enforcement", "export_authority"]


OrgIn = Annotated[PartnerOrgIn | OtherOrgIn, Field(discriminator="kind")]


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=128, pattern=accounts.USERNAME.pattern)
    password: str | None = Field(None, min_length=10, max_length=1024,
                                 description="At least 10 characters, at least 5 of them different")
    role: Literal[ROLES] = Field(description="One the organisation's kind allows (409 if not)")  # type: ignore[valid-type]
    org_id: Slug
    display_name: str | None = Field(None, max_length=200)


class KeyIn(BaseModel):
    org_id: Slug
    role: Literal[ROLES] = Field(description="One the organisation's kind allows (409 if not)")  # type: ignore[valid-type]
    name: str = Field(min_length=1, max_length=200)


class GrantIn(BaseModel):
    org_id: Slug
    corridor: Slug


def _admin_write(request: Request, fn: Any, *args: Any) -> Any:
    with state(request).write() as conn:
        try:
            return fn(conn, *args)
        except accounts.AccountError as exc:
            raise ApiError(exc.status, str(exc), "rejected" if exc.status == 422 else None) from exc
        except ValueError as exc:
            raise ApiError(422, str(exc), "rejected") from exc


@router.get("/admin/orgs", tags=["admin"], summary="Organisations")
def list_orgs(request: Request, who: Admin) -> dict[str, Any]:
    with state(request).read() as conn:
        return {"results": views.jsonable(accounts.list_orgs(conn))}


@router.post("/admin/orgs", tags=["admin"], status_code=201, summary="Add an organisation (partner, law enforcement)")
def add_org(request: Request, body: OrgIn, who: Admin) -> dict[str, Any]:
    code = body.partner_code if isinstance(body, PartnerOrgIn) else None
    _admin_write(request, accounts.create_org, body.org_id, body.name, body.kind, code, who.actor)
    return {"org_id": body.org_id}


@router.get("/admin/users", tags=["admin"], summary="Users")
def list_users(request: Request, who: Admin) -> dict[str, Any]:
    with state(request).read() as conn:
        return {"results": views.jsonable(accounts.list_users(conn))}


@router.post("/admin/users", tags=["admin"], status_code=201, summary="Add a user")
def add_user(request: Request, body: UserIn, who: Admin) -> dict[str, Any]:
    uid = _admin_write(request, accounts.create_user, body.username, body.password, body.role, body.org_id,
                       who.actor, body.display_name)
    return {"user_id": uid, "username": body.username}


@router.post("/admin/keys", tags=["admin"], status_code=201, summary="Create an API key (shown once)")
def add_key(request: Request, body: KeyIn, who: Admin) -> dict[str, Any]:
    st = state(request)
    key = _admin_write(request, accounts.create_api_key, st.secret_key, body.org_id, body.role, body.name, who.actor)
    return {"api_key": key, "key_id": key.split("_")[1]}


@router.delete("/admin/keys/{key_id}", tags=["admin"], summary="Revoke an API key")
def revoke_key(request: Request, key_id: str, who: Admin) -> dict[str, Any]:
    done = _admin_write(request, accounts.revoke_api_key, key_id, who.actor)
    if not done:
        raise ApiError(404, "no such active key", "not_found")
    state(request).keys = accounts.KeyCache()
    return {"revoked": key_id}


@router.post("/admin/grants", tags=["admin"], status_code=201, summary="Grant an organisation a corridor")
def add_grant(request: Request, body: GrantIn, who: Admin) -> dict[str, Any]:
    try:
        state(request).screening.corridors.get(body.corridor)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), "unknown_corridor") from exc
    _admin_write(request, accounts.grant, body.org_id, body.corridor, who.actor)
    return {"org_id": body.org_id, "corridor": body.corridor}


# ------------------------------------------------------------------ rule sets, corridors, budgets


@router.get("/rulesets", tags=["rules"], summary="Rule-set versions (shipped and stored), which one is active")
def list_rulesets(request: Request, who: Annotated[Principal, Depends(require("performance"))]) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        return {"results": views.jsonable(config.ruleset_versions(conn, st.screening.ruleset))}


RULESET_BODY = {"type": "string", "minLength": 1, "description": (
    "A rule set in YAML, the export format (`interdictor rules export`): a mapping with `name` and `rules`, each "
    "rule a reason code with its weight, meaning and partner code. Its version is the next free number. YAML that "
    "is not such a mapping is refused with 422.")}


@router.post("/admin/rulesets", tags=["rules"], status_code=201, summary="Add a rule-set version (YAML body)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/yaml": {"schema": RULESET_BODY}, "text/plain": {"schema": RULESET_BODY}}}})
async def add_ruleset(request: Request, who: Admin) -> dict[str, Any]:
    text = (await request.body())[:2_000_000].decode("utf-8", "replace")
    rs = await run_in_threadpool(_add_ruleset, state(request), text, who.actor)
    return {"name": rs.name, "version": rs.version, "rules": len(rs.rules)}


def _add_ruleset(st: Any, text: str, actor: str) -> Any:
    with st.write() as conn:
        try:
            return config.add_ruleset(conn, text, actor)
        except (RuleSetError, ValueError) as exc:
            raise ApiError(422, str(exc), "invalid_ruleset") from exc


def run_backtest(request: Request, name: str, version: int, days: int) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        try:
            candidate = config.find_ruleset(conn, name, version)
        except RuleSetError as exc:
            raise ApiError(404, str(exc), "unknown_ruleset") from exc
        assessed, reasons, found = facts.backtest_inputs(conn, days)
        budgets = st.budgets(conn)
    th = {c.name: c.thresholds for c in st.screening.corridors.all}
    th[""] = Thresholds()
    result = backtest(assessed, reasons, found, candidate=candidate, baseline=st.screening.ruleset, thresholds=th,
                      budget_of=budgets)
    return result.as_dict()


@router.post("/admin/rulesets/{name}/{version}/backtest", tags=["rules"], summary="Backtest a version on the last N days")
def backtest_ruleset(request: Request, name: RsName, version: RsVersion, who: Admin,
                     days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    """How the queue would have looked with this version and which recorded seizures it would have kept."""
    return dict(views.jsonable(run_backtest(request, name, version, days)))


@router.post("/admin/rulesets/{name}/{version}/activate", tags=["rules"], summary="Screen with this version from now on")
def activate_ruleset(request: Request, name: RsName, version: RsVersion, who: Admin) -> dict[str, Any]:
    with state(request).write() as conn:
        try:
            rs = config.activate_ruleset(conn, name, version, who.actor)
        except RuleSetError as exc:
            raise ApiError(404, str(exc), "unknown_ruleset") from exc
    state(request).reload_rules()
    return {"active": rs.label}


@router.get("/corridors", tags=["rules"], summary="Corridors with thresholds, budgets and exploration share")
def list_corridors(request: Request, who: Annotated[Principal, Depends(require("queue"))]) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        rows = config.port_budgets(conn)
    out = []
    for c in st.screening.corridors.all:
        if who.scope.corridors is not None and c.name not in who.scope.corridors:
            continue
        out.append({"name": c.name, "title": c.title, "ports": sorted(c.ports),
                    "thresholds": {"review": c.thresholds.review, "exam": c.thresholds.exam, "hold": c.thresholds.hold},
                    "exam_budget_per_day": c.exam_budget_per_day, "exploration_share": c.exploration_share,
                    "port_budgets": {p: {"exams_per_day": b.exams_per_day, "exploration_share": b.exploration_share}
                                     for (cn, p), b in rows.items() if cn == c.name}})
    return {"results": out}


class ThresholdsIn(BaseModel):
    review: float | None = Field(None, ge=0, le=100)
    exam: float | None = Field(None, ge=0, le=100)
    hold: float | None = Field(None, ge=0, le=100)


class CorridorIn(BaseModel):
    thresholds: ThresholdsIn | None = None
    exam_budget_per_day: int | None = Field(None, ge=0, le=1_000_000)
    exploration_share: float | None = Field(None, ge=0, le=1)


@router.put("/admin/corridors/{name}", tags=["rules"], summary="Change a corridor's thresholds, budget, exploration")
def change_corridor(request: Request, name: CorridorName, body: CorridorIn, who: Admin) -> dict[str, Any]:
    st = state(request)
    change: dict[str, Any] = body.model_dump(exclude_none=True)
    if "thresholds" in change and not change["thresholds"]:
        change.pop("thresholds")
    try:
        c = _admin_write(request, lambda conn: config.set_corridor(conn, name, change, who.actor))
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), "unknown_corridor") from exc
    st.reload_rules()
    return {"name": c.name, "thresholds": c.thresholds.__dict__, "exam_budget_per_day": c.exam_budget_per_day,
            "exploration_share": c.exploration_share}


class BudgetIn(BaseModel):
    exams_per_day: int = Field(ge=0, le=1_000_000)
    exploration_share: float = Field(0.10, ge=0, le=1)


@router.put("/admin/corridors/{name}/ports/{port}/budget", tags=["rules"], summary="A port's daily exam budget")
def set_budget(request: Request, name: CorridorName,
               port: Annotated[str, PathParam(pattern=r"^([A-Za-z0-9]{1,8}|\*)$",
                                              description="A port code (letters and digits, up to 8) or '*'")],
               body: BudgetIn, who: Admin) -> dict[str, Any]:
    st = state(request)
    try:
        st.screening.corridors.get(name)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), "unknown_corridor") from exc
    _admin_write(request, config.set_port_budget, name, port, body.exams_per_day, body.exploration_share, who.actor)
    return {"corridor": name, "port": port.upper(), **body.model_dump()}


# ------------------------------------------------------------------ watchlists


@router.get("/watchlists", tags=["admin"], summary="Watchlist versions")
def list_watchlists(request: Request, who: Admin) -> dict[str, Any]:
    from interdictor.store import watchlists

    with state(request).read() as conn:
        return {"results": views.jsonable(watchlists.versions(conn))}


WATCHLIST_BODY = {"type": "string", "minLength": 1, "description": (
    "The list file in the format named by `format`: for `custom`, a CSV whose header has at least one of the "
    "columns name, phone, email, address (docs/watchlists.md). A file without a usable entry is refused with 422.")}
UPLOAD = "the uploaded list"  # what messages call the file: never the server's temporary path


@router.post("/admin/watchlists", tags=["admin"], status_code=201, summary="Import a watchlist file as a new version",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": WATCHLIST_BODY}, "application/octet-stream": {"schema": WATCHLIST_BODY}}}})
async def import_watchlist(request: Request, who: Admin,
                           list_id: Annotated[str, Query(pattern=SLUG)],
                           format: Annotated[Literal["custom", "ofac-csv", "ofac-xml", "ftm"], Query()] = "custom"
                           ) -> dict[str, Any]:
    data = (await request.body())[: 200 * 1024 * 1024]
    st = state(request)
    report = await run_in_threadpool(_import_list, st, data, list_id, format, who.actor)
    st.reload_context()
    return report


def _import_list(st: Any, data: bytes, list_id: str, fmt: str, actor: str) -> dict[str, Any]:
    from interdictor.reference.watchlists import ListFormatError, read_list
    from interdictor.store import watchlists

    suffix = {"ofac-xml": ".xml", "ftm": ".json"}.get(fmt, ".csv")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{list_id}{suffix}"
        path.write_bytes(data)
        try:
            wl = read_list(path, fmt, list_id=list_id)
        except (ListFormatError, ValueError, OSError) as exc:
            raise ApiError(422, str(exc).replace(str(path), UPLOAD).replace(tmp, UPLOAD), "invalid_list") from exc
        wl = dataclasses.replace(wl, source=UPLOAD)
    if not wl.entries:
        raise ApiError(422, f"no usable entries ({len(wl.problems)} problems); nothing imported", "invalid_list")
    with st.write() as conn:
        rep = watchlists.save_version(conn, wl, actor=actor)
    return {"list_id": rep.list_id, "version": rep.version, "entries": rep.entries, "problems": rep.problems,
            "summary": rep.line()}


# ------------------------------------------------------------------ performance, metrics, audit

Perf = Annotated[Principal, Depends(require("performance"))]
Days = Annotated[int, Query(ge=1, le=366)]


@router.get("/performance/rules", tags=["performance"], summary="Per rule: fired, examined, found, yield")
def rule_performance(request: Request, who: Perf, days: Days = 30) -> dict[str, Any]:
    with state(request).read() as conn:
        f = facts.performance_facts(conn, days)
    return {"days": days, "totals": performance.totals(f), "rules": views.jsonable(performance.by_rule(f).to_dicts()),
            "bands": views.jsonable(performance.by_band(f).to_dicts()),
            "exploration": views.jsonable(performance.by_exploration(f).to_dicts())}


@router.get("/performance/trend", tags=["performance"], summary="Yield over time, overall and per rule")
def rule_trend(request: Request, who: Perf, days: Days = 90,
               period: Annotated[Literal["1d", "1w", "1mo"], Query()] = "1w",
               code: Annotated[list[Annotated[str, Field(pattern=REASON_CODE)]] | None, Query(max_length=20)] = None) -> dict[str, Any]:
    with state(request).read() as conn:
        f = facts.performance_facts(conn, days)
    return {"days": days, "period": period,
            "series": views.jsonable(performance.trend(f, period, code).to_dicts())}


@router.get("/metrics", tags=["service"], summary="Counts of shipments, recommendations, decisions, outcomes")
def get_metrics(request: Request, who: Annotated[Principal, Depends(require("metrics"))]) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        m = facts.metrics(conn)
    sc = st.screener
    m["screening"] = {"batches": sc.batches, "submissions": sc.submissions, "busy_seconds": round(sc.busy_seconds, 3),
                      "read_seconds": round(sc.read_seconds, 3), "ruleset": st.screening.ruleset.label}
    return m


@router.get("/audit", tags=["service"], summary="The audit log, newest first")
def get_audit(request: Request, who: Annotated[Principal, Depends(require("audit"))],
              actor: Annotated[str | None, Query(max_length=160)] = None,
              action: Annotated[str | None, Query(max_length=64)] = None,
              object_id: Annotated[str | None, Query(max_length=300)] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    with state(request).read() as conn:
        rows = audit_entries(conn, actor=actor, action=action, object_id=object_id, limit=limit, offset=offset)
    return {"results": views.jsonable(rows)}
