"""Decisions, outcomes, referrals and the audit log, through the API."""

from __future__ import annotations

import pytest

from .conftest import Svc


def audit(svc: Svc, **params: str) -> list[dict[str, object]]:
    r = svc.client.get("/api/v1/audit", params={"limit": 1000, **params}, headers=svc.h("admin"))
    assert r.status_code == 200
    return r.json()["results"]  # type: ignore[no-any-return]


def test_every_detail_read_is_audited(svc: Svc) -> None:
    before = len(audit(svc, action="shipment.read", object_id="acme/EX100002"))
    svc.client.get("/api/v1/shipments/acme/EX100002", headers=svc.h("analyst"))
    svc.client.get("/api/v1/shipments/acme/EX100002", headers=svc.h("acme"))
    rows = audit(svc, action="shipment.read", object_id="acme/EX100002")
    assert len(rows) == before + 2
    assert {r["actor"] for r in rows[:2]} == {f"key:{svc.keys[k].split('_')[1]}" for k in ("analyst", "acme")}
    assert svc.client.get("/api/v1/audit", headers=svc.h("targeter")).status_code == 403


def test_decision_needs_a_reason_and_is_audited(svc: Svc) -> None:
    h = svc.h("targeter")
    r = svc.client.post("/api/v1/shipments/acme/EX100002/decisions", json={"decision": "release", "reason": ""}, headers=h)
    assert r.status_code == 422
    r = svc.client.post("/api/v1/shipments/acme/EX100002/decisions", json={"decision": "release", "reason": "T-shirts"},
                        headers=h)
    assert r.status_code == 201
    assert r.json()["answer"] == "accepted" and r.json()["referral"] is None
    rows = audit(svc, action="decision.create", object_id="acme/EX100002")
    assert rows and "T-shirts" in str(rows[0]["detail"])
    detail = svc.client.get("/api/v1/shipments/acme/EX100002", headers=svc.h("acme")).json()
    assert detail["answer"] == "accepted"


def test_exam_refers_the_house_bill_and_the_partner_answers(svc: Svc) -> None:
    r = svc.client.post("/api/v1/shipments/acme/EX100004/decisions", headers=svc.h("targeter"),
                        json={"decision": "exam", "reason": "industrial parts at a token value"})
    assert r.status_code == 201 and r.json()["answer"] == "hold_for_screening"
    rid = r.json()["referral"]["referral_id"]
    seen = svc.client.get("/api/v1/shipments/acme/EX100004", headers=svc.h("acme")).json()
    assert seen["answer"] == "hold_for_screening"
    assert [x["referral_id"] for x in seen["referrals"]] == [rid]
    assert svc.client.post(f"/api/v1/referrals/{rid}/acknowledge", headers=svc.h("acme")).status_code == 200
    assert svc.client.post(f"/api/v1/referrals/{rid}/acknowledge", headers=svc.h("acme")).status_code == 409
    r = svc.client.post(f"/api/v1/referrals/{rid}/response", headers=svc.h("acme"), json={"data": {"note": "ok"}})
    assert r.status_code == 200 and r.json()["status"] == "answered"


def test_request_for_information_asks_for_fields(svc: Svc) -> None:
    r = svc.client.post("/api/v1/shipments/acme/EX100005/decisions", headers=svc.h("targeter"), json={
        "decision": "review", "reason": "who is the consignee", "request_information": True,
        "asked": ["consignee_phone", "commercial_invoice"], "message": "Please send the consignee's phone."})
    assert r.status_code == 201 and r.json()["referral"]["kind"] == "request_for_information"
    rid = r.json()["referral"]["referral_id"]
    missing = svc.client.post(f"/api/v1/referrals/{rid}/response", headers=svc.h("acme"),
                              json={"data": {"consignee_phone": "+1 619 555 0100"}})
    assert missing.status_code == 422 and "commercial_invoice" in missing.json()["error"]["message"]
    ok = svc.client.post(f"/api/v1/referrals/{rid}/response", headers=svc.h("acme"), json={"data": {
        "consignee_phone": "+1 619 555 0100", "commercial_invoice": "INV-1"}})
    assert ok.status_code == 200
    internal = svc.client.get(f"/api/v1/referrals/{rid}", headers=svc.h("targeter")).json()
    assert internal["response"]["commercial_invoice"] == "INV-1"


def test_outcomes_need_an_exam_and_say_what(svc: Svc) -> None:
    h = svc.h("targeter")
    r = svc.client.post("/api/v1/shipments/acme/EX100003/outcomes", json={"result": "nothing_found"}, headers=h)
    assert r.status_code == 409
    assert svc.client.post("/api/v1/shipments/acme/EX100003/decisions", headers=h,
                           json={"decision": "exam", "reason": "random look"}).status_code == 201
    assert svc.client.post("/api/v1/shipments/acme/EX100003/outcomes", json={"result": "seized"},
                           headers=h).status_code == 422
    assert svc.client.post("/api/v1/shipments/acme/EX100003/outcomes", json={"result": "referred"},
                           headers=h).status_code == 422
    r = svc.client.post("/api/v1/shipments/acme/EX100003/outcomes", headers=h,
                        json={"result": "seized", "what": "pill press dies", "quantity": 14, "unit": "pcs"})
    assert r.status_code == 201
    detail = svc.client.get("/api/v1/shipments/acme/EX100003", headers=h).json()
    assert detail["outcomes"][-1]["what"] == "pill press dies"
    partner = svc.client.get("/api/v1/shipments/acme/EX100003", headers=svc.h("acme")).json()
    assert "outcomes" not in partner and "pill press" not in str(partner)
    assert audit(svc, action="outcome.create", object_id="acme/EX100003")


def test_metrics_count_the_work(svc: Svc) -> None:
    m = svc.client.get("/api/v1/metrics", headers=svc.h("analyst")).json()
    assert m["shipments"] >= 10 and m["screening"]["submissions"] >= 2
    assert set(m["recommendations"]) <= {"clear", "review", "exam", "hold"}


# bodies the schema itself refuses: the answer names the field, whether or not the shipment exists
SCHEMA_REFUSALS = [
    ("outcomes", {"result": "seized"}, "what"),
    ("outcomes", {"result": "seized", "what": "   "}, "what"),
    ("outcomes", {"result": "referred", "agency": ""}, "agency"),
    ("outcomes", {"result": "lost"}, "body"),
    ("decisions", {"decision": "release", "reason": "  \t "}, "reason"),
    ("decisions", {"decision": "shrug", "reason": "why not"}, "decision"),
]


@pytest.mark.parametrize(("what", "body", "field"), SCHEMA_REFUSALS)
@pytest.mark.parametrize("shipment", ["EX100001", "NO-SUCH-SHIPMENT"])
def test_work_bodies_that_break_the_schema_are_refused_by_it(svc: Svc, what: str, body: dict[str, str], field: str,
                                                             shipment: str) -> None:
    r = svc.client.post(f"/api/v1/shipments/acme/{shipment}/{what}", json=body, headers=svc.h("targeter"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
    assert any(field in d["where"] for d in r.json()["error"]["details"]), r.text
