"""The app's middleware: response headers, and a client that goes away mid-request."""

from __future__ import annotations

import itertools
import logging

import pytest
from fastapi.testclient import TestClient

from .conftest import Svc, asgi_post, login


def test_pages_and_answers_with_shipment_data_are_not_stored(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    for path in ("/queue", "/search?name=otay", "/shipments/acme/EX100001", "/referrals", "/api/v1/queue",
                 "/api/v1/search/shipments?text=EX1", "/api/v1/shipments/acme/EX100001"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store", path
    assert "strict-transport-security" not in r.headers  # plain HTTP: HSTS would mean nothing


def test_over_https_the_answer_asks_for_https_from_now_on(svc: Svc) -> None:
    r = TestClient(svc.app, base_url="https://testserver").get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_a_client_that_goes_away_is_one_quiet_line(svc: Svc, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    messages = iter([b"partner_code,shipment_id\n", {"type": "http.disconnect"}])
    status, _, _ = asgi_post(svc, "/api/v1/manifests", {**svc.h("targeter"), "content-type": "text/csv"},
                             itertools.chain(messages))
    assert status == 0  # nobody to answer
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert [r.getMessage() for r in caplog.records if "went away" in r.getMessage()] == [
        "the client went away during POST /api/v1/manifests"]
