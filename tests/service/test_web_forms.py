"""The workspace's pages and forms, without a browser (the browser tests are in tests/web)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import SAMPLE, Svc, login, renamed


def test_every_page_renders_for_a_targeter(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    for path in ("/queue", "/queue?corridor=los-angeles&pick=explore&open=true", "/shipments/acme/EX100001",
                 "/shipments/acme/EX100001/links", "/referrals", "/rules?days=7", "/search?name=otay&hs_code=8471",
                 "/submit"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert "Content-Security-Policy" in r.headers


def test_admin_backtests_and_activates_from_the_dashboard(svc: Svc) -> None:
    st = svc.app.state.svc
    c = TestClient(svc.app)
    login(c, "admin")
    page = c.get("/rules")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    r = c.post("/rules/backtest", data={"csrf_token": token, "name": "default", "version": "1", "days": "7"})
    assert r.status_code == 200 and "Backtest of default-v1" in r.text
    r = c.post("/rules/activate", data={"csrf_token": token, "name": "default", "version": "1"}, follow_redirects=False)
    assert r.status_code == 303 and st.screening.ruleset.label == "default-v1"


def test_upload_form_answers_each_house_bill(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "acme-ops")
    page = c.get("/submit")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    files = {"file": ("day.csv", renamed(SAMPLE.read_bytes(), "F"), "text/csv")}
    r = c.post("/submit", data={"csrf_token": token}, files=files)
    assert r.status_code == 200 and "FEX100001" in r.text
    assert "d-review" not in r.text and "d-clear" not in r.text  # no scores for partners
    bad = c.post("/submit", data={"csrf_token": token}, files={"file": ("x.bin", b"\x00\x01" * 50, "application/x")})
    assert bad.status_code == 422
