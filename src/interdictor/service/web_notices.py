"""The web workspace's pre-notified trade: the list (an export authority's own, every one for targeters),
one notification with the shipments matched to it, and withdrawal by its authority."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from interdictor.service import notices
from interdictor.service.auth import require, state
from interdictor.service.errors import ApiError
from interdictor.service.principal import Principal
from interdictor.service.web_pages import render
from interdictor.service.web_work import back

router = APIRouter(include_in_schema=False)
STATUSES = ("open", "arrived", "unmatched", "withdrawn")


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, me: Annotated[Principal, Depends(require("read_notifications"))],
                       status: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    chosen = status if status in STATUSES else None
    st = state(request)
    with st.read() as conn:
        rows = notices.visible(conn, me, st.screening.corridors, chosen, 500)
    return render(request, "notifications.html", me, rows=rows, status=chosen, statuses=STATUSES)


@router.get("/notifications/{authority}/{reference}", response_class=HTMLResponse)
def notification_page(request: Request, authority: str, reference: str,
                      me: Annotated[Principal, Depends(require("read_notifications"))]) -> Response:
    st = state(request)
    with st.read() as conn:
        try:
            n = notices.one(conn, me, authority, reference, st.screening.corridors)
        except notices.NoticeError as exc:
            raise ApiError(exc.status, str(exc)) from exc
    return render(request, "notification.html", me, n=n)


@router.post("/notifications/{authority}/{reference}/withdraw")
def withdraw_form(request: Request, authority: str, reference: str,
                  me: Annotated[Principal, Depends(require("notify_trade"))]) -> Response:
    st = state(request)
    with st.write() as conn:
        try:
            notices.withdraw(conn, me, authority, reference, st.screening.corridors)
        except notices.NoticeError as exc:
            raise ApiError(exc.status, str(exc)) from exc
    st.reload_registry()
    return back(f"/notifications/{quote(authority)}/{quote(reference)}", "notification withdrawn")
