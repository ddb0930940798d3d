"""A targeter's decision records how its shipment was picked, and the workspace's queue shows it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from interdictor.queue.build import pick_kind

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
