"""A real server for the browser tests: uvicorn on a free loopback port, a temporary SQLite database,
seeded by screening the fixture manifest; Debian's Chromium driven by Playwright.

The tests skip, saying why, when /usr/bin/chromium or the playwright package is missing.
Screenshots go to ``$INTERDICTOR_ARTIFACTS/screenshots`` (CI keeps them) and, with
``INTERDICTOR_UPDATE_SCREENSHOTS=1``, to ``docs/screenshots`` as the current ones.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
PASSWORD = "correct horse battery staple"
SAMPLE = REPO / "tests" / "fixtures" / "corridor_sample.csv"


def renamed(data: bytes, prefix: str) -> bytes:
    return data.replace(b"\nEX", b"\n" + prefix.encode() + b"EX")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    url: str
    app: Any


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn
    from fastapi.testclient import TestClient

    from interdictor.screening import assemble
    from interdictor.service import accounts
    from interdictor.service.app import create_app
    from interdictor.settings import Settings
    from interdictor.store import open_store

    tmp = tmp_path_factory.mktemp("site")
    settings = Settings(data_dir=tmp, secret_key="browser-" + "z" * 40)
    store = open_store(settings.resolved_database_url())
    light = assemble(settings.model_copy(update={"detectors": "route,consistency"}))
    app = create_app(settings, store=store, screening=light)
    with store.begin() as conn:
        accounts.ensure_authority(conn, "test")
        accounts.create_user(conn, "tina", PASSWORD, "targeter", "authority", "test", "Tina Targeter")
        accounts.create_org(conn, "acme", "Acme Express", "partner", None, "test")
        accounts.create_org(conn, "globex", "Globex Post", "partner", None, "test")
        accounts.create_user(conn, "acme-ops", PASSWORD, "partner", "acme", "test")
        keys = {o: accounts.create_api_key(conn, settings.secret_key or "", o, "partner", "t", "test")
                for o in ("acme", "globex")}
        admin_key = accounts.create_api_key(conn, settings.secret_key or "", "authority", "targeter", "t", "test")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    # seed through the API: two partners' manifests, and a referral to each
    with TestClient(app, base_url=f"http://127.0.0.1:{port}") as c:
        for org, prefix in (("acme", ""), ("globex", "G")):
            r = c.post("/api/v1/manifests?filename=day.csv", content=renamed(SAMPLE.read_bytes(), prefix),
                       headers={"Authorization": f"Bearer {keys[org]}", "content-type": "text/csv"})
            assert r.status_code == 200, r.text
        h = {"Authorization": f"Bearer {admin_key}"}
        for partner, sid in (("acme", "EX100004"), ("globex", "GEX100003")):
            r = c.post(f"/api/v1/shipments/{partner}/{sid}/decisions", headers=h, json={
                "decision": "review", "reason": "consignee unclear", "request_information": True,
                "asked": ["consignee_phone"], "message": "Please send the consignee's phone number."})
            assert r.status_code == 201, r.text
        try:
            yield Site(f"http://127.0.0.1:{port}", app)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright); browser tests skipped")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    p = ctx.new_page()
    p.set_default_timeout(20_000)
    try:
        yield p
    finally:
        ctx.close()


def shot(page: Any, name: str) -> None:
    """Keep a screenshot as a CI artifact and, when asked, as the current one in docs/screenshots."""
    targets = []
    if os.environ.get("INTERDICTOR_ARTIFACTS"):
        targets.append(Path(os.environ["INTERDICTOR_ARTIFACTS"]) / "screenshots")
    if os.environ.get("INTERDICTOR_UPDATE_SCREENSHOTS") == "1":
        targets.append(REPO / "docs" / "screenshots")
    for d in targets:
        d.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(d / f"{name}.png"), full_page=True)


def sign_in(page: Any, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
