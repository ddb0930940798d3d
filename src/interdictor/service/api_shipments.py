"""API: submit manifests, read a shipment, search shipments, parties and actors."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from interdictor.intake.base import IntakeError
from interdictor.intake.dispatch import detect_format
from interdictor.intake.formats import formats
from interdictor.intake.mapping import Profile
from interdictor.screening import assembly
from interdictor.service import coalesce, views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ERROR_SCHEMA, ApiError
from interdictor.service.params import SLUG, Day
from interdictor.service.principal import Principal
from interdictor.service.screening import ClientGone, Submission, parse
from interdictor.store import decisions, parties, shipments
from interdictor.store.audit import audit
from interdictor.store.db import Store

router = APIRouter(tags=["shipments"], responses=ERROR_RESPONSES)
PARTNER = re.compile(SLUG)
MAX_BACKLOG = 20_000  # submissions waiting for the writer before new ones are turned away (503)
BODY_TYPES = ("text/csv", "application/json", "application/x-ndjson", "application/xml", "text/plain",
              "application/ld+json", "application/octet-stream")


class RejectOut(BaseModel):
    line: int | None = None
    field: str | None = None
    reason: str
    shipment_id: str | None = None
    kind: str


class ShipmentAnswer(BaseModel):
    shipment_id: str
    hawb: str | None = None
    mawb: str | None = None
    postal_item_id: str | None = None
    answer: str = Field(description="accepted | request_for_information | hold_for_screening | do_not_load")
    reason_codes: list[str] = Field(description="Partner-safe reason codes (none for accepted)")
    data_requested: list[str] = Field(default_factory=list, description="Request for information: what to correct")
    score: float | None = Field(None, description="Internal users only")
    disposition: str | None = Field(None, description="Internal users only: clear | review | exam | hold")
    corridor: str | None = None
    reasons: list[dict[str, Any]] | None = Field(None, description="Internal users only")


class SubmitOut(BaseModel):
    run_id: str
    format: str
    partner: str
    ruleset: str | None = None
    shipments: list[ShipmentAnswer]
    rejects: list[RejectOut]
    notices: list[str]


async def _payload(request: Request, limit: int) -> tuple[bytes, str | None]:
    ctype = request.headers.get("content-type", "")
    size = 0
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=20)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "send the manifest as the form field 'file'", "no_file")
        data = await upload.read(limit + 1)
        name = upload.filename
    else:
        chunks = []
        async for part in request.stream():
            size += len(part)
            if size > limit:  # stop reading here; what was read must not pass for the whole manifest
                break
            chunks.append(part)
        data = b"".join(chunks)
        name = None
    if size > limit or len(data) > limit:
        raise ApiError(413, f"the manifest is larger than {limit:,} bytes; split it or use the CLI", "too_large")
    if not data.strip():
        raise ApiError(422, "the manifest is empty", "empty")
    return data, name


MANIFEST_BODY = {"type": "string", "minLength": 1, "pattern": r"\S", "description": (
    "The manifest's bytes in any supported format (docs/formats.md), e.g. manifest CSV with the README's header "
    "and one row per item. Whether the bytes hold a readable shipment is not a matter of the schema: a body from "
    "which no shipment can be read is refused with 422 and the rejects in `details`.")}
FORMAT_NAMES = sorted({n for f in formats().values() for n in (f.name, *f.aliases)})


@router.post(
    "/manifests", response_model=SubmitOut, response_model_exclude_unset=True, summary="Submit a manifest and get the answer per house bill",
    responses={503: ERROR_SCHEMA},
    openapi_extra={"requestBody": {"required": True, "content": {
        **{t: {"schema": MANIFEST_BODY} for t in BODY_TYPES},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "minLength": 1, "description": MANIFEST_BODY["description"]}}}},
    }}},
)
async def submit_manifest(
    request: Request,
    who: Annotated[Principal, Depends(require("submit"))],
    format: Annotated[Literal[tuple(FORMAT_NAMES)] | None,  # type: ignore[valid-type]
                      Query(description="Format name (default: detected from the bytes and name)")] = None,
    profile: Annotated[str | None, Query(description="Column-mapping profile for CSV: the name of a shipped or "
                                                     "stored profile (`interdictor profiles list`); 404 if there "
                                                     "is none")] = None,
    filename: Annotated[str | None, Query(description="Name of the file, helps detection", max_length=200)] = None,
    partner: Annotated[str | None, Query(description="Filer code (internal users only; partners file as "
                                                     "themselves)", pattern=SLUG)] = None,
) -> dict[str, Any]:
    """Any supported format (manifest CSV/JSON Lines, JSON manifest, Cargo-IMP, Cargo-XML, ONE Record,
    postal CN 23), as the request body or as a multipart upload named ``file``.  Good rows are screened
    and answered; bad rows come back as rejects naming line and field.  When no shipment at all could be
    screened the answer is 422, its ``details`` the rejects."""
    st = state(request)
    if who.role == "partner":
        if not who.partner_code:
            raise ApiError(403, "this organisation has no partner code; ask an admin", "no_partner_code")
        filer = who.partner_code
    else:
        filer = partner or "api"
    prof = await anyio.to_thread.run_sync(named_profile, st.store, profile) if profile else None
    data, upload_name = await _payload(request, st.max_upload_bytes)
    source = (filename or upload_name or "api-submission")[:200]
    if st.screener.backlog() > MAX_BACKLOG:
        raise ApiError(503, "screening is behind; retry shortly", "busy", headers={"Retry-After": "2"})
    try:
        # abandoned, not awaited, when the request is cancelled (the server stopping): a stop must not wait for a read
        sub = await anyio.to_thread.run_sync(prepare, data, filer, source, format, prof, st.settings,
                                             abandon_on_cancel=True)
        result = await st.screener.submit_async(sub, gone=request.is_disconnected)
    except (IntakeError, ValueError) as exc:
        raise ApiError(422, str(exc), "unreadable_manifest") from exc
    except ClientGone as exc:  # nobody reads this answer; the submission was dropped unless already under way
        raise ApiError(499, "the client closed the connection before the answer", "client_gone") from exc
    except TimeoutError as exc:
        raise ApiError(503, "screening took too long; the submission may still be stored — send it again "
                       "(an unchanged resend is a no-op)", "busy", headers={"Retry-After": "5"}) from exc
    rejects = [{"line": r.line, "field": r.field, "reason": r.reason, "shipment_id": r.shipment_id, "kind": r.kind}
               for r in result.rejects]
    if not result.shipments:  # nothing screened: not an answer to the filer (the CLI exits 2 here)
        why = (f"{len(rejects)} rejected, the first: {rejects[0]['reason']}" if rejects
               else "the manifest holds no shipment")
        raise ApiError(422, f"nothing was screened: {why}", "nothing_screened", rejects)
    answers_only = who.scope.answers_only
    return {
        "run_id": result.run_id, "format": result.fmt, "partner": filer,
        "ruleset": None if answers_only else result.ruleset,
        "shipments": [views.submitted_shipment(s, answers_only) for s in result.shipments],
        "rejects": rejects,
        "notices": result.notices,
    }


UNKNOWN_PROFILE = "unknown profile: name a shipped or stored column profile (interdictor profiles list)"


def named_profile(store: Store, name: str) -> Profile:
    """The shipped or stored profile called ``name``.  Anything else — a path, a dotted or suffixed name, an
    unknown one — gets one and the same answer, and no file is looked at."""
    found = assembly.named_profile(store, name)
    if found is None:
        raise ApiError(404, UNKNOWN_PROFILE, "unknown_profile")
    return found


def prepare(data: bytes, filer: str, source: str, fmt: str | None, profile: Profile | None,
            settings: Any) -> Submission:
    """A submission ready for the writer: small plain manifest CSV waits to be read with others, the rest is read now."""
    waiting = coalesce.pending(data, fmt, profile.name if profile else None)
    if waiting is not None and (fmt == "manifest-csv" or detect_format(data[:65536], source) == "manifest-csv"):
        return Submission(filer, source, "manifest-csv", [], pending=waiting)
    detected, chunks = parse(data, source=source, fmt=fmt, profile=profile, settings=settings)
    return Submission(filer, source, detected, chunks)


def read_shipment(request: Request, who: Principal, partner: str, shipment_id: str, channel: str) -> dict[str, Any]:
    """A shipment's detail for ``who`` (None-safe scoping in the read), audited."""
    st = state(request)
    with st.write() as conn:
        detail = shipments.shipment_detail(conn, who.scope, partner, shipment_id)
        if detail is None:
            raise ApiError(404, "no such shipment", "not_found")
        hist = decisions.history(conn, partner, shipment_id)
        if who.scope.answers_only:
            hist["referrals"] = [r for r in hist["referrals"] if r["status"] != "withdrawn"]
        answer = decisions.current_answer(conn, partner, shipment_id)
        audit(conn, who.actor, "shipment.read", "shipment", f"{partner}/{shipment_id}", {"via": channel})
    return views.shipment_view(detail, hist, st.screening.ruleset, who.scope.answers_only, answer)


