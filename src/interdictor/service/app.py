"""The app factory: ``create_app(settings)`` builds the HTTP API and the web workspace.

No import-time globals: the store, the secret and the screening state are made
here from the settings passed in, and hang off ``app.state.svc``.  The screening
context is loaded once (it is read-only) and swapped whole when rules, corridors
or watchlists change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from interdictor import __version__
from interdictor.alerts import DeliveryPolicy, DeliveryThread
from interdictor.background import ChoreThread, chores
from interdictor.screening import Screening, assemble
from interdictor.service import (
    api_admin,
    api_models,
    api_network,
    api_notices,
    api_sharing,
    api_shipments,
    api_work,
    errors,
    security,
)
from interdictor.service.screening import Screener
from interdictor.service.state import ServiceState, settle_heap
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.db import Store

log = logging.getLogger(__name__)

DESCRIPTION = """Targeting for the supply chain of synthetic drugs.

Partners submit manifests in the format they already use and get an answer per house bill
(`accepted`, `request_for_information`, `hold_for_screening`, `do_not_load`) with partner-safe
reason codes.  Targeters work a ranked queue per corridor and port, decide with a reason and record
what exams find; analysts watch every rule's yield and backtest new rule sets.

Authenticate machines with `Authorization: Bearer <API key>`; people sign in (`POST /api/v1/session`)
and send the returned CSRF token as `X-CSRF-Token` on every write.  Every error has the shape
`{"error": {"status", "code", "message", "details"}}`.
"""

HSTS = "max-age=31536000; includeSubDomains"
MULTIPART_SLACK = 64 * 1024  # a form's boundaries and small fields, on top of the largest file taken
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class SecurityHeaders:
    """Security headers on every response (a plain ASGI middleware: no extra task per request).

    Everything but the static files is ``no-store``: pages and answers carry shipment
    and personal data that must not stay in a shared or back-button cache.  HSTS
    when the request came over HTTPS (directly, or from a trusted proxy that says so).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("Referrer-Policy", "same-origin")
                h.setdefault("X-Frame-Options", "DENY")
                h.setdefault("Content-Security-Policy", CSP)
                if not path.startswith("/static/"):
                    h["Cache-Control"] = "no-store"
                if https:
                    h.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body larger than the service takes (413) without reading past the limit.

    By the Content-Length, before reading anything, when there is one; else (chunked,
    or a length that lies) by counting the bytes as they stream in.  Whatever the
    route made of a cut-off body, the answer is the 413.  A client that goes away
    mid-request is one quiet log line, not an error with a traceback.
    """

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit()
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        over = started = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the route's answer to a cut-off body: replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except _BodyTooLarge:
            pass
        except ClientDisconnect:
            log.info("the client went away during %s %s", scope.get("method"), scope.get("path"))
            return
        if over and not started:
            await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    payload = json.dumps(errors.body(413, f"the request is larger than {limit:,} bytes; split the manifest or use "
                                          "the CLI", "too_large")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


def web_dir() -> Path:
    return Path(str(resources.files("interdictor.web")))


def create_app(settings: Settings, *, store: Store | None = None, screening: Screening | None = None,
               cookie_secure: bool | None = None, deliver: DeliveryPolicy | bool | None = True,
               background: bool = True) -> FastAPI:
    """The service for ``settings``.  Tests may hand in an open store and a prepared screening state.
    ``deliver``: run the alert deliverer in a thread of its own (a ``DeliveryPolicy`` to tune it; False: not).
    ``background``: run the chores (close notification windows, refresh the learned set) in another."""
    own_store = store is None
    store = store or open_store(settings.resolved_database_url())
    secret = settings.secret_key or security.load_or_create_secret(settings.data_dir)
    screener = Screener(store, screening or assemble(settings, store), settings)
    st = ServiceState(settings=settings, store=store, secret_key=secret, screener=screener, cookie_secure=cookie_secure)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        screener.start()
        settle_heap()
        deliverer = None
        if deliver is not False:
            deliverer = DeliveryThread(store, settings, deliver if isinstance(deliver, DeliveryPolicy) else
                                       DeliveryPolicy())
            deliverer.start()
        st.deliverer = deliverer
        chore_thread = None
        if background:
            chore_thread = ChoreThread(chores(store, settings, on_emit=deliverer.wake if deliverer else None))
            chore_thread.start()
        yield
        if chore_thread is not None:
            chore_thread.stop()
        if deliverer is not None:
            deliverer.stop()
        screener.stop()
        if own_store:
            store.close()

    app = FastAPI(title="Interdictor", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.svc = st
    app.state.templates = Jinja2Templates(directory=str(web_dir() / "templates"))
    errors.install(app)
    app.add_middleware(BodyLimit, limit=lambda: st.max_upload_bytes + MULTIPART_SLACK)
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:  # outermost: client address and scheme are the proxy's word from here on
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    for router in (api_shipments.router, api_work.router, api_admin.router, api_models.router, api_network.router,
                   api_notices.router, api_sharing.router):
        app.include_router(router, prefix="/api/v1")
    from interdictor.service import web_network, web_notices, web_pages, web_sharing, web_work

    app.include_router(web_pages.router)
    app.include_router(web_work.router)
    app.include_router(web_network.router)
    app.include_router(web_notices.router)
    app.include_router(web_sharing.router)
    app.mount("/static", StaticFiles(directory=str(web_dir() / "static")), name="static")
    return app
