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


def _token(c: TestClient, path: str) -> str:
    return c.get(path).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _field(html: str, name: str) -> str:
    """The opening tag of the form control called ``name``."""
    return html.split(f'name="{name}"', 1)[1].split(">", 1)[0]


def test_a_mistaken_outcome_comes_back_with_what_was_typed_and_the_error_beside_the_field(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    path = "/shipments/globex/GEX100005"
    token = _token(c, path)
    typed = {"csrf_token": token, "result": "seized", "what": "NPP in a keyboard carton", "quantity": "twenty",
             "unit": "kg", "agency": "DEA", "note": "drum under the keyboards"}
    r = c.post(f"{path}/outcome", data=typed)
    assert r.status_code == 422
    assert 'id="outcome-quantity-error"' in r.text and "a number" in r.text
    assert 'aria-invalid="true"' in _field(r.text, "quantity") and 'value="twenty"' in _field(r.text, "quantity")
    assert 'value="NPP in a keyboard carton"' in _field(r.text, "what")
    assert "drum under the keyboards</textarea>" in r.text
    assert 'value="seized" required checked' in r.text
    # a number now, but no exam decision yet: the form comes back again, the error on the whole form
    r = c.post(f"{path}/outcome", data={**typed, "quantity": "20"})
    assert r.status_code == 409
    assert 'id="outcome-_form-error"' in r.text and "before its outcome" in r.text
    assert 'value="20"' in _field(r.text, "quantity")


def test_a_decision_without_a_reason_keeps_the_choice(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    path = "/shipments/globex/GEX100004"
    token = _token(c, path)
    r = c.post(f"{path}/decide", data={"csrf_token": token, "decision": "review", "reason": "",
                                       "request_information": "true", "asked": ["consignee_phone"],
                                       "message": "Please send the phone."})
    assert r.status_code == 422
    assert 'id="decide-reason-error"' in r.text and 'aria-invalid="true"' in _field(r.text, "reason")
    assert 'value="review" required checked' in r.text
    assert "<option selected>consignee_phone</option>" in r.text
    assert 'value="Please send the phone."' in _field(r.text, "message")
    r = c.post(f"{path}/decide", data={"csrf_token": token, "reason": "no choice made"})
    assert r.status_code == 422 and 'id="decide-decision-error"' in r.text and "no choice made</textarea>" in r.text
    r = c.post(f"{path}/decide", data={"csrf_token": token, "decision": "exam", "reason": "now complete"},
               follow_redirects=False)
    assert r.status_code == 303  # a complete form still goes through


def test_a_form_for_a_shipment_that_is_not_there_is_a_404(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "tina")
    token = _token(c, "/queue")
    r = c.post("/shipments/acme/NOPE/outcome", data={"csrf_token": token, "result": "seized", "what": "x"})
    assert r.status_code == 404
