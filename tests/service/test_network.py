"""The backtrack route: targeters and analysts see links across partners; a partner's key never does."""

from __future__ import annotations

import time

import pytest

from .conftest import Svc


@pytest.mark.parametrize("who", ["targeter", "analyst"])
def test_internal_roles_backtrack_across_partners(svc: Svc, who: str) -> None:
    # globex filed the sample again under G-prefixed ids: the same parties link the two partners' shipments
    r = svc.client.get("/api/v1/network/backtrack/acme/EX100001", headers=svc.h(who))
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["results"]
    assert rows and set(rows[0]) == {"rank", "partner", "shipment_id", "score", "hops", "path"}
    assert ("globex", "GEX100001") in {(x["partner"], x["shipment_id"]) for x in rows}
    assert [x["rank"] for x in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("who", ["acme", "globex"])
def test_a_partner_key_is_refused(svc: Svc, who: str) -> None:
    assert svc.client.get("/api/v1/network/backtrack/acme/EX100001", headers=svc.h(who)).status_code == 403


def test_an_unknown_shipment_is_named(svc: Svc) -> None:
    r = svc.client.get("/api/v1/network/backtrack/acme/NOPE", headers=svc.h("targeter"))
    assert r.status_code == 404 and "acme/NOPE" in r.text


@pytest.mark.parametrize("who", ["targeter", "analyst"])
def test_communities_cross_partners_for_internal_roles(svc: Svc, who: str) -> None:
    r = svc.client.get("/api/v1/network/communities?sort=size&top=5", headers=svc.h(who))
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["results"]
    assert rows and body["communities"] >= len(rows)
    assert [x["actors"] for x in rows] == sorted((x["actors"] for x in rows), reverse=True)
    # the sample filed again by globex: the same parties tie the two partners' shipments into one community
    assert rows[0]["partners"] == 2
    one = svc.client.get(f"/api/v1/network/communities/{rows[0]['community']}", headers=svc.h(who)).json()
    assert len(one["actors"]) == rows[0]["actors"] and len(one["shipments"]) == rows[0]["shipments"]
    assert {s["partner"] for s in one["shipments"]} == {"acme", "globex"}


@pytest.mark.parametrize("who", ["acme", "globex"])
def test_a_partner_key_gets_no_communities(svc: Svc, who: str) -> None:
    assert svc.client.get("/api/v1/network/communities", headers=svc.h(who)).status_code == 403
    assert svc.client.get("/api/v1/network/communities/CX", headers=svc.h(who)).status_code == 403


def test_an_unknown_community_is_named(svc: Svc) -> None:
    r = svc.client.get("/api/v1/network/communities/CNOPE", headers=svc.h("targeter"))
    assert r.status_code == 404 and "CNOPE" in r.text
    assert svc.client.get("/api/v1/network/communities?sort=age", headers=svc.h("targeter")).status_code == 422


def test_the_screener_brings_the_network_up_to_date_when_no_work_waits(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission is answered, then the screener (the store's one writer), with nothing waiting, resolves
    the stored shipments into the network, two at a time here, its queue looked at between: nobody had to
    ask for it."""
    from sqlalchemy import select

    import interdictor.service.screening as screener
    from interdictor.store.schema import shipments as S
    from interdictor.store.schema_network import network_parties as NP

    from .conftest import SAMPLE, renamed

    monkeypatch.setattr(screener, "IDLE_GROWTH", 2)
    assert svc.submit("acme", renamed(SAMPLE.read_bytes(), "N")).status_code == 200
    store = svc.app.state.svc.store
    with store.connect() as conn:
        stored = set(conn.execute(select(S.c.shipment_id).where(S.c.partner == "acme",
                                                                S.c.shipment_id.like("NEX%"))).scalars())
    assert len(stored) > 2
    deadline = time.monotonic() + 30
    held: set[str] = set()
    while time.monotonic() < deadline and held != stored:
        with store.connect() as conn:
            held = set(conn.execute(select(NP.c.shipment_id).where(NP.c.partner == "acme",
                                                                   NP.c.shipment_id.like("NEX%"))).scalars())
        time.sleep(0.05)
    assert held == stored
