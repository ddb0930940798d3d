"""API: pre-notified lawful trade (PEN-style).

An export authority's key posts, lists and withdraws its own notifications; targeters and analysts read
every one; law enforcement those of its granted corridors; a partner's key is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from interdictor.service import notices, views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.principal import Principal

router = APIRouter(tags=["notifications"], responses=ERROR_RESPONSES)


class NotificationIn(BaseModel):
    """A shipment of a controlled chemical or press, announced before it leaves; checked as a CSV row is."""

    reference: str = Field(min_length=1, max_length=64, description="The authority's own reference (idempotent key)")
    exporter: str = Field(min_length=1, max_length=300)
    exporter_country: str | None = Field(None, max_length=8, description="ISO 3166-1 alpha-2")
    importer: str = Field(min_length=1, max_length=300)
    importer_country: str | None = Field(None, max_length=8, description="ISO 3166-1 alpha-2")
    goods: str = Field(min_length=1, max_length=200, description="Knowledge-base id, name or CAS number")
    quantity: float = Field(gt=0, lt=1e9)
    unit: str = Field(min_length=1, max_length=16, description="kg, g, mg, t, l, ml or pcs")
    arrival_from: date
    arrival_to: date
    port: str | None = Field(None, max_length=16, description="Expected port of entry (CBP, IATA or UN/LOCODE)")


def _fail(exc: notices.NoticeError) -> ApiError:
    details = [{"where": f"body.{f}", "problem": p} for f, p in exc.fields.items()]  # the shape of a schema error
    return ApiError(exc.status, str(exc), "rejected" if exc.status == 422 else None, details)


@router.post("/notifications", status_code=201, summary="Pre-notify a shipment of a controlled good (export authority)")
def post_notification(request: Request, body: NotificationIn,
                      who: Annotated[Principal, Depends(require("notify_trade"))]) -> JSONResponse:
    """201 when the reference is new, 200 when it amends an open notification or repeats one unchanged; 409
    once it is closed or withdrawn.  Screening matches it from the moment it is stored."""
    st = state(request)
    with st.write() as conn:
        try:
            result, row = notices.file_one(conn, who, body.model_dump(mode="json"))
        except notices.NoticeError as exc:
            raise _fail(exc) from exc
    if result != "unchanged":
        st.reload_registry()
    return JSONResponse(views.jsonable({"result": result, "notification": row}),
                        status_code=201 if result == "added" else 200)


@router.get("/notifications", summary="Notifications: an export authority's own, or all for the targeting authority")
def get_notifications(request: Request, who: Annotated[Principal, Depends(require("read_notifications"))],
                      status: Annotated[Literal["open", "arrived", "unmatched", "withdrawn"] | None, Query()] = None,
                      limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        rows = notices.visible(conn, who, st.screening.corridors, status, limit)
    return {"total": len(rows), "items": views.jsonable(rows)}


@router.get("/notifications/{authority}/{reference}", summary="One notification and the shipments matched to it")
def get_notification(request: Request, authority: str, reference: str,
                     who: Annotated[Principal, Depends(require("read_notifications"))]) -> dict[str, Any]:
    st = state(request)
    with st.read() as conn:
        try:
            return views.jsonable(notices.one(conn, who, authority, reference, st.screening.corridors))  # type: ignore[no-any-return]
        except notices.NoticeError as exc:
            raise _fail(exc) from exc


@router.post("/notifications/{authority}/{reference}/withdraw", summary="Withdraw one's own open notification")
def withdraw_notification(request: Request, authority: str, reference: str,
                          who: Annotated[Principal, Depends(require("notify_trade"))]) -> dict[str, Any]:
    st = state(request)
    with st.write() as conn:
        try:
            row = notices.withdraw(conn, who, authority, reference, st.screening.corridors)
        except notices.NoticeError as exc:
            raise _fail(exc) from exc
    st.reload_registry()
    return views.jsonable(row)  # type: ignore[no-any-return]
