"""API keys (fast keyed hash, never stored in clear), sessions with CSRF, rate-limited sign-in, one error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from interdictor.service import accounts, security
from interdictor.store import schema_service as sv

from .conftest import PASSWORD, Svc, login


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
    assert_error(r, 422)


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


def test_failed_logins_are_rate_limited(svc: Svc) -> None:
    st = svc.app.state.svc
    with st.write() as conn:
        accounts.create_user(conn, "victim", PASSWORD, "analyst", "authority", "test")
    c = TestClient(svc.app)
    for _ in range(st.policy.max_user_failures):
        assert_error(c.post("/api/v1/session", json={"username": "victim", "password": "wrong password!"}), 401)
    err = assert_error(c.post("/api/v1/session", json={"username": "victim", "password": PASSWORD}), 429)
    assert err["code"] == "too_many_failures"
    page = c.post("/login", data={"username": "victim", "password": PASSWORD})
    assert page.status_code == 429 and "too many failed sign-ins" in page.text
    assert c.post("/api/v1/session", json={"username": "tina", "password": PASSWORD}).status_code == 200


def test_pages_redirect_to_sign_in(svc: Svc) -> None:
    c = TestClient(svc.app)
    r = c.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = c.post("/login", data={"username": "tina", "password": PASSWORD, "next": "//evil.example/"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_every_error_has_one_shape(svc: Svc) -> None:
    assert_error(svc.client.get("/api/v1/nothing-here", headers=svc.h("admin")), 404)
    assert_error(svc.client.get("/api/v1/queue", params={"limit": "many"}, headers=svc.h("admin")), 422)
    assert_error(svc.client.post("/api/v1/shipments/acme/EX100001/decisions", headers=svc.h("targeter"),
                                 json={"decision": "shrug", "reason": "x"}), 422)
    assert_error(svc.client.get("/api/v1/queue", params={"corridor": "atlantis"}, headers=svc.h("admin")), 404)
    assert_error(svc.client.put("/api/v1/referrals", headers=svc.h("admin")), 405)
