"""The web workspace: forms (every one CSRF-checked by the session dependency, then redirected)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from interdictor.intake.base import IntakeError
from interdictor.service import work
from interdictor.service.api_admin import run_backtest
from interdictor.service.api_work import DecisionIn, OutcomeIn, decide, record_outcome
from interdictor.service.auth import SESSION_COOKIE, clear_session_cookie, optional_principal, require, state
from interdictor.service.errors import ApiError
from interdictor.service.principal import Principal
from interdictor.service.web_pages import render, render_shipment
from interdictor.store import config

router = APIRouter(include_in_schema=False)


def back(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={quote(message)}", status_code=303)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """Each invalid field of a form with its problem, in plain words."""
    out: dict[str, str] = {}
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else "_form"
        out.setdefault(field, _PLAIN.get(e["type"], e["msg"]))
    return out


_PLAIN = {"literal_error": "choose one of the options", "missing": "this is needed",
          "string_too_short": "this is needed", "greater_than_equal": "must not be negative"}
# a rule of the work that a form broke, by the words of its message -> the field it is about
_WORK_FIELDS = (("what was seized", "what"), ("agency", "agency"), ("needs a reason", "reason"),
                ("cannot ask for", "asked"), ("decision must be", "decision"), ("result must be", "result"))


def _work_error(exc: ApiError) -> dict[str, str]:
    if exc.status == 404:  # not a mistake in the form: the shipment is not there (or not the user's)
        raise exc
    field = next((f for words, f in _WORK_FIELDS if words in exc.message), "_form")
    return {field: exc.message}


def _again(request: Request, me: Principal, partner: str, shipment_id: str, which: str, typed: dict[str, Any],
           errors: dict[str, str], status: int) -> Response:
    """The shipment page again, the form as the officer filled it and each problem beside its field."""
    return render_shipment(request, me, partner, shipment_id, status_code=status, form={which: typed},
                           errors={which: errors})


@router.post("/logout")
async def logout(request: Request, me: Annotated[Principal | None, Depends(optional_principal)]) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if me is not None and token:
        from interdictor.service.api_admin import _logout

        await run_in_threadpool(_logout, state(request), token, me.actor)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/shipments/{partner}/{shipment_id}/decide")
def decide_form(request: Request, partner: str, shipment_id: str, me: Annotated[Principal, Depends(require("decide"))],
                decision: Annotated[str, Form(max_length=16)] = "", reason: Annotated[str, Form(max_length=2000)] = "",
                request_information: Annotated[bool, Form()] = False,
                asked: Annotated[list[str] | None, Form()] = None,
                message: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    typed = {"decision": decision, "reason": reason, "request_information": request_information, "asked": asked or [],
             "message": message or ""}
    try:
        body = DecisionIn(decision=decision, reason=reason, request_information=request_information,  # type: ignore[arg-type]
                          asked=asked or [], message=message or None)
        out = decide(state(request), me, partner, shipment_id, body)
    except ValidationError as exc:
        return _again(request, me, partner, shipment_id, "decide", typed, _field_errors(exc), 422)
    except ApiError as exc:
        return _again(request, me, partner, shipment_id, "decide", typed, _work_error(exc), exc.status)
    note = f"decision recorded: {body.decision}"
    if out.get("referral"):
        note += f"; {out['referral']['kind'].replace('_', ' ')} sent to the filer"
    return back(f"/shipments/{quote(partner)}/{quote(shipment_id)}", note)


@router.post("/shipments/{partner}/{shipment_id}/outcome")
def outcome_form(request: Request, partner: str, shipment_id: str,
                 me: Annotated[Principal, Depends(require("record_outcome"))],
                 result: Annotated[str, Form(max_length=16)] = "", what: Annotated[str | None, Form(max_length=500)] = None,
                 quantity: Annotated[str | None, Form(max_length=32)] = None,
                 unit: Annotated[str | None, Form(max_length=16)] = None,
                 agency: Annotated[str | None, Form(max_length=200)] = None,
                 note: Annotated[str | None, Form(max_length=4000)] = None) -> Response:
    typed = {"result": result, "what": what or "", "quantity": quantity or "", "unit": unit or "",
             "agency": agency or "", "note": note or ""}
    try:
        qty = float(quantity.replace(",", ".")) if quantity and quantity.strip() else None
    except ValueError:
        return _again(request, me, partner, shipment_id, "outcome", typed,
                      {"quantity": "a number, such as 25 or 2.5"}, 422)
    try:
        body = OutcomeIn(result=result, what=what or None, quantity=qty, unit=unit or None,  # type: ignore[arg-type]
                         agency=agency or None, note=note or None)
        record_outcome(state(request), me, partner, shipment_id, body)
    except ValidationError as exc:
        return _again(request, me, partner, shipment_id, "outcome", typed, _field_errors(exc), 422)
    except ApiError as exc:
        return _again(request, me, partner, shipment_id, "outcome", typed, _work_error(exc), exc.status)
    return back(f"/shipments/{quote(partner)}/{quote(shipment_id)}", f"outcome recorded: {body.result.replace('_', ' ')}")


@router.post("/referrals/{referral_id}/acknowledge")
def ack_form(request: Request, referral_id: str, me: Annotated[Principal, Depends(require("answer_referral"))]) -> Response:
    with state(request).write() as conn:
        try:
            work.acknowledge(conn, me, referral_id)
        except work.WorkError as exc:
            raise ApiError(exc.status, str(exc)) from exc
    return back("/referrals", "referral acknowledged")


@router.post("/referrals/{referral_id}/respond")
async def respond_form(request: Request, referral_id: str,
                       me: Annotated[Principal, Depends(require("answer_referral"))]) -> Response:
    form = await request.form()
    data = {str(k)[2:]: str(v) for k, v in form.multi_items() if str(k).startswith("f_") and isinstance(v, str)}

    def run() -> None:
        with state(request).write() as conn:
            try:
                work.respond(conn, me, referral_id, data)
            except work.WorkError as exc:
                raise ApiError(exc.status, str(exc)) from exc

    await run_in_threadpool(run)
    return back("/referrals", "answer sent")


@router.post("/submit", response_class=HTMLResponse)
async def submit_form(request: Request, me: Annotated[Principal, Depends(require("submit"))], file: UploadFile,
                      format: Annotated[str | None, Form(max_length=64)] = None,
                      partner: Annotated[str | None, Form(max_length=64)] = None) -> Response:
    from interdictor.intake.dispatch import known_formats
    from interdictor.service.api_shipments import PARTNER, prepare

    st = state(request)
    data = await file.read(st.max_upload_bytes + 1)
    if len(data) > st.max_upload_bytes:
        raise ApiError(413, "the manifest is too large for the web form; use the API or the CLI")
    filer = me.partner_code if me.role == "partner" else (partner or "web")
    if not filer or not PARTNER.match(filer):
        raise ApiError(422, "partner: lower-case letters, digits, '.', '_' or '-'")
    source = (file.filename or "upload")[:200]
    try:
        sub = await run_in_threadpool(prepare, data, filer, source, format or None, None, st.settings)
        result = await st.screener.submit_async(sub)
    except (IntakeError, ValueError) as exc:
        return render(request, "submit.html", me, status_code=422, formats=known_formats(), result=None,
                      error=str(exc))
    except TimeoutError as exc:
        raise ApiError(503, "screening took too long; send the file again (an unchanged resend is a no-op)") from exc
    return render(request, "submit.html", me, formats=known_formats(), result=result, partner=filer,
                  answers_only=me.scope.answers_only)


@router.post("/rules/backtest", response_class=HTMLResponse)
def backtest_form(request: Request, me: Annotated[Principal, Depends(require("admin"))],
                  name: Annotated[str, Form(max_length=64)], version: Annotated[int, Form(ge=1, le=1_000_000)],
                  days: Annotated[int, Form(ge=1, le=366)] = 30) -> Response:
    result: dict[str, Any] = run_backtest(request, name, version, days)
    return render(request, "backtest.html", me, result=result, name=name, version=version, days=days)


@router.post("/rules/activate")
def activate_form(request: Request, me: Annotated[Principal, Depends(require("admin"))],
                  name: Annotated[str, Form(max_length=64)], version: Annotated[int, Form(ge=1, le=1_000_000)]) -> Response:
    st = state(request)
    with st.write() as conn:
        try:
            rs = config.activate_ruleset(conn, name, version, me.actor)
        except ValueError as exc:
            raise ApiError(404, str(exc)) from exc
    st.reload_rules()
    return back("/rules", f"{rs.label} is now screening")
