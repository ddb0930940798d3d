"""API keys (fast keyed hash, never stored in clear), sessions with CSRF, rate-limited sign-in, one error shape."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from interdictor.service import accounts, security
from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import schema_service as sv
from interdictor.store.accounts import Failures

from .conftest import PASSWORD, Svc, form_token, login, web_login


def assert_error(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    err = r.json()["error"]  # type: ignore[attr-defined]
    assert set(err) == {"status", "code", "message", "details"} and err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    return err  # type: ignore[no-any-return]


def test_keys_are_stored_only_as_keyed_hashes(svc: Svc) -> None:
    st = svc.app.state.svc
    key = svc.keys["acme"]
    with st.read() as conn:
        rows = conn.execute(select(sv.api_keys.c.key_id, sv.api_keys.c.key_hash)).all()
    stored = {h for _, h in rows}
    assert key not in str(rows)
    assert security.keyed_hash(st.secret_key, key) in stored
    assert security.keyed_hash("another secret", key) not in stored


def test_no_key_wrong_key_and_revoked_key_are_refused(svc: Svc) -> None:
    assert_error(svc.client.get("/api/v1/referrals"), 401)
    key = svc.keys["acme"]
    tampered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert assert_error(svc.client.get("/api/v1/referrals", headers={"Authorization": f"Bearer {tampered}"}),
                        401)["code"] == "invalid_key"
    assert_error(svc.client.get("/api/v1/referrals", headers={"X-API-Key": "not-a-key"}), 401)
    st = svc.app.state.svc
    with st.write() as conn:
        extra = accounts.create_api_key(conn, st.secret_key, "acme", "partner", "temp", "test")
    h = {"Authorization": f"Bearer {extra}"}
    assert svc.client.get("/api/v1/referrals", headers=h).status_code == 200
    r = svc.client.delete(f"/api/v1/admin/keys/{security.split_api_key(extra)}", headers=svc.h("admin"))
    assert r.status_code == 200
    assert_error(svc.client.get("/api/v1/referrals", headers=h), 401)


def test_a_key_cannot_take_a_role_its_organisation_does_not_have(svc: Svc) -> None:
    r = svc.client.post("/api/v1/admin/keys", headers=svc.h("admin"),
                        json={"org_id": "acme", "role": "admin", "name": "escalate"})
    assert_error(r, 409)  # the role clashes with the kind of organisation acme is
    assert "api_key" not in r.text


def test_session_cookie_and_csrf(svc: Svc) -> None:
    c = TestClient(svc.app)
    r = c.post("/api/v1/session", json={"username": "tina", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = r.json()["csrf_token"]
    body = {"decision": "review", "reason": "look at the invoice"}
    assert_error(c.post("/api/v1/shipments/acme/EX100003/decisions", json=body), 403)
    assert_error(c.post("/api/v1/shipments/acme/EX100003/decisions", json=body, headers={"X-CSRF-Token": "nope"}), 403)
    ok = c.post("/api/v1/shipments/acme/EX100003/decisions", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201, ok.text
    assert c.get("/api/v1/queue").status_code == 200  # reads need no token
    c.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert_error(c.get("/api/v1/queue"), 401)


def test_web_forms_need_the_csrf_field(svc: Svc) -> None:
    c = TestClient(svc.app)
    csrf = login(c, "tina")
    form = {"decision": "review", "reason": "web form"}
    r = c.post("/shipments/acme/EX100005/decide", data=form, follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/shipments/acme/EX100005/decide", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303


@contextmanager
def policy(st: Any, **backoffs: accounts.Backoff) -> Iterator[None]:
    """The service's sign-in policy with some backoffs replaced (long ones: no test races a clock)."""
    saved = st.policy
    st.policy = replace(saved, **backoffs)
    try:
        yield
    finally:
        st.policy = saved


def from_address(svc: Svc, address: str, **kw: Any) -> TestClient:
    return TestClient(svc.app, client=(address, 40000), **kw)


def sign_in(c: TestClient, username: str, password: str) -> Any:
    return c.post("/api/v1/session", json={"username": username, "password": password})


