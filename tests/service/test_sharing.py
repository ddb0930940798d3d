"""Incidents, alerts and watches through the API while the service runs: a seizure reaches the task
force (whole, signed) and the filing partner (its identifiers and the non-nominal part) within 5 s; other
partners get nothing of it unless a group shares it, and then neither ids nor names."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.alerts.receiver import Receiver, wait_until

from interdictor.alerts import DeliveryPolicy, verify
from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import events, open_store

from .conftest import SAMPLE, Svc, form_token, light_screening, renamed, seed_accounts, web_login

SECRET = "task-force-secret-0123456789"


@pytest.fixture(scope="module")
def hub(backend: str) -> Iterator[Receiver]:  # one per database, as the service is
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[Svc]:
    tmp = tmp_path_factory.mktemp("sharing")
    settings = Settings(data_dir=tmp, secret_key="test-secret-" + "x" * 40, database_url=backend)
    store = open_store(settings.resolved_database_url())
    app = create_app(settings, store=store, screening=light_screening(settings),
                     deliver=DeliveryPolicy(base=0.1, poll=0.2, timeout=3))
    with store.begin() as conn:
        keys = seed_accounts(conn, settings.secret_key or "")
    with TestClient(app) as client:
        s = Svc(client, app, keys)
        assert s.submit("acme", SAMPLE.read_bytes()).status_code == 200
        assert s.submit("globex", renamed(SAMPLE.read_bytes(), "G")).status_code == 200
        yield s
    store.close()


def subscribe(svc: Svc, org: str, url: str, events: str = "incident.created", secret: str | None = None) -> Any:
    body: dict[str, Any] = {"org": org, "url": url, "events": events.split(",")}
    if secret:
        body["secret"] = secret
    r = svc.client.post("/api/v1/alerts/subscriptions", json=body, headers=svc.h("admin"))
    assert r.status_code == 201, r.text
    return r.json()


def seize(svc: Svc, partner: str, shipment_id: str, what: str = "4-AP, 5 kg in a motor housing") -> Any:
    h = svc.h("targeter")
    r = svc.client.post(f"/api/v1/shipments/{partner}/{shipment_id}/decisions", headers=h,
                        json={"decision": "exam", "reason": "precursor suspected"})
    assert r.status_code == 201, r.text
    r = svc.client.post(f"/api/v1/shipments/{partner}/{shipment_id}/outcomes", headers=h,
                        json={"result": "seized", "what": what, "quantity": 5, "unit": "kg"})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_seizure_reaches_the_task_force_whole_and_the_filer_its_share(svc: Svc, hub: Receiver) -> None:
    admin = svc.client.get("/api/v1/shipments/acme/EX100004", headers=svc.h("admin")).json()
    assert admin["assessment"]["corridor"] == "san-diego"
    subscribe(svc, "sd-task-force", hub.url("/tf"), secret=SECRET)
    acme = subscribe(svc, "acme", hub.url("/acme"))
    subscribe(svc, "globex", hub.url("/globex"))
    assert acme["secret"] and "secret" not in svc.client.get("/api/v1/alerts/subscriptions",
                                                             headers=svc.h("admin")).json()["results"][0]
    out = seize(svc, "acme", "EX100004")
    assert out["incident_id"]

    got = hub.wait_for("/tf", 1, timeout=5.0)
    assert len(got) == 1, "the task force's webhook got nothing within 5 s"
    r = got[0]
    assert verify(SECRET, r.body, r.headers["x-interdictor-signature"])
    assert not verify("another-secret-0123456789", r.body, r.headers["x-interdictor-signature"])
    msg = r.json
    assert set(msg) == {"event", "id", "created_at", "data"} and msg["event"] == "incident.created"
    assert msg["data"]["incident_id"] == out["incident_id"]
    assert msg["data"]["shipment"]["mawb"] == "999-12345675"
    names = {p["name"] for p in msg["data"]["nominal"]["who"]}
    assert "TIANJIN CHEM CO" in names and msg["data"]["non_nominal"]["what"]["quantity"] == 5

    mine = hub.wait_for("/acme", 1, timeout=5.0)
    assert len(mine) == 1 and verify(acme["secret"], mine[0].body, mine[0].headers["x-interdictor-signature"])
    data = mine[0].json["data"]
    assert mine[0].json["id"] == msg["id"]  # one event, one id: receivers de-duplicate on it
    assert data["shipment"]["shipment_id"] == "EX100004" and data["shipment"]["hawb"] == "H1"
    assert "nominal" not in data and "internal" not in data
    assert "TIANJIN" not in mine[0].body.decode() and "FRONTERA" not in mine[0].body.decode()
    assert data["non_nominal"]["what"]["substance"].startswith("4-AP")
    assert hub.on("/globex") == []  # another partner, in no group: nothing

    def tf_log() -> Any:
        return svc.client.get("/api/v1/alerts/deliveries", params={"org": "sd-task-force"},
                              headers=svc.h("admin")).json()

    end = time.monotonic() + 5.0  # the receiver has the body a moment before the deliverer records its answer
    while tf_log()["results"][0]["status"] != "delivered" and time.monotonic() < end:
        time.sleep(0.05)
    log = tf_log()
    assert log["results"][0]["status"] == "delivered" and log["results"][0]["share"] == "whole"
    shares = svc.client.get("/api/v1/audit", params={"action": "event.share", "object_id": msg["id"]},
                            headers=svc.h("admin")).json()["results"]
    assert {json.loads(a["detail"])["org"] for a in shares} == {"sd-task-force", "acme"}


def test_an_industry_group_gets_the_modus_operandi_without_ids_or_names(svc: Svc, hub: Receiver) -> None:
    r = svc.client.post("/api/v1/sharing/groups", headers=svc.h("admin"), json={
        "group_id": "couriers", "name": "Express couriers", "kind": "industry", "policy": "whole",
        "members": ["globex"]})
    assert r.status_code == 201, r.text
    before = len(hub.on("/globex"))
    detail = svc.client.get("/api/v1/shipments/acme/EX100001", headers=svc.h("admin")).json()
    seize(svc, "acme", "EX100001", what="benzylfentanyl precursor, 2 kg")
    got = hub.wait_for("/globex", before + 1, timeout=5.0)
    assert len(got) == before + 1
    text = got[-1].body.decode()
    data = got[-1].json["data"]
    assert "shipment" not in data and "nominal" not in data  # a policy of 'whole' gives a partner no more
    assert data["non_nominal"]["what"]["substance"].startswith("benzylfentanyl")
    for secret in ("EX100001", "acme", "ACME", "SHENZHEN BRIGHT STAR", "OTAY BORDER",
                   detail["shipment"]["filer"]):
        assert secret not in text


def test_a_partner_reads_its_incidents_without_the_nominal_part_and_never_anothers(svc: Svc) -> None:
    seize(svc, "globex", "GEX100004")
    mine = svc.client.get("/api/v1/incidents", headers=svc.h("globex")).json()["results"]
    assert mine and {i["shipment"]["partner"] for i in mine} == {"globex"}
    assert all("nominal" not in i for i in mine)
    acme_ids = {i["incident_id"] for i in svc.client.get("/api/v1/incidents", headers=svc.h("acme")).json()["results"]}
    assert not acme_ids & {i["incident_id"] for i in mine}
    assert svc.client.get(f"/api/v1/incidents/{mine[0]['incident_id']}", headers=svc.h("acme")).status_code == 404
    whole = svc.client.get(f"/api/v1/incidents/{mine[0]['incident_id']}", headers=svc.h("le")).json()
    assert whole["nominal"]["who"] and whole["share"] == "whole"


def test_an_officer_opens_edits_and_withdraws_an_incident_by_hand(svc: Svc) -> None:
    h = svc.h("targeter")
    r = svc.client.post("/api/v1/incidents", headers=h, json={
        "partner": "acme", "shipment_id": "EX100005", "what": {"substance": "pill press", "quantity": 1, "unit": "pcs"},
        "how": {"concealment": "declared as a coffee machine"}})
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["source"] == "manual" and inc["non_nominal"]["how"]["concealment"] == "declared as a coffee machine"
    assert inc["non_nominal"]["how"]["route"]["routing"] == "SZX-LAX"  # filled from what was filed
    r = svc.client.patch(f"/api/v1/incidents/{inc['incident_id']}", headers=h,
                         json={"how": {"packaging": "wooden crate"}, "who": [{"role": "consignee", "name": "X"}]})
    assert r.status_code == 200 and r.json()["non_nominal"]["how"]["packaging"] == "wooden crate"
    assert r.json()["non_nominal"]["how"]["concealment"] == "declared as a coffee machine"
    assert r.json()["nominal"]["who"] == [{"role": "consignee", "name": "X", "address": None, "city": None,
                                           "state": None, "postal_code": None, "country": None, "phone": None,
                                           "email": None}]
    r = svc.client.post(f"/api/v1/incidents/{inc['incident_id']}/withdraw", headers=h, json={"reason": "duplicate"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert svc.client.patch(f"/api/v1/incidents/{inc['incident_id']}", headers=h,
                            json={"how": {"packaging": "box"}}).status_code == 409
    assert svc.client.post("/api/v1/incidents", headers=svc.h("acme"), json={}).status_code == 403
    acts = [a["action"] for a in svc.client.get("/api/v1/audit", params={"object_id": inc["incident_id"]},
                                                headers=svc.h("admin")).json()["results"]]
    assert {"incident.create", "incident.edit", "incident.withdraw"} <= set(acts)


def test_a_watch_hits_only_the_watchers_own_shipments(svc: Svc) -> None:
    phone = "(+86) 7550-0000"  # the sample's +8675500000, written another way
    for who in ("acme", "globex"):
        r = svc.client.post("/api/v1/watches", headers=svc.h(who), json={"kind": "phone", "value": phone})
        assert r.status_code == 201, r.text
    r = svc.client.post("/api/v1/watches", headers=svc.h("le"), json={"kind": "name",
                                                                      "value": "Bright Star Trading, Shenzhen Co Ltd"})
    assert r.status_code == 201
    assert svc.client.post("/api/v1/watches", headers=svc.h("acme"),
                           json={"kind": "phone", "value": phone, "org": "globex"}).status_code == 403
    assert svc.client.post("/api/v1/watches", headers=svc.h("acme"),
                           json={"kind": "phone", "value": "12"}).status_code == 422
    # the sample's EX100001 shipper carries that phone; acme files it again changed (a new version)
    data = SAMPLE.read_bytes().replace(b"KEYBOARDS", b"KEYBOARD PARTS")
    assert svc.submit("acme", renamed(data, "W")).status_code == 200
    st = svc.app.state.svc
    with st.read() as conn:
        hits = [e for e in events.events(conn, event="watch.hit", limit=1000)]
    by_org = {(e["orgs"][0], e["shipment_id"]) for e in hits}
    assert ("acme", "WEX100001") in by_org
    assert not any(org == "globex" for org, _ in by_org)  # globex watches it too, but it is acme's shipment
    le = {sid for org, sid in by_org if org == "sd-task-force"}
    assert "WEX100001" in le  # the name folded as the party matcher folds it; in its granted corridor
    assert "WEX100005" not in le  # the same shipper name, but another corridor
    assert all(e["partner"] == "acme" for e in hits)


def test_only_an_admin_manages_subscriptions_and_events_are_checked(svc: Svc) -> None:
    body = {"org": "acme", "url": "http://127.0.0.1:9/x", "events": ["incident.created"]}
    assert svc.client.post("/api/v1/alerts/subscriptions", json=body, headers=svc.h("acme")).status_code == 403
    bad = {**body, "events": ["incident.deleted"]}
    assert svc.client.post("/api/v1/alerts/subscriptions", json=bad, headers=svc.h("admin")).status_code == 422
    both = {**body, "email": "ops@acme.example"}
    assert svc.client.post("/api/v1/alerts/subscriptions", json=both, headers=svc.h("admin")).status_code == 422
    ftp = {**body, "url": "ftp://127.0.0.1/x"}
    assert svc.client.post("/api/v1/alerts/subscriptions", json=ftp, headers=svc.h("admin")).status_code == 422


def test_a_slow_or_failing_receiver_never_slows_the_api(svc: Svc, hub: Receiver) -> None:
    slow, failing = Receiver(delay=10.0).start(), Receiver(status=500).start()
    try:
        subscribe(svc, "sd-task-force", slow.url("/slow"), events="incident.created,referral.created")
        subscribe(svc, "acme", failing.url("/fail"), events="incident.created,referral.created")
        subscribe(svc, "authority", hub.url("/authority"), events="incident.created")
        assert svc.submit("acme", renamed(SAMPLE.read_bytes(), "SL")).status_code == 200
        t0 = time.perf_counter()
        seize(svc, "acme", "SLEX100004")  # in the task force's corridor
        assert wait_until(lambda: slow.started >= 1 and failing.started >= 1)
        # a delivery is now hanging on the slow receiver and failing on the other: the API answers as ever
        t1 = time.perf_counter()
        assert svc.submit("acme", renamed(SAMPLE.read_bytes(), "SLOW")).status_code == 200
        assert svc.client.get("/api/v1/incidents", headers=svc.h("admin")).status_code == 200
        assert time.perf_counter() - t1 < 3.0, "the API waited on a receiver"
        # nor the other receivers: the authority's webhook has the seizure while the slow one still hangs
        assert [r.json["data"]["shipment"]["shipment_id"] for r in hub.wait_for("/authority", 1)] == ["SLEX100004"]
        assert slow.got == []
        assert time.perf_counter() - t0 < 8.0
    finally:
        slow.stop()
        failing.stop()


def test_the_workspace_opens_an_incident_from_a_seizure_and_shows_each_reader_their_share(svc: Svc,
                                                                                        hub: Receiver) -> None:
    subscribe(svc, "sd-task-force", hub.url("/ws"))
    c = TestClient(svc.app)
    web_login(c, "tina")
    path = "/shipments/acme/WSEX100004"
    assert svc.submit("acme", renamed(SAMPLE.read_bytes(), "WS")).status_code == 200
    r = c.post(f"{path}/decide", data={"csrf_token": form_token(c.get(path).text), "decision": "exam",
                                       "reason": "chemicals at a token value"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = c.post(f"{path}/outcome", data={"csrf_token": form_token(c.get(path).text), "result": "seized",
                                        "what": "NPP in a drum", "quantity": "25", "unit": "kg"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    end = time.monotonic() + 5.0  # the seizure reaches the task force's webhook within 5 s
    while time.monotonic() < end and not [r for r in hub.on("/ws") if "WSEX100004" in r.body.decode()]:
        time.sleep(0.05)
    got = [r for r in hub.on("/ws") if r.json["data"].get("shipment", {}).get("shipment_id") == "WSEX100004"]
    assert len(got) == 1
    page = c.get("/incidents").text
    assert "NPP in a drum" in page and "WSEX100004" in page
    incident_id = got[0].json["data"]["incident_id"]
    detail = c.get(f"/incidents/{incident_id}").text
    assert "TIANJIN CHEM CO" in detail and "Withdraw" in detail
    partner = TestClient(svc.app)
    web_login(partner, "acme-ops")
    seen = partner.get(f"/incidents/{incident_id}").text
    assert "NPP in a drum" in seen and "WSEX100004" in seen
    assert "TIANJIN CHEM CO" not in seen and "FRONTERA" not in seen and "Withdraw" not in seen
    other = TestClient(svc.app)
    web_login(other, "globex-ops")
    assert other.get(f"/incidents/{incident_id}").status_code == 404
    assert other.get("/alerts").status_code == 403
    admin = TestClient(svc.app)
    web_login(admin, "admin")
    page = admin.get("/alerts").text
    assert hub.url("/ws") in page and "delivered" in page
    r = admin.post("/alerts/subscribe", data={"csrf_token": form_token(page), "org": "globex",
                                              "target": "ops@globex.example", "events": ["incident.created"]})
    assert r.status_code == 200 and "ops@globex.example" in r.text and "signing secret" not in r.text  # e-mail: none
