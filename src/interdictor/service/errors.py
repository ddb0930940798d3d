"""One error contract for the whole API: ``{"error": {"status", "code", "message", "details"}}``.

Every failure — a validation error, a missing shipment, a refused login, a bug —
leaves through ``install`` here, so clients parse one shape.  Pages of the web
workspace get the same content as an HTML page.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, details: list[Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _code(status)
        self.details = details or []
        self.headers = headers or {}


def _code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def body(status: int, message: str, code: str | None = None, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code or _code(status), "message": message, "details": details or []}}


ERROR_SCHEMA: dict[str, Any] = {
    "description": "Error (the one error shape of the API)",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "code", "message", "details"], "properties": {
            "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
            "details": {"type": "array", "items": {}}}}},
    }}},
}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {status: ERROR_SCHEMA for status in (400, 401, 403, 404, 409, 413, 422)}
"""What any operation of the API may answer besides its success, declared once for every router: 400 a body that
is not JSON, 401 no or a wrong credential, 403 a role without the right, 404 an unknown or unseen thing named in
the path or body, 409 a conflict with what is stored, 413 a body over the limit, 422 a request outside its schema
or a rule.  Operations that can also answer 429 or 503 add them."""


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _respond(request: Request, status: int, message: str, code: str | None = None, details: list[Any] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    if _is_page(request):
        if status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            page: Response = templates.TemplateResponse(request, "error.html", {"status": status, "message": message,
                                                                      "details": details or [], "me": None},
                                                        status_code=status, headers=headers)
            return page
    return JSONResponse(body(status, message, code, details), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        return _respond(request, exc.status, exc.message, exc.code, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _code(exc.status_code).replace("_", " ")
        return _respond(request, exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                   for e in exc.errors()]
        where = "; ".join(f"{d['where']}: {d['problem']}" for d in details[:5])
        return _respond(request, 422, f"the request is not valid: {where}", "invalid_request", details)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal error; it has been logged", "internal_error")