def test_a_stranger_guessing_slows_down_but_cannot_lock_the_user_out(svc: Svc) -> None:
    st = svc.app.state.svc
    with st.write() as conn:
        accounts.create_user(conn, "victim", PASSWORD, "admin", "authority", "test")
    attacker, user = from_address(svc, "198.51.100.7"), from_address(svc, "203.0.113.9")
    minute = timedelta(minutes=1)
    with policy(st, pair=accounts.Backoff(3, minute, 15 * minute)):
        statuses = [sign_in(attacker, "victim", f"guess number {i}").status_code for i in range(8)]
        assert statuses == [401] * 3 + [429] * 5  # guessing is backed off: the password is not even checked
        refused = sign_in(attacker, "victim", PASSWORD)
        err = assert_error(refused, 429)
        assert err["code"] == "too_many_failures" and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert sign_in(user, "victim", PASSWORD).status_code == 200  # the real user, elsewhere, is not refused
        form = attacker.post("/login", data={"username": "victim", "password": PASSWORD,
                                             "csrf_token": form_token(attacker.get("/login").text)})
        assert form.status_code == 429 and "too many failed sign-ins" in form.text


def test_one_address_trying_many_accounts_is_slowed(svc: Svc) -> None:
    st = svc.app.state.svc
    sprayer, other = from_address(svc, "198.51.100.8"), from_address(svc, "203.0.113.10")
    hour = timedelta(hours=1)
    with policy(st, client=accounts.Backoff(4, hour, hour)):
        assert [sign_in(sprayer, u, "Winter2025!!").status_code for u in ("tina", "ana", "leo", "ghost")] == [401] * 4
        assert_error(sign_in(sprayer, "acme-ops", PASSWORD), 429)  # even a right password: this address waits
        assert sign_in(other, "acme-ops", PASSWORD).status_code == 200


def test_guesses_spread_over_many_addresses_cost_the_account_a_short_capped_wait(svc: Svc) -> None:
    st = svc.app.state.svc
    with st.write() as conn:
        accounts.create_user(conn, "spread", PASSWORD, "analyst", "authority", "test")
    with policy(st, account=accounts.Backoff(3, timedelta(seconds=20), timedelta(seconds=30))):
        for i in range(3):
            assert sign_in(from_address(svc, f"192.0.2.{i + 1}"), "spread", "wrong password!").status_code == 401
        r = sign_in(from_address(svc, "192.0.2.99"), "spread", PASSWORD)
        assert_error(r, 429)
        assert int(r.headers["Retry-After"]) <= 30  # a short wait, never a lockout


@pytest.mark.parametrize(("backoff", "failures", "ago", "wait"), [
    ((3, 1, 900), 2, 0, 0.0),  # free failures cost nothing
    ((3, 1, 900), 3, 0, 1.0),  # then the base delay
    ((3, 1, 900), 5, 0, 4.0),  # doubling with each failure
    ((3, 1, 900), 5, 3, 1.0),  # counted from the last failure
    ((3, 1, 900), 5, 10, 0.0),  # and over once it has passed
    ((3, 1, 900), 40, 0, 900.0),  # capped
    ((10, 1, 30), 60, 0, 30.0),
])
def test_backoff_doubles_from_the_last_failure_up_to_its_cap(backoff: tuple[int, int, int], failures: int,
                                                             ago: int, wait: float) -> None:
    free, base, cap = backoff
    now = datetime(2025, 5, 1, 12, tzinfo=UTC)
    b = accounts.Backoff(free, timedelta(seconds=base), timedelta(seconds=cap))
    assert b.wait(Failures(failures, now - timedelta(seconds=ago)), now) == wait


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(svc: Svc, tmp_path: Path) -> None:
    st = svc.app.state.svc
    settings = Settings(data_dir=tmp_path, secret_key=st.secret_key, database_url=st.store.url,
                        trusted_proxies=["10.0.0.0/8"])
    app = create_app(settings, store=st.store, screening=st.screening)
    proxied, direct = TestClient(app, client=("10.1.2.3", 1)), TestClient(app, client=("198.51.100.30", 1))
    for c, xff in ((proxied, "203.0.113.77"), (direct, "203.0.113.78")):
        c.post("/api/v1/session", json={"username": "nobody-xff", "password": "wrong password!"},
               headers={"X-Forwarded-For": xff})
    with st.read() as conn:
        clients = set(conn.execute(select(sv.login_failures.c.client)
                                   .where(sv.login_failures.c.username == "nobody-xff")).scalars())
    assert clients == {"203.0.113.77", "198.51.100.30"}  # the proxy's word; a stranger's header ignored
    assert "strict-transport-security" not in proxied.get("/login").headers
    assert "strict-transport-security" in proxied.get("/login", headers={"X-Forwarded-Proto": "https"}).headers