@router.get("/shipments/{partner}/{shipment_id}", summary="Read a shipment (audited)")
def get_shipment(request: Request, partner: str, shipment_id: str,
                 who: Annotated[Principal, Depends(require("read_shipments"))]) -> dict[str, Any]:
    """Partners see their own shipments only, with the answer and partner-safe codes; internal users also
    see score, reasons, versions, decisions and outcomes.  Every read is written to the audit log."""
    return read_shipment(request, who, partner, shipment_id, "api")


def _query(text: str | None, name: str | None, address: str | None, phone: str | None, email: str | None,
           hs_code: str | None, date_from: date | None, date_to: date | None, corridor: str | None,
           disposition: str | None, limit: int, offset: int) -> shipments.SearchQuery:
    return shipments.SearchQuery(text=text, name=name, address=address, phone=phone, email=email, hs_code=hs_code,
                             date_from=date_from, date_to=date_to, corridor=corridor, disposition=disposition,
                             limit=limit, offset=offset)


Text = Annotated[str | None, Query(max_length=200)]


@router.get("/search/shipments", summary="Search shipments")
def search_shipments(
    request: Request, who: Annotated[Principal, Depends(require("read_shipments"))],
    text: Text = None, name: Text = None, address: Text = None, phone: Text = None, email: Text = None,
    hs_code: Annotated[str | None, Query(max_length=12)] = None, date_from: Day | None = None,
    date_to: Day | None = None, corridor: Annotated[str | None, Query(max_length=64)] = None,
    disposition: Annotated[str | None, Query(pattern="^(clear|review|exam|hold)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """By shipment, house or master bill id; party name, address, phone or email; HS code; dates of receipt."""
    q = _query(text, name, address, phone, email, hs_code, date_from, date_to, corridor, disposition, limit, offset)
    if who.scope.answers_only:
        q.corridor = q.disposition = None
    with state(request).read() as conn:
        rows = shipments.search_shipments(conn, who.scope, q)
    return {"results": [views.search_row(r, who.scope.answers_only) for r in rows], "limit": limit, "offset": offset}


@router.get("/search/parties", summary="Search parties")
def search_parties(
    request: Request, who: Annotated[Principal, Depends(require("search_parties"))],
    name: Text = None, address: Text = None, phone: Text = None, email: Text = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Distinct shippers, consignees and notify parties by name, address, phone or email, with shipment counts."""
    q = _query(None, name, address, phone, email, None, None, None, None, None, limit, 0)
    with state(request).read() as conn:
        rows = shipments.search_parties(conn, who.scope, q)
    return {"results": views.jsonable(rows)}


@router.get("/search/actors", summary="Search actors")
def search_actors(request: Request, who: Annotated[Principal, Depends(require("search_parties"))],
                  name: Annotated[str, Query(min_length=2, max_length=200)],
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """Actors: the same shipper or consignee resolved across name and address variants."""
    if who.scope.corridors is not None:
        return {"results": []}  # actors span corridors; law enforcement searches shipments and parties
    with state(request).read() as conn:
        rows = parties.search_actors(conn, name, limit)
    return {"results": views.jsonable(rows)}
