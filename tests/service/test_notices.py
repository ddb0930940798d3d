"""Pre-notified trade through the API: an export authority files and withdraws its own notifications and
sees no other's; targeters read them all; partners and law enforcement never see them; a shipment
submitted through the API matching a notification is kept at review while its un-notified twin is held."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interdictor.background import close_windows
from interdictor.screening import assemble
from interdictor.service import accounts
from interdictor.service.app import create_app
from interdictor.service.notices import store_rows
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.events import events
from interdictor.store.notices import listed

from .conftest import Svc, seed_accounts

NOTICE = {"reference": "PEN-IN-0042", "exporter": "Gujarat Fine Chemicals Pvt. Ltd.", "exporter_country": "IN",
          "importer": "Acme Pharmaceuticals, Inc.", "importer_country": "US", "goods": "NPP", "quantity": 50,
          "unit": "kg", "arrival_from": "2025-03-01", "arrival_to": "2025-03-31", "port": "LAX"}


def manifest(rows: list[tuple[str, str, str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["shipment_id", "mode", "filed_at", "origin_country", "destination_port", "shipper_name",
                "shipper_country", "consignee_name", "consignee_country", "pieces", "gross_weight_kg", "declared_value",
                "currency", "item_description", "hs_code"])
    for sid, shipper, consignee in rows:
        w.writerow([sid, "air", "2025-03-10T00:00:00Z", "IN", "LAX", shipper, "IN", consignee, "US", 1, 50, 9000, "USD",
                    "N-phenethyl-4-piperidone 99%", "293337"])
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Iterator[Svc]:
    tmp = tmp_path_factory.mktemp("notices")
    settings = Settings(data_dir=tmp, secret_key="test-secret-" + "n" * 40, database_url=backend)
    store = open_store(settings.resolved_database_url())
    screening = assemble(settings.model_copy(update={"detectors": "route,goods"}), store)
    # no background chores: they would close these tests' past windows at start (tested on their own below)
    app = create_app(settings, store=store, screening=screening, background=False)
    with store.begin() as conn:
        keys = seed_accounts(conn, settings.secret_key or "")
        for org in ("in-ncb", "de-bopst"):
            accounts.create_org(conn, org, org.upper(), "export_authority", None, "test")
            keys[org] = accounts.create_api_key(conn, settings.secret_key or "", org, "notifier", "test", "test")
    with TestClient(app) as client:
        yield Svc(client, app, keys)
    store.close()


def test_an_authority_files_once_and_sees_only_its_own(svc: Svc) -> None:
    c = svc.client
    r = c.post("/api/v1/notifications", json=NOTICE, headers=svc.h("in-ncb"))
    assert r.status_code == 201, r.text
    assert r.json()["result"] == "added" and r.json()["notification"]["goods"] == "npp"
    again = c.post("/api/v1/notifications", json=NOTICE, headers=svc.h("in-ncb"))
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    other = {**NOTICE, "reference": "DE-77", "exporter": "Rheinchemie GmbH", "exporter_country": "DE"}
    assert c.post("/api/v1/notifications", json=other, headers=svc.h("de-bopst")).status_code == 201

    mine = c.get("/api/v1/notifications", headers=svc.h("in-ncb")).json()
    assert [n["reference"] for n in mine["items"]] == ["PEN-IN-0042"]
    assert c.get("/api/v1/notifications/de-bopst/DE-77", headers=svc.h("in-ncb")).status_code == 404
    assert c.post("/api/v1/notifications/de-bopst/DE-77/withdraw", headers=svc.h("in-ncb")).status_code == 404
    every = c.get("/api/v1/notifications", headers=svc.h("targeter")).json()
    assert {n["reference"] for n in every["items"]} == {"PEN-IN-0042", "DE-77"}
    # the authority cannot read shipments, and cannot file as a partner would
    assert c.get("/api/v1/shipments/acme/X", headers=svc.h("in-ncb")).status_code == 403


@pytest.mark.parametrize("who", ["acme", "globex"])
def test_partners_never_see_notifications(svc: Svc, who: str) -> None:
    c = svc.client
    assert c.get("/api/v1/notifications", headers=svc.h(who)).status_code == 403
    assert c.get("/api/v1/notifications/in-ncb/PEN-IN-0042", headers=svc.h(who)).status_code == 403
    assert c.post("/api/v1/notifications", json=NOTICE, headers=svc.h(who)).status_code == 403


def test_law_enforcement_reads_only_its_corridors_notifications(svc: Svc) -> None:
    c = svc.client
    # the task force is granted san-diego: a notification into SAN (air) or 2506 (Otay Mesa) is its, LAX is not
    for ref, port in (("LE-SAN", "SAN"), ("LE-OTAY", "2506"), ("LE-LAX", "LAX"), ("LE-NONE", None)):
        r = c.post("/api/v1/notifications", json={**NOTICE, "reference": ref, "port": port,
                                                                  "importer": "Otay Biochem LLC"}, headers=svc.h("in-ncb"))
        assert r.status_code == 201, r.text
    seen = {n["reference"] for n in c.get("/api/v1/notifications", headers=svc.h("le")).json()["items"]}
    assert {"LE-SAN", "LE-OTAY"} <= seen
    assert not seen & {"LE-LAX", "LE-NONE", "PEN-IN-0042"}, seen  # los-angeles and the national default are not its
    assert c.get("/api/v1/notifications/in-ncb/LE-SAN", headers=svc.h("le")).json()["port"] == "SAN"
    assert c.get("/api/v1/notifications/in-ncb/LE-LAX", headers=svc.h("le")).status_code == 404
    assert c.get("/notifications", headers=svc.h("le")).status_code == 200
    assert "LE-LAX" not in c.get("/notifications", headers=svc.h("le")).text
    # it reads, never files or withdraws; the targeting authority still reads every one
    assert c.post("/api/v1/notifications", json=NOTICE, headers=svc.h("le")).status_code == 403
    assert c.post("/api/v1/notifications/in-ncb/LE-SAN/withdraw", headers=svc.h("le")).status_code == 403
    every = {n["reference"] for n in c.get("/api/v1/notifications", headers=svc.h("targeter")).json()["items"]}
    assert {"LE-SAN", "LE-OTAY", "LE-LAX", "LE-NONE"} <= every


def test_a_bad_notification_names_each_field(svc: Svc) -> None:
    bad = {**NOTICE, "reference": "BAD-1", "goods": "unobtainium", "unit": "barrels", "exporter_country": "IND",
           "arrival_to": "2025-02-01"}
    r = svc.client.post("/api/v1/notifications", json=bad, headers=svc.h("in-ncb"))
    assert r.status_code == 422
    fields = {d["where"].removeprefix("body."): d["problem"] for d in r.json()["error"]["details"]}
    assert set(fields) == {"goods", "unit", "exporter_country", "arrival_to"}
    assert "before arrival_from" in fields["arrival_to"]


def test_notified_shipment_at_review_and_its_twin_held(svc: Svc) -> None:
    c = svc.client
    c.post("/api/v1/notifications", json=NOTICE, headers=svc.h("in-ncb"))
    data = manifest([("PEN1", "GUJARAT FINE CHEMICALS PVT LTD", "ACME PHARMACEUTICALS INC"),
                     ("TWIN1", "SOME TRADING CO", "LAREDO STORAGE LLC")])
    assert svc.submit("acme", data).status_code == 200

    def seen(sid: str) -> dict[str, Any]:
        r = c.get(f"/api/v1/shipments/acme/{sid}", headers=svc.h("targeter"))
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    lawful, twin = seen("PEN1"), seen("TWIN1")
    assert lawful["assessment"]["disposition"] == "review"
    ev = next(x["evidence"] for x in lawful["reasons"] if x["code"] == "NOTIFIED_TRADE")
    assert "PEN-IN-0042" in ev and "in-ncb" in ev
    assert twin["assessment"]["disposition"] == "hold"
    assert "LICENCE_NOT_NOTIFIED" in {x["code"] for x in twin["reasons"]}

    # the authority sees that its trade arrived, without the partner who carried it
    one = c.get("/api/v1/notifications/in-ncb/PEN-IN-0042", headers=svc.h("in-ncb")).json()
    assert [a["shipment_id"] for a in one["arrivals"]] == ["PEN1"] and "partner" not in one["arrivals"][0]
    assert c.get("/api/v1/notifications/in-ncb/PEN-IN-0042", headers=svc.h("targeter")).json()["arrivals"][0][
        "partner"] == "acme"


def test_a_withdrawn_notification_stops_matching(svc: Svc) -> None:
    c = svc.client
    n = {**NOTICE, "reference": "PEN-IN-0099", "importer": "Durham Biotech LLC"}
    assert c.post("/api/v1/notifications", json=n, headers=svc.h("in-ncb")).status_code == 201
    r = c.post("/api/v1/notifications/in-ncb/PEN-IN-0099/withdraw", headers=svc.h("in-ncb"))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert c.post("/api/v1/notifications/in-ncb/PEN-IN-0099/withdraw", headers=svc.h("in-ncb")).status_code == 409
    assert c.post("/api/v1/notifications", json={**n, "quantity": 60}, headers=svc.h("in-ncb")).status_code == 409
    assert svc.submit("acme", manifest([("LATE1", "GUJARAT FINE CHEMICALS PVT LTD", "DURHAM BIOTECH LLC")])).status_code == 200
    late = c.get("/api/v1/shipments/acme/LATE1", headers=svc.h("targeter")).json()
    assert late["assessment"]["disposition"] == "hold"
    assert "NOTIFIED_TRADE" not in {x["code"] for x in late["reasons"]}


def test_two_processes_closing_windows_at_once_raise_each_alert_once(svc: Svc, backend: str, tmp_path: Any) -> None:
    """Two services (or workers) run the daily close at the same moment: every unmatched notification is
    closed, audited and alerted by exactly one of them."""
    settings = Settings(data_dir=tmp_path, secret_key="x" * 48, database_url=backend)
    first = open_store(backend)
    refs = [f"RACE-{i}" for i in range(12)]
    with first.begin() as conn:
        accounts.create_org(conn, "race-auth", "RACE", "export_authority", None, "test")
        store_rows(conn, "race-auth", [{**NOTICE, "goods": "npp", "reference": r, "importer": "Race Labs Inc",
                                         "arrival_from": date(2025, 1, 1),
                                         "arrival_to": date(2025, 1, 31)} for r in refs], "test", "test")
    stores = [first, open_store(backend)]
    gate = threading.Barrier(2)
    closed: list[list[dict[str, Any]]] = [[], []]

    def run(i: int) -> None:
        gate.wait()
        closed[i] = close_windows(stores[i], settings, date(2025, 2, 15))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    mine = [[n["reference"] for n in c if n["authority"] == "race-auth"] for c in closed]
    assert sorted(mine[0] + mine[1]) == sorted(refs)  # each closed once, by one of the two
    with first.connect() as conn:
        raised = [e for e in events(conn, event="notification.unmatched", limit=10_000)
                  if e["data"]["notification"]["authority"] == "race-auth"]
        status = {n["reference"]: n["status"] for n in listed(conn, "race-auth")}
    assert sorted(e["data"]["notification"]["reference"] for e in raised) == sorted(refs)
    assert set(status.values()) == {"unmatched"}
    assert close_windows(first, settings, date(2025, 2, 15)) == []  # a third run finds nothing
    for s in stores:
        s.close()


def test_serve_closes_ended_windows_by_itself_at_start(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="y" * 48, database_url=f"sqlite:///{tmp_path / 'bg.sqlite'}")
    store = open_store(settings.resolved_database_url())
    with store.begin() as conn:
        accounts.ensure_authority(conn, "test")
        accounts.create_org(conn, "in-ncb", "IN-NCB", "export_authority", None, "test")
        ended = {**NOTICE, "goods": "npp", "arrival_from": date(2025, 1, 1), "arrival_to": date(2025, 1, 31)}
        later = {**ended, "reference": "FUTURE", "arrival_to": date(2999, 1, 1)}
        store_rows(conn, "in-ncb", [ended, later], "test", "test")
    app = create_app(settings, store=store, screening=assemble(settings.model_copy(update={"detectors": "route"})),
                     deliver=False)
    with TestClient(app):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            with store.connect() as conn:
                if listed(conn, "in-ncb", "unmatched"):
                    break
            time.sleep(0.05)
    with store.connect() as conn:
        status = {n["reference"]: n["status"] for n in listed(conn, "in-ncb")}
        raised = events(conn, event="notification.unmatched")
    store.close()
    assert status == {NOTICE["reference"]: "unmatched", "FUTURE": "open"}
    assert len(raised) == 1 and raised[0]["orgs"] == ["in-ncb"] and raised[0]["corridor"] == "los-angeles"