def test_the_sign_in_form_refuses_a_post_without_its_token(svc: Svc) -> None:
    c = TestClient(svc.app)
    r = c.post("/login", data={"username": "tina", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "interdictor_session" not in r.headers.get("set-cookie", "")
    token = form_token(c.get("/login").text)
    stranger = TestClient(svc.app)  # another browser: has the page's token, not the cookie it is bound to
    r = stranger.post("/login", data={"username": "tina", "password": PASSWORD, "csrf_token": token},
                      follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/login", data={"username": "tina", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "interdictor_session" in r.headers["set-cookie"]


def test_passwords_are_argon2_and_old_scrypt_hashes_are_upgraded_at_sign_in(svc: Svc) -> None:
    st = svc.app.state.svc
    assert security.hash_password(PASSWORD).startswith("$argon2id$v=19$m=")  # parameters travel with the hash
    salt = b"0123456789abcdef"
    old = "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(
        hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)).decode()
    with st.write() as conn:
        accounts.create_user(conn, "old-timer", None, "analyst", "authority", "test")
        conn.execute(update(sv.users).where(sv.users.c.username == "old-timer").values(password_hash=old))

    def stored() -> str:
        with st.read() as conn:
            return str(conn.execute(select(sv.users.c.password_hash)
                                    .where(sv.users.c.username == "old-timer")).scalar_one())

    c = from_address(svc, "192.0.2.200")
    assert_error(sign_in(c, "old-timer", "not the password"), 401)
    assert stored() == old
    assert sign_in(c, "old-timer", PASSWORD).status_code == 200
    assert stored().startswith("$argon2id$")
    assert sign_in(c, "old-timer", PASSWORD).status_code == 200


def test_pages_redirect_to_sign_in(svc: Svc) -> None:
    c = TestClient(svc.app)
    r = c.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = web_login(c, "tina", next="//evil.example/")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_every_error_has_one_shape(svc: Svc) -> None:
    assert_error(svc.client.get("/api/v1/nothing-here", headers=svc.h("admin")), 404)
    assert_error(svc.client.get("/api/v1/queue", params={"limit": "many"}, headers=svc.h("admin")), 422)
    assert_error(svc.client.post("/api/v1/shipments/acme/EX100001/decisions", headers=svc.h("targeter"),
                                 json={"decision": "shrug", "reason": "x"}), 422)
    assert_error(svc.client.get("/api/v1/queue", params={"corridor": "atlantis"}, headers=svc.h("admin")), 404)
    assert_error(svc.client.put("/api/v1/referrals", headers=svc.h("admin")), 405)


@pytest.mark.parametrize(("path", "params"), [
    ("/api/v1/queue", {"day": "0"}),  # a Unix time to pydantic: 1970-01-01
    ("/api/v1/queue", {"day": "1700000000"}),
    ("/api/v1/queue", {"day": "2025-02-30"}),
    ("/api/v1/search/shipments", {"text": "EX", "date_from": "0"}),
    ("/api/v1/search/shipments", {"text": "EX", "date_to": "yesterday"}),
])
def test_a_day_is_a_date_written_as_one(svc: Svc, path: str, params: dict[str, str]) -> None:
    err = assert_error(svc.client.get(path, params=params, headers=svc.h("admin")), 422)
    assert err["code"] == "invalid_request"


def test_a_day_written_as_one_is_taken(svc: Svc) -> None:
    r = svc.client.get("/api/v1/queue", params={"day": "2026-11-27"}, headers=svc.h("admin"))
    assert r.status_code == 200 and r.json()["day"] == "2026-11-27"
