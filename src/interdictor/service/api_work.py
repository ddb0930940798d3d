"""API: the ranked queue, decisions, outcomes and referrals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from interdictor.service import insight, views, work
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.params import Day, NotBlank
from interdictor.service.principal import Principal
from interdictor.service.state import ServiceState
from interdictor.store import decisions, shipments

router = APIRouter(tags=["work"], responses=ERROR_RESPONSES)


def today() -> date:
    return datetime.now(UTC).date()


def queue_frame(st: ServiceState, who: Principal, corridor: str, day: date, port: str | None) -> pl.DataFrame:
    with st.read() as conn:
        try:
            return insight.queue(conn, who.scope, st.screening.corridors, st.budgets(conn), corridor=corridor, day=day,
                                 port=port)
        except KeyError as exc:
            raise ApiError(404, str(exc.args[0]), "unknown_corridor") from exc


@router.get("/queue", summary="The ranked exam queue of a corridor (and port) for a day")
def get_queue(
    request: Request, who: Annotated[Principal, Depends(require("queue"))],
    corridor: Annotated[str, Query(max_length=64)] = "san-diego",
    port: Annotated[str | None, Query(max_length=8, description="Destination port (IATA/LOCODE/CBP)")] = None,
    day: Annotated[Day | None, Query(description="Day of receipt (UTC), YYYY-MM-DD; default today")] = None,
    pick: Annotated[Literal["exam", "explore", "review"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> dict[str, Any]:
    """Exam picks within the port's daily budget first, then exploration picks (``exploration: true``:
    uncertain or random, so outcomes keep teaching the rules), then the rest of the review band."""
    st = state(request)
    day = day or today()
    q = queue_frame(st, who, corridor, day, port)
    if pick:
        q = q.filter(pl.col("pick") == pick)
    with st.read() as conn:
        b = st.budgets(conn)(corridor, port)
    return {"corridor": corridor, "port": port, "day": day.isoformat(),
            "budget": {"exams_per_day": b.exams_per_day, "exploration_share": b.exploration_share,
                       "exploit": b.exploit, "explore": b.explore},
            "total": q.height, "items": views.jsonable(q.head(limit).to_dicts())}


class DecisionIn(BaseModel):
    decision: Literal["release", "review", "exam", "hold"]
    reason: NotBlank = Field(max_length=2000, description="Why — every decision carries a reason")
    request_information: bool = Field(False, description="With 'review': ask the filer for data (a referral)")
    asked: list[Literal[work.REQUESTABLE_FIELDS]] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    message: str | None = Field(None, max_length=2000, description="Text sent to the partner with a referral")


def decide(st: ServiceState, who: Principal, partner: str, shipment_id: str, body: DecisionIn) -> dict[str, Any]:
    with st.write() as conn:
        detail = shipments.shipment_detail(conn, who.scope, partner, shipment_id)
        codes: list[str] = []
        if detail is not None:
            from interdictor.service.answering import partner_codes

            codes = partner_codes(detail["shipment"], detail["reasons"], st.screening.ruleset)
        try:
            return work.record_decision(conn, who, partner, shipment_id, decision=body.decision, reason=body.reason,
                                        cfg=st.screening.corridors, budgets=st.budgets(conn),
                                        request_information=body.request_information,
                                        asked=list(body.asked), message=body.message, reason_codes=codes)
        except work.WorkError as exc:
            raise ApiError(exc.status, str(exc)) from exc


@router.post("/shipments/{partner}/{shipment_id}/decisions", status_code=201, summary="Decide: release, review, "
             "exam or hold (audited)")
def post_decision(request: Request, partner: str, shipment_id: str, body: DecisionIn,
                  who: Annotated[Principal, Depends(require("decide"))]) -> dict[str, Any]:
    """Exam and hold send the filer a referral (hold for screening, do not load) scoped to the house bill;
    a review with ``request_information`` asks the filer for the ``asked`` fields; release withdraws
    open referrals."""
    return decide(state(request), who, partner, shipment_id, body)


class OutcomeIn(BaseModel):
    """An outcome as a form gives it; what each result needs is checked when it is recorded (``work``)."""

    result: Literal["nothing_found", "seized", "referred"]
    what: str | None = Field(None, max_length=500, description="Seized: what (e.g. 'NPP, 25 kg drum')")
    quantity: float | None = Field(None, ge=0, le=1e9)
    unit: str | None = Field(None, max_length=16)
    agency: str | None = Field(None, max_length=200, description="Referred: to which agency")
    note: str | None = Field(None, max_length=4000)


class NothingFoundIn(OutcomeIn):
    result: Literal["nothing_found"]


class SeizedIn(OutcomeIn):
    result: Literal["seized"]
    what: NotBlank = Field(max_length=500, description="What was seized (e.g. 'NPP, 25 kg drum')")


class ReferredIn(OutcomeIn):
    result: Literal["referred"]
    agency: NotBlank = Field(max_length=200, description="To which agency")


# the API's body: the schema itself says that a seizure names what and a referral the agency
OutcomeBody = Annotated[NothingFoundIn | SeizedIn | ReferredIn, Field(discriminator="result")]


def record_outcome(st: ServiceState, who: Principal, partner: str, shipment_id: str, body: OutcomeIn) -> dict[str, Any]:
    with st.write() as conn:
        try:
            done = work.record_outcome(conn, who, partner, shipment_id, result=body.result, what=body.what,
                                       quantity=body.quantity, unit=body.unit, agency=body.agency, note=body.note)
        except work.WorkError as exc:
            raise ApiError(exc.status, str(exc)) from exc
    if body.result == "seized":  # stored: the shipments linked to it are assessed again
        st.after_seizure(partner, shipment_id)
    return done


@router.post("/shipments/{partner}/{shipment_id}/outcomes", status_code=201, summary="Record what an exam found")
def post_outcome(request: Request, partner: str, shipment_id: str, body: OutcomeBody,
                 who: Annotated[Principal, Depends(require("record_outcome"))]) -> dict[str, Any]:
    """Nothing found; seized (what, how much); or referred to an agency.  Needs an exam or hold decision."""
    return record_outcome(state(request), who, partner, shipment_id, body)


@router.get("/referrals", summary="Referrals (a partner sees its own only)")
def list_referrals(request: Request, who: Annotated[Principal, Depends(require("referrals"))],
                   status: Annotated[Literal["open", "acknowledged", "answered", "withdrawn"] | None, Query()] = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100,
                   offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict[str, Any]:
    with state(request).read() as conn:
        rows = decisions.list_referrals(conn, who.scope, status, limit, offset)
    return {"results": [views.referral_view(r, who.scope.answers_only) for r in rows]}


@router.get("/referrals/{referral_id}", summary="One referral")
def get_referral(request: Request, referral_id: str,
                 who: Annotated[Principal, Depends(require("referrals"))]) -> dict[str, Any]:
    with state(request).read() as conn:
        r = decisions.get_referral(conn, who.scope, referral_id)
    if r is None:
        raise ApiError(404, "no such referral", "not_found")
    return views.referral_view(r, who.scope.answers_only)


@router.post("/referrals/{referral_id}/acknowledge", summary="Acknowledge a referral")
def acknowledge(request: Request, referral_id: str,
                who: Annotated[Principal, Depends(require("answer_referral"))]) -> dict[str, Any]:
    with state(request).write() as conn:
        try:
            return views.referral_view(work.acknowledge(conn, who, referral_id), who.scope.answers_only)
        except work.WorkError as exc:
            raise ApiError(exc.status, str(exc)) from exc


class ResponseIn(BaseModel):
    data: dict[str, Annotated[str, Field(max_length=4000)]] = Field(
        description="The fields asked for, field name -> value", max_length=50)


@router.post("/referrals/{referral_id}/response", summary="Answer a referral with the data asked for")
def respond(request: Request, referral_id: str, body: ResponseIn,
            who: Annotated[Principal, Depends(require("answer_referral"))]) -> dict[str, Any]:
    with state(request).write() as conn:
        try:
            return views.referral_view(work.respond(conn, who, referral_id, body.data), who.scope.answers_only)
        except work.WorkError as exc:
            raise ApiError(exc.status, str(exc)) from exc
