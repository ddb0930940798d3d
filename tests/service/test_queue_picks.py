"""A targeter's decision records how its shipment was picked, and the workspace's queue shows it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from interdictor.queue.build import Budget, pick_kind
from interdictor.store import facts
from interdictor.store import schema as core
from interdictor.store.scope import Scope

from .conftest import Svc, login

DAY = "2026-11-27"  # the sample's filing day


def test_a_decision_records_the_queues_pick_and_the_queue_shows_it(svc: Svc) -> None:
    h = svc.h("targeter")
    items = svc.client.get("/api/v1/queue", params={"corridor": "san-diego", "day": DAY}, headers=h).json()["items"]
    row = next(i for i in items if i["partner"] == "globex")
    expected = pick_kind(row["pick"], row["explore_kind"], "manual")
    assert row["pick_kind"] == (None if expected == "manual" else expected)
    r = svc.client.post(f"/api/v1/shipments/globex/{row['shipment_id']}/decisions", headers=h,
                        json={"decision": "release", "reason": "seen, nothing in it"})
    assert r.status_code == 201, r.text
    shown = svc.client.get(f"/api/v1/shipments/globex/{row['shipment_id']}", headers=svc.h("admin")).json()
    assert shown["decisions"][-1]["pick_kind"] == expected
    assert shown["decisions"][-1]["exploration"] is expected.startswith("explore_")

    c = TestClient(svc.app)
    login(c, "tina")
    html = c.get(f"/queue?corridor=san-diego&day={DAY}").text
    rows = {(p, sid): body for p, sid, body in
            re.findall(r'<tr data-href="/shipments/([^/]+)/([^"]+)"(.*?)</tr>', html, re.S)}
    assert len(rows) == len(items)
    for i in items:
        body = rows[(i["partner"], i["shipment_id"])]
        assert re.findall(r'data-pick-kind="([a-z_]+)"', body) == ([i["pick_kind"]] if i["pick_kind"] else [])
    assert re.findall(r'data-decided-pick="([a-z_]+)"', rows[("globex", row["shipment_id"])]) == [expected]


def test_picks_read_from_the_days_whole_queue_are_each_ports_own(svc: Svc, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk import reads a day's queue over every corridor once; each shipment's pick is the one its own
    port's queue gives (the queue the workspace shows, port by port)."""
    st = svc.app.state.svc
    with st.read() as conn:
        ships = [dict(r) for r in conn.execute(select(core.shipments).where(core.shipments.c.is_current.is_(True)))
                 .mappings()]
        def budgets(corridor: str, port: str | None) -> Budget:  # tight: each port's queue has every kind of pick
            return Budget(2, 0.5)

        monkeypatch.setattr(facts, "PORTS_APART", 10_000)
        apart = facts.queue_picks(conn, Scope.everything(), st.screening.corridors, budgets, ships, otherwise="imported")
        monkeypatch.setattr(facts, "PORTS_APART", 0)
        whole = facts.queue_picks(conn, Scope.everything(), st.screening.corridors, budgets, ships, otherwise="imported")
    assert len({(s["destination_port"] or "").upper() for s in ships}) > 1  # several ports' queues
    assert "imported" in apart and any(k.startswith("explore_") for k in apart)  # picked and not, in each port
    assert whole == apart
