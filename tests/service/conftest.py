"""A service on a temporary database, seeded with organisations, users, keys and two partners' shipments.

One app per test module (building it costs a second or two); tests that change
shared state use shipments or users of their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interdictor.screening import Screening, assemble
from interdictor.service import accounts
from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "corridor_sample.csv"
PASSWORD = "correct horse battery staple"
PG_ADMIN = os.environ.get("INTERDICTOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def light_screening(settings: Settings) -> Screening:
    """Route and consistency detectors only: enough to rank the fixtures, fast to load."""
    return assemble(settings.model_copy(update={"detectors": "route,consistency"}))


def renamed(data: bytes, prefix: str) -> bytes:
    """The sample manifest with its shipment ids prefixed (so partners' ids differ where a test wants it)."""
    return data.replace(b"\nEX", b"\n" + prefix.encode() + b"EX")


@dataclass
class Svc:
    client: TestClient
    app: Any
    keys: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def submit(self, who: str, data: bytes, name: str = "m.csv") -> Any:
        return self.client.post(f"/api/v1/manifests?filename={name}", content=data,
                                headers={**self.h(who), "content-type": "text/csv"})


def seed_accounts(conn: Any, secret: str) -> dict[str, str]:
    accounts.ensure_authority(conn, "test")
    for user, role in (("admin", "admin"), ("tina", "targeter"), ("ana", "analyst")):
        accounts.create_user(conn, user, PASSWORD, role, "authority", "test")
    accounts.create_org(conn, "acme", "Acme Express", "partner", None, "test")
    accounts.create_org(conn, "globex", "Globex Post", "partner", None, "test")
    accounts.create_org(conn, "sd-task-force", "San Diego task force", "law_enforcement", None, "test")
    accounts.grant(conn, "sd-task-force", "san-diego", "test")
    accounts.create_user(conn, "acme-ops", PASSWORD, "partner", "acme", "test")
    accounts.create_user(conn, "globex-ops", PASSWORD, "partner", "globex", "test")
    accounts.create_user(conn, "leo", PASSWORD, "law_enforcement", "sd-task-force", "test")
    return {
        "admin": accounts.create_api_key(conn, secret, "authority", "admin", "test", "test"),
        "targeter": accounts.create_api_key(conn, secret, "authority", "targeter", "test", "test"),
        "analyst": accounts.create_api_key(conn, secret, "authority", "analyst", "test", "test"),
        "acme": accounts.create_api_key(conn, secret, "acme", "partner", "test", "test"),
        "globex": accounts.create_api_key(conn, secret, "globex", "partner", "test", "test"),
        "le": accounts.create_api_key(conn, secret, "sd-task-force", "law_enforcement", "test", "test"),
    }


def _pg_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN}: {exc}".splitlines()[0]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same service tests on the embedded SQLite file and on PostgreSQL (a database per module)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'service.sqlite'}"
        return
    if reason := _pg_reason():
        pytest.skip(reason)
    import psycopg

    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    name = f"interdictor_svc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                         "AND pid <> pg_backend_pid()", (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[Svc]:
    tmp = tmp_path_factory.mktemp("svc")
    settings = Settings(data_dir=tmp, secret_key="test-secret-" + "x" * 40, database_url=backend)
    store = open_store(settings.resolved_database_url())
    app = create_app(settings, store=store, screening=light_screening(settings))
    with store.begin() as conn:
        keys = seed_accounts(conn, settings.secret_key or "")
    with TestClient(app) as client:
        s = Svc(client, app, keys)
        data = SAMPLE.read_bytes()
        assert s.submit("acme", data).status_code == 200
        assert s.submit("globex", renamed(data, "G")).status_code == 200
        yield s
    store.close()


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API; returns the CSRF token (the session cookie stays in the client)."""
    r = client.post("/api/v1/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def form_token(html: str) -> str:
    """The csrf_token hidden field of a page's form."""
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def web_login(client: TestClient, username: str, password: str = PASSWORD, next: str = "/") -> Any:
    """Sign in through the page's form, as a browser does (the form carries its CSRF token)."""
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf_token": token}, follow_redirects=False)


def asgi_post(svc: Svc, path: str, headers: dict[str, str], chunks: Iterator[bytes | dict[str, Any]]) -> tuple[int, Any, int]:
    """POST straight to the ASGI app, the body from ``chunks`` as the server would pass it on:
    (status, error body, bytes of the body the app read); status 0 when nothing was answered."""
    sent: list[dict[str, Any]] = []
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if isinstance(chunk, dict):
            return chunk  # a message of the server's own, e.g. http.disconnect
        read += len(chunk or b"")
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), *((k.lower().encode(), v.encode()) for k, v in headers.items())],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80), "app": svc.app}
    asyncio.run(svc.app(scope, receive, send))
    if not sent:
        return 0, None, read
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], json.loads(body) if body.startswith(b"{") else body, read
