"""The app factory: ``create_app(settings)`` builds the HTTP API and the web workspace.

No import-time globals: the store, the secret and the screening state are made
here from the settings passed in, and hang off ``app.state.svc``.  The screening
context is loaded once (it is read-only) and swapped whole when rules, corridors
or watchlists change.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interdictor import __version__
from interdictor.screening import Screening, assemble
from interdictor.service import api_admin, api_shipments, api_work, errors, security
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

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class SecurityHeaders:
    """Security headers on every response (a plain ASGI middleware: no extra task per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("Referrer-Policy", "same-origin")
                h.setdefault("X-Frame-Options", "DENY")
                h.setdefault("Content-Security-Policy", CSP)
                if path.startswith(("/api/", "/shipments")):
                    h.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


def web_dir() -> Path:
    return Path(str(resources.files("interdictor.web")))


def create_app(settings: Settings, *, store: Store | None = None, screening: Screening | None = None,
               cookie_secure: bool | None = None) -> FastAPI:
    """The service for ``settings``.  Tests may hand in an open store and a prepared screening state."""
    own_store = store is None
    store = store or open_store(settings.resolved_database_url())
    secret = settings.secret_key or security.load_or_create_secret(settings.data_dir)
    screener = Screener(store, screening or assemble(settings, store), settings)
    st = ServiceState(settings=settings, store=store, secret_key=secret, screener=screener, cookie_secure=cookie_secure)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        screener.start()
        settle_heap()
        yield
        screener.stop()
        if own_store:
            store.close()

    app = FastAPI(title="Interdictor", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.svc = st
    app.state.templates = Jinja2Templates(directory=str(web_dir() / "templates"))
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    for router in (api_shipments.router, api_work.router, api_admin.router):
        app.include_router(router, prefix="/api/v1")
    from interdictor.service import web_pages, web_work

    app.include_router(web_pages.router)
    app.include_router(web_work.router)
    app.mount("/static", StaticFiles(directory=str(web_dir() / "static")), name="static")
    return app
