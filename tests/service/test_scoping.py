"""Who sees what: partners only their own shipments and referrals, law enforcement only granted corridors.

The scoping lives in the reads (``store/shipments.py``, ``store/decisions.py``), so the
last tests call those directly with a scope, without any route in between.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from interdictor.store import decisions, shipments
from interdictor.store.scope import Scope

from .conftest import Svc, login


def test_partner_reads_its_own_shipment_as_answers_only(svc: Svc) -> None:
    r = svc.client.get("/api/v1/shipments/acme/EX100001", headers=svc.h("acme"))
    assert r.status_code == 200
    body = r.json()
    assert body["shipment"]["shipment_id"] == "EX100001"
    assert body["answer"] in ("accepted", "request_for_information", "hold_for_screening", "do_not_load")
    for internal in ("assessment", "reasons", "decisions", "outcomes", "versions"):
        assert internal not in body
    assert "score" not in r.text and "ROUTE_" not in r.text


@pytest.mark.parametrize("path", [
    "/api/v1/shipments/globex/GEX100001",   # the other partner's real shipment
    "/api/v1/shipments/globex/EX100001",    # a real id under the wrong partner
    "/api/v1/shipments/acme/GEX100001",     # the other partner's id under one's own code
])
def test_partner_cannot_read_another_partners_shipment_by_guessing(svc: Svc, path: str) -> None:
    r = svc.client.get(path, headers=svc.h("acme"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert svc.client.get("/api/v1/shipments/globex/GEX100001", headers=svc.h("globex")).status_code == 200


def test_partner_search_sees_only_its_own(svc: Svc) -> None:
    r = svc.client.get("/api/v1/search/shipments", params={"text": "GEX100001"}, headers=svc.h("acme"))
    assert r.status_code == 200 and r.json()["results"] == []
    r = svc.client.get("/api/v1/search/shipments", params={"date_from": "2000-01-01"}, headers=svc.h("acme"))
    partners = {x["partner"] for x in r.json()["results"]}
    assert partners == {"acme"}
    assert all("score" not in x for x in r.json()["results"])
    assert svc.client.get("/api/v1/search/parties", params={"name": "a"}, headers=svc.h("acme")).status_code == 403


def test_partner_cannot_read_another_partners_referral(svc: Svc) -> None:
    made = svc.client.post("/api/v1/shipments/globex/GEX100004/decisions", headers=svc.h("targeter"),
                           json={"decision": "exam", "reason": "industrial parts to a border importer"})
    assert made.status_code == 201
    rid = made.json()["referral"]["referral_id"]
    assert svc.client.get(f"/api/v1/referrals/{rid}", headers=svc.h("globex")).status_code == 200
    for call in (lambda: svc.client.get(f"/api/v1/referrals/{rid}", headers=svc.h("acme")),
                 lambda: svc.client.post(f"/api/v1/referrals/{rid}/acknowledge", headers=svc.h("acme")),
                 lambda: svc.client.post(f"/api/v1/referrals/{rid}/response", headers=svc.h("acme"),
                                         json={"data": {"note": "x"}})):
        r = call()
        assert r.status_code == 404, r.text
    listed = svc.client.get("/api/v1/referrals", headers=svc.h("acme")).json()["results"]
    assert rid not in {x["referral_id"] for x in listed}


def test_partner_cannot_use_internal_routes(svc: Svc) -> None:
    for path in ("/api/v1/queue", "/api/v1/performance/rules", "/api/v1/audit", "/api/v1/metrics", "/api/v1/admin/orgs"):
        assert svc.client.get(path, headers=svc.h("acme")).status_code == 403, path
    r = svc.client.post("/api/v1/shipments/acme/EX100001/decisions", headers=svc.h("acme"),
                        json={"decision": "release", "reason": "mine"})
    assert r.status_code == 403


def test_law_enforcement_sees_only_granted_corridors(svc: Svc) -> None:
    internal = svc.client.get("/api/v1/shipments/acme/EX100001", headers=svc.h("admin")).json()
    other = svc.client.get("/api/v1/shipments/acme/EX100002", headers=svc.h("admin")).json()
    assert internal["assessment"]["corridor"] == "san-diego"
    assert other["assessment"]["corridor"] != "san-diego"
    assert svc.client.get("/api/v1/shipments/acme/EX100001", headers=svc.h("le")).status_code == 200
    assert svc.client.get("/api/v1/shipments/acme/EX100002", headers=svc.h("le")).status_code == 404
    found = svc.client.get("/api/v1/search/shipments", params={"date_from": "2000-01-01"}, headers=svc.h("le"))
    assert {x["corridor"] for x in found.json()["results"]} == {"san-diego"}
    q = svc.client.get("/api/v1/queue", params={"corridor": other["assessment"]["corridor"]}, headers=svc.h("le"))
    assert q.status_code == 200 and q.json()["items"] == []
    names = {c["name"] for c in svc.client.get("/api/v1/corridors", headers=svc.h("le")).json()["results"]}
    assert names == {"san-diego"}


def test_law_enforcement_user_session_is_scoped_too(svc: Svc) -> None:
    c = TestClient(svc.app)
    login(c, "leo")
    assert c.get("/api/v1/shipments/acme/EX100001").status_code == 200
    assert c.get("/api/v1/shipments/acme/EX100002").status_code == 404
    assert c.get("/shipments/acme/EX100002").status_code == 404


def test_scoping_is_in_the_read_itself(svc: Svc) -> None:
    st = svc.app.state.svc
    with st.read() as conn:
        assert shipments.find_shipment(conn, Scope(partner="acme"), "globex", "GEX100001") is None
        assert shipments.find_shipment(conn, Scope(partner="globex"), "globex", "GEX100001") is not None
        assert shipments.find_shipment(conn, Scope(nothing=True), "acme", "EX100001") is None
        assert shipments.find_shipment(conn, Scope(corridors=frozenset({"portland"})), "acme", "EX100001") is None
        assert shipments.shipment_detail(conn, Scope(partner="acme"), "globex", "GEX100001") is None
        rows = shipments.search_shipments(conn, Scope(partner="globex"), shipments.SearchQuery(text="EX100001"))
        assert rows and {r["partner"] for r in rows} == {"globex"}  # GEX100001 matches the text, EX100001 is hidden
        assert all(r["partner"] == "globex" for r in decisions.list_referrals(conn, Scope(partner="globex")))
        assert decisions.list_referrals(conn, Scope(nothing=True)) == []
