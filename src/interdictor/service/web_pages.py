"""The web workspace: pages (server-rendered, no CDN, working offline).

Sign-in; the queue with filters and each shipment's reasons; shipment detail
(parties, items, route map, reasons, the parties' history, decision and outcome
forms); linked parties; the partner referral inbox; the rule dashboard; search.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import polars as pl
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from interdictor.learn.loop import CODE as MODEL_CODE
from interdictor.model import PARTY_SCHEMA
from interdictor.network import NetworkConfig, NetworkError
from interdictor.queue import performance
from interdictor.service import svg, views, work
from interdictor.service.api_shipments import read_shipment
from interdictor.service.api_work import queue_frame, today
from interdictor.service.auth import (
    check_login_csrf,
    client_of,
    do_login,
    login_form_token,
    optional_principal,
    principal,
    require,
    set_login_cookie,
    set_session_cookie,
    state,
)
from interdictor.service.errors import ApiError
from interdictor.service.params import Day
from interdictor.service.principal import Principal
from interdictor.store import config, decisions, facts, models, shipments
from interdictor.store.network import Backtracked, backtrack

router = APIRouter(include_in_schema=False)

NAV = [("queue", "Queue", "queue"), ("answers", "Answers", "answer_referral"), ("search", "Search", "read_shipments"),
       ("referrals", "Referrals", "referrals"), ("incidents", "Incidents", "incidents"), ("watches", "Watches", "watches"),
       ("network/communities", "Networks", "network"), ("notifications", "Notifications", "read_notifications"),
       ("alerts", "Alerts", "admin"), ("rules", "Rules", "performance"), ("submit", "Submit", "submit")]
QUEUE_PAGE = 50  # queue rows a page
ANSWERS_SHOWN = 30  # a partner's recent shipments on its home page
SMALL_SAMPLE = 10  # fewer exams than this and a rule's yield says little
FILTERS = {"utc": views.utc_time, "brief": views.brief_parts, "port": views.port_name}


def render(request: Request, template: str, me: Principal | None, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    nav = [(href, label) for href, label, perm in NAV if me is not None and me.can(perm)]
    env = request.app.state.templates.env
    if "utc" not in env.filters:  # the workspace's own filters, on the app's one template environment
        env.filters.update(FILTERS)
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, template, {"me": me, "nav": nav, "csrf": me.csrf_token if me else "", "done": request.query_params.get("done"),
                        **ctx}, status_code=status_code)


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, status_code: int = 200, **ctx: Any) -> Response:
    st = state(request)
    token, fresh = login_form_token(request, st)
    page = render(request, "login.html", None, status_code=status_code, login_csrf=token, **ctx)
    if fresh:
        set_login_cookie(request, page, fresh, st)
    return page


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, me: Annotated[Principal | None, Depends(optional_principal)],
                     next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if me is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login_form(request: Request, username: Annotated[str, Form(max_length=128)],
                     password: Annotated[str, Form(max_length=1024)], next: Annotated[str, Form(max_length=500)] = "/",
                     csrf_token: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    st = state(request)
    try:
        check_login_csrf(request, csrf_token, st)
        token, _ = await run_in_threadpool(do_login, st, username, password, client_of(request))
    except ApiError as exc:
        page = _login_page(request, status_code=exc.status, next=safe_next(next), error=exc.message, username=username)
        page.headers.update(exc.headers)
        return page
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, token, st)
    return response


@router.get("/", response_class=HTMLResponse)
async def home(me: Annotated[Principal, Depends(principal)]) -> Response:
    start = {"partner": "/answers", "notifier": "/notifications"}.get(me.role, "/queue")
    return RedirectResponse(start, status_code=303)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, me: Annotated[Principal, Depends(require("queue"))],
               corridor: Annotated[str | None, Query(max_length=64)] = None,
               port: Annotated[str | None, Query(max_length=8)] = None, day: Day | None = None,
               pick: Annotated[str | None, Query(max_length=8)] = None,
               open_only: Annotated[bool, Query(alias="open")] = False,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    st = state(request)
    names = [c.name for c in st.screening.corridors.all
             if me.scope.corridors is None or c.name in me.scope.corridors]
    corridor = corridor if corridor in names else (names[0] if names else "")
    day = day or today()
    rows: list[dict[str, Any]] = []
    budget = None
    total = 0
    if corridor:
        q = queue_frame(st, me, corridor, day, port or None)
        ports = sorted(p for p in q.get_column("port").unique().to_list() if p)
        if pick in ("exam", "explore", "review"):
            q = q.filter(pl.col("pick") == pick)
        if open_only:
            q = q.filter(pl.col("decision").is_null())
        total = q.height
        rows = q.slice((page - 1) * QUEUE_PAGE, QUEUE_PAGE).to_dicts()
        with st.read() as conn:
            budget = st.budgets(conn)(corridor, port or None)
    else:
        ports = []
    with st.read() as conn:
        active_model = models.active_version(conn)
    kept = {"corridor": corridor, "port": port or "", "day": day.isoformat(), "pick": pick or "",
            "open": "true" if open_only else ""}
    base = {k: v for k, v in kept.items() if v}
    pages = max(1, math.ceil(total / QUEUE_PAGE))
    return render(request, "queue.html", me, rows=rows, corridors=names, corridor=corridor, port=port or "",
                  model=active_model,
                  ports=ports, day=day.isoformat(), pick=pick or "", open_only=open_only, budget=budget,
                  total=total, page=page, pages=pages, first=(page - 1) * QUEUE_PAGE + 1,
                  page_url=lambda n: "/queue?" + urlencode({**base, "page": n}))


def _consignee_point(parties: list[dict[str, Any]]) -> tuple[tuple[float, float] | None, str]:
    cons = [p for p in parties if p.get("party") == "consignee"]
    if not cons:
        return None, ""
    from interdictor.reference.geo import load_geo

    row = {k: cons[0].get(k) for k in PARTY_SCHEMA if k != "shipment_id"}
    df = pl.DataFrame([{"shipment_id": "x", **row}], schema=PARTY_SCHEMA)
    loc = load_geo().locate_consignees(df)
    if loc.is_empty() or loc.get_column("lat")[0] is None:
        return None, ""
    label = cons[0].get("city") or "consignee"
    return (float(loc.get_column("lat")[0]), float(loc.get_column("lon")[0])), str(label)


@router.get("/shipments/{partner}/{shipment_id}", response_class=HTMLResponse)
def shipment_page(request: Request, partner: str, shipment_id: str,
                  me: Annotated[Principal, Depends(require("read_shipments"))]) -> Response:
    return render_shipment(request, me, partner, shipment_id)


def render_shipment(request: Request, me: Principal, partner: str, shipment_id: str, status_code: int = 200,
                    form: dict[str, dict[str, Any]] | None = None,
                    errors: dict[str, dict[str, str]] | None = None) -> HTMLResponse:
    """The shipment page; a form that went wrong comes back with what was typed (``form``) and its
    ``errors`` — both keyed by form (``decide``, ``outcome``), then by field (``_form``: the whole form)."""
    st = state(request)
    view = read_shipment(request, me, partner, shipment_id, "web")
    ship = view["shipment"]
    point, label = _consignee_point(view["parties"])
    stops = svg.route_stops([p for p in (ship.get("routing") or "").split("-") if p.strip()], point, label)
    history: list[dict[str, Any]] = []
    if not me.scope.answers_only:
        with st.read() as conn:
            history = shipments.linked_shipments(conn, me.scope, [{**p, "party": p.get("party")} for p in view["parties"]],
                                             (partner, shipment_id), limit=20)
    return render(request, "shipment.html", me, status_code=status_code, v=view, partner=partner,
                  shipment_id=shipment_id, route=svg.route_map(stops), history=history,
                  fields=work.REQUESTABLE_FIELDS, form=form or {}, errors=errors or {})


@router.get("/shipments/{partner}/{shipment_id}/links", response_class=HTMLResponse)
def links_page(request: Request, partner: str, shipment_id: str,
               me: Annotated[Principal, Depends(require("search_parties"))]) -> Response:
    st = state(request)
    view = read_shipment(request, me, partner, shipment_id, "web-links")
    with st.read() as conn:
        links = shipments.linked_shipments(conn, me.scope, view["parties"], (partner, shipment_id), limit=40)
    return render(request, "links.html", me, v=view, partner=partner, shipment_id=shipment_id, links=links,
                  graph=svg.link_graph(shipment_id, links[:24]))


NETWORK_DRAWN = 40  # shipments drawn in the network view (the ranked list below it shows them all)
HOT = 0.6  # a linked shipment assessed at this risk or more is drawn hot


def _net_kind(risk: float | None, note: str | None) -> str:
    for word in ("seized", "referred"):
        if (note or "").startswith(word):
            return word
    return "hot" if risk is not None and risk >= HOT else "other"


def network_drawing(partner: str, shipment_id: str, found: Backtracked) -> Markup:
    """The backtrack as ``svg.network_graph`` draws it: the first ``NETWORK_DRAWN`` ranked shipments, each joined
    to the nearest drawn shipment on its path, and its hubs collapsed beside the shipment that reaches them."""
    start = f"{partner}/{shipment_id}"
    drawn = found.steps.head(NETWORK_DRAWN)
    keys = {f"{r['partner']}/{r['shipment_id']}" for r in drawn.iter_rows(named=True)}
    nodes = []
    for r in drawn.iter_rows(named=True):
        chain = list(r["chain"])
        parent = next((k for k in reversed(chain[:-1]) if k in keys), start)
        skipped = len(chain) - 1 - (chain.index(parent) + 1 if parent in chain else 0)
        tie = r["tie"] + (f" (via {skipped} more shipment{'s' if skipped > 1 else ''})" if skipped > 0 else "")
        caption = f"rank {r['rank']}, score {r['score']:.0f}" + (f", {r['note']}" if r["note"] else "")
        nodes.append(svg.NetNode(f"{r['partner']}/{r['shipment_id']}", r["shipment_id"], int(r["hops"]), parent, tie,
                                 _net_kind(r["risk"], r["note"]), _ship_href(r["partner"], r["shipment_id"]), caption))
    hubs = [svg.NetHub(h.text, f"{h.label.split(' ', 1)[0]} used by {h.size} names — not followed" if h.kind == "hub"
                       else f"{h.label[:24]} — {h.size} links, not followed",
                       f"{h.near[0]}/{h.near[1]}" if f"{h.near[0]}/{h.near[1]}" in keys else start)
            for h in found.hubs]
    return svg.network_graph(start, _net_kind(None, found.start_note), _ship_href(partner, shipment_id), nodes, hubs)


def _ship_href(partner: str, shipment_id: str) -> str:
    return f"/shipments/{quote(partner, safe='')}/{quote(shipment_id, safe='')}"


@router.get("/shipments/{partner}/{shipment_id}/network", response_class=HTMLResponse)
def network_page(request: Request, partner: str, shipment_id: str, me: Annotated[Principal, Depends(require("network"))],
                 depth: Annotated[int, Query(ge=1, le=4)] = 2) -> Response:
    """Backtracking from a shipment (a seized one above all): every stored shipment linked to it across partners,
    drawn ring by ring and ranked with its path as evidence.  The ``network`` permission only (it crosses partners)."""
    st = state(request)
    read_shipment(request, me, partner, shipment_id, "web-network")
    try:
        found = backtrack(st.store, NetworkConfig(limit=NETWORK_LIMIT), partner, shipment_id, depth, fresh=False)
    except NetworkError as exc:
        raise ApiError(404, str(exc), "unknown_shipment") from exc
    rows = found.rows.join(found.steps.select("partner", "shipment_id", "note", "risk"), on=["partner", "shipment_id"],
                           how="left").to_dicts()
    for r in rows:
        r["kind"] = _net_kind(r["risk"], r["note"])
    return render(request, "network.html", me, partner=partner, shipment_id=shipment_id, depth=depth, rows=rows,
                  found=found, graph=network_drawing(partner, shipment_id, found), drawn=NETWORK_DRAWN)


NETWORK_LIMIT = 200  # ranked shipments listed


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(request: Request, me: Annotated[Principal, Depends(require("referrals"))],
                   status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    with state(request).read() as conn:
        rows = decisions.list_referrals(conn, me.scope, status if status in work.REFERRAL_STATUSES else None, 200)
    return render(request, "referrals.html", me, rows=rows, status=status or "")


@router.get("/answers", response_class=HTMLResponse)
def answers_page(request: Request, me: Annotated[Principal, Depends(require("answer_referral"))]) -> Response:
    """A partner's home: its own recent shipments with the answer each got (partner-safe: no score, no
    internal reason), and the referrals that wait for it."""
    st = state(request)
    scope = me.scope
    with st.read() as conn:
        recent = shipments.search_shipments(conn, scope, shipments.SearchQuery(limit=ANSWERS_SHOWN))
        rows = []
        for r in recent:
            detail = shipments.shipment_detail(conn, scope, r["partner"], r["shipment_id"])
            if detail is None:
                continue
            hist: dict[str, list[dict[str, Any]]] = {"referrals": [], "decisions": [], "outcomes": []}
            v = views.shipment_view(detail, hist, st.screening.ruleset, True,
                                    decisions.current_answer(conn, r["partner"], r["shipment_id"]))
            rows.append({**views.search_row(r, True), "answer": v["answer"], "reason_codes": v["reason_codes"],
                         "data_requested": v["data_requested"]})
        waiting = [r for r in decisions.list_referrals(conn, scope, None, 200) if r["status"] in ("open", "acknowledged")]
    return render(request, "answers.html", me, rows=rows, waiting=waiting)


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, me: Annotated[Principal, Depends(require("performance"))],
               days: Annotated[int, Query(ge=1, le=366)] = 30) -> Response:
    st = state(request)
    with st.read() as conn:
        f = facts.performance_facts(conn, days)
        versions = config.ruleset_versions(conn, st.screening.ruleset)
        model_versions = models.list_models(conn)[:5]
    rules = [with_interval(r) for r in performance.by_rule(f).to_dicts()]
    model_row = next((r for r in rules if r["code"] == MODEL_CODE), None)
    bands = performance.by_band(f).to_dicts()
    explo = performance.by_exploration(f).to_dicts()
    tr = performance.trend(f, "1d" if days <= 31 else "1w", [r["code"] for r in rules[:3]]).to_dicts()
    series: dict[str, list[tuple[str, float | None]]] = {}
    for r in tr:
        series.setdefault("all exams" if r["code"] == "*" else r["code"], []).append(
            (str(r["period_start"]), r["yield"]))
    examined = [r for r in rules if r["resolved"]]
    yield_chart = svg.bars([(r["code"], r["yield"] or 0.0, f"{r['found']}/{r['resolved']}"
                             + ("" if r["enough"] else " · few exams")) for r in examined[:15]],
                           max_value=1.0, title="Yield per rule (found / exams with an outcome)",
                           faint={r["code"] for r in examined if not r["enough"]},
                           spans={r["code"]: r["interval"] for r in examined if r["interval"]})
    fired_chart = svg.bars([(r["code"], float(r["fired"]), f"{r['fired']} · {r['examined']} ex.")
                            for r in rules[:15]], title="How often each rule fired")
    band_chart = svg.columns([(b["band"], float(b["shipments"]), str(b["shipments"])) for b in bands],
                             title="Shipments per score band")
    return render(request, "rules.html", me, days=days, totals=performance.totals(f), rules=rules, bands=bands,
                  exploration=explo, yield_chart=yield_chart, fired_chart=fired_chart, band_chart=band_chart,
                  trend_chart=svg.lines(series, title="Yield over time"), versions=versions,
                  result=None, quote=quote, small_sample=SMALL_SAMPLE, model_code=MODEL_CODE, model_row=model_row,
                  model_versions=model_versions)


def with_interval(r: dict[str, Any]) -> dict[str, Any]:
    """A rule's row with the 95 % Wilson interval of its yield, and whether it rests on enough exams."""
    return {**r, "interval": views.wilson_interval(int(r["found"]), int(r["resolved"])),
            "enough": int(r["resolved"]) >= SMALL_SAMPLE}


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, me: Annotated[Principal, Depends(require("read_shipments"))],
                text: Annotated[str | None, Query(max_length=200)] = None,
                name: Annotated[str | None, Query(max_length=200)] = None,
                address: Annotated[str | None, Query(max_length=200)] = None,
                phone: Annotated[str | None, Query(max_length=64)] = None,
                email: Annotated[str | None, Query(max_length=200)] = None,
                hs_code: Annotated[str | None, Query(max_length=12)] = None,
                date_from: Day | None = None, date_to: Day | None = None) -> Response:
    q = shipments.SearchQuery(text=text or None, name=name or None, address=address or None, phone=phone or None,
                          email=email or None, hs_code=hs_code or None, date_from=date_from, date_to=date_to, limit=100)
    asked = any((q.text, q.name, q.address, q.phone, q.email, q.hs_code, q.date_from, q.date_to))
    ships: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    if asked:
        with state(request).read() as conn:
            ships = shipments.search_shipments(conn, me.scope, q)
            if me.can("search_parties"):
                parties = shipments.search_parties(conn, me.scope, q)
    return render(request, "search.html", me, q=q, asked=asked, ships=ships, parties=parties)


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, me: Annotated[Principal, Depends(require("submit"))]) -> Response:
    from interdictor.intake.dispatch import known_formats

    return render(request, "submit.html", me, formats=known_formats(), result=None)
