"""The workspace's network view (``/shipments/{partner}/{id}/network``) on two partners' multi-day traffic with a
seizure planted: the network drawn ring by ring, the seizure marked, the consolidator's address collapsed into
one hub node, each shipment a link to its page; targeters and analysts only (the browser test is in tests/web)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.network.traffic import NETWORK, manifests
from tests.test_cli_network import cli, screen

from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import open_store

from .conftest import light_screening, login, seed_accounts


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("netpage")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    screen(url, manifests(sellers=60, background=30))
    seized = tmp / "outcomes.csv"
    seized.write_text("partner,shipment_id,result,examined_at,what\nacme,N0,seized,2026-11-25T15:00:00Z,NPP 2 kg\n",
                      encoding="utf-8")
    code, out, err = cli("outcomes", "import", str(seized), "--db", url)
    assert code == 0, out + err
    settings = Settings(data_dir=tmp, secret_key="test-secret-" + "n" * 40, database_url=url)
    store = open_store(url)
    with store.begin() as conn:
        seed_accounts(conn, settings.secret_key or "")
    yield create_app(settings, store=store, screening=light_screening(settings))
    store.close()


def page(app: Any, user: str, path: str) -> Any:
    c = TestClient(app)
    login(c, user)
    return c.get(path)


def nodes(html: str) -> dict[str, str]:
    """The drawn shipments: key -> the class of its circle."""
    return dict(re.findall(r'<a href="[^"]+" class="ship[^"]*" data-key="([^"]+)"><circle [^>]*class="([^"]+)"', html))


def test_the_seizure_network_is_drawn_and_the_hub_collapsed(app: Any) -> None:
    r = page(app, "tina", "/shipments/acme/N0/network")
    assert r.status_code == 200, r.text
    drawn = nodes(r.text)
    assert drawn["acme/N0"] == "node center seized"  # the start, marked as the seizure it is
    assert {f"{p}/{s}" for p, s, *_ in NETWORK[1:]} <= set(drawn)
    assert not any(k.split("/")[1].startswith("C") for k in drawn)  # no seller of the consolidator
    hubs = re.findall(r'class="node hub" data-hub="([^"]+)"', r.text)
    assert len(hubs) == 1 and "88 HUAQIANGBEI RD" in hubs[0] and re.search(r"used by \d+ names, not followed", hubs[0])
    # every drawn shipment links through to its page
    for key in drawn:
        p, s = key.split("/")
        assert f'<a href="/shipments/{p}/{s}" class="ship' in r.text
    # the ranked list with its path evidence: N2 reached through the consignee's phone
    row = re.search(r'<tr data-href="/shipments/bolt/N2"[^>]*>(.*?)</tr>', r.text, re.S)
    assert row is not None and "phone" in row.group(1)


def test_rings_follow_the_hops(app: Any) -> None:
    one = nodes(page(app, "tina", "/shipments/acme/N0/network?depth=1").text)
    two = nodes(page(app, "tina", "/shipments/acme/N0/network?depth=2").text)
    assert "bolt/N3" not in one and "bolt/N3" in two  # N3 is two hops away (through N1's e-mail or N2's shipper)
    assert ">2 hops</text>" in page(app, "tina", "/shipments/acme/N0/network?depth=2").text


def test_from_a_linked_shipment_the_seizure_is_marked_and_ranked_first(app: Any) -> None:
    r = page(app, "ana", "/shipments/bolt/N2/network?depth=3")
    assert r.status_code == 200
    assert nodes(r.text)["acme/N0"] == "node seized"
    first = re.search(r'<tbody>\s*<tr data-href="/shipments/([^"]+)" data-kind="([a-z]+)"', r.text)
    assert first is not None and first.groups() == ("acme/N0", "seized")
    assert "seized 2026-11-25" in r.text


def test_the_shipment_page_leads_to_the_network_for_internal_roles_only(app: Any) -> None:
    ship = page(app, "tina", "/shipments/acme/N0")
    assert 'href="/shipments/acme/N0/network"' in ship.text and "backtrack this seizure" in ship.text
    partner = page(app, "acme-ops", "/shipments/acme/N0")
    assert partner.status_code == 200 and "/network" not in partner.text
    assert page(app, "acme-ops", "/shipments/acme/N0/network").status_code == 403
    assert page(app, "leo", "/shipments/acme/N0/network").status_code == 403  # law enforcement: no network either


def test_an_unknown_shipment_is_a_404(app: Any) -> None:
    assert page(app, "tina", "/shipments/acme/NOPE/network").status_code == 404
