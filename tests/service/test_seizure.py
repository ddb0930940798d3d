"""A seizure recorded through the API re-assesses the live shipments linked to it at once (a run whose trigger
names it), and the service screens new submissions with its marks from then on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.network.test_risk import LIGHT, latest, network_codes, screen, shifted, today_file
from tests.network.traffic import manifests

from interdictor.screening import assemble
from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import open_store

from .conftest import Svc, seed_accounts


@pytest.fixture()
def svc(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Svc]:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    for partner, data in manifests(sellers=40, background=20).items():
        screen(store_url, partner, shifted(data))
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-" + "x" * 40, database_url=store_url,
                        detectors="route")
    store = open_store(store_url)
    app = create_app(settings, store=store, screening=assemble(LIGHT, store))
    with store.begin() as conn:
        keys = seed_accounts(conn, settings.secret_key or "")
    with TestClient(app) as client:
        yield Svc(client, app, keys)
    store.close()


def test_a_seizure_recorded_in_the_api_reassesses_its_network(svc: Svc, store_url: str) -> None:
    h = svc.h("targeter")
    assert network_codes(latest(store_url, "bolt"), "N2") == {}
    assert svc.client.post("/api/v1/shipments/acme/N0/decisions", headers=h,
                           json={"decision": "exam", "reason": "precursor"}).status_code == 201
    r = svc.client.post("/api/v1/shipments/acme/N0/outcomes", headers=h, json={"result": "seized", "what": "NPP 2 kg"})
    assert r.status_code == 201, r.text
    bolt = latest(store_url, "bolt")
    n2 = bolt.filter(bolt["shipment_id"] == "N2").row(0, named=True)
    assert n2["trigger"] == "outcome:acme/N0" and "NETWORK_SEIZED_PHONE_EMAIL" in network_codes(bolt, "N2")
    # the service screens with the seizure's marks now: a new submission sharing its consignee's phone
    assert svc.client.post("/api/v1/manifests?filename=t.csv", content=today_file(),
                           headers={**svc.h("acme"), "content-type": "text/csv"}).status_code == 200
    assert "NETWORK_SEIZED_PHONE_EMAIL" in network_codes(latest(store_url, "acme"), "X2")
