"""Administration: rule-set versions (add, backtest, activate), corridors, budgets, accounts, watchlists."""

from __future__ import annotations

import yaml

from interdictor.score.rules import dump_ruleset, load_ruleset

from .conftest import SAMPLE, Svc, renamed


def test_add_backtest_and_activate_a_rule_set(svc: Svc) -> None:
    h = svc.h("admin")
    doc = yaml.safe_load(dump_ruleset(load_ruleset()))
    doc["rules"]["VALUE_TOKEN_FOR_WEIGHT"]["weight"] = 95
    r = svc.client.post("/api/v1/admin/rulesets", content=yaml.safe_dump(doc), headers={**h, "content-type": "text/plain"})
    assert r.status_code == 201, r.text
    version = r.json()["version"]
    assert version >= 2
    bt = svc.client.post(f"/api/v1/admin/rulesets/default/{version}/backtest?days=7", headers=h)
    assert bt.status_code == 200
    res = bt.json()
    assert res["shipments"] > 0 and res["changed"] > 0 and res["caveat"]
    assert {"code": "VALUE_TOKEN_FOR_WEIGHT", "before": 22.0, "after": 95.0} in res["weight_changes"]
    act = svc.client.post(f"/api/v1/admin/rulesets/default/{version}/activate", headers=h)
    assert act.status_code == 200 and act.json()["active"] == f"default-v{version}"
    listed = svc.client.get("/api/v1/rulesets", headers=h).json()["results"]
    assert [v["version"] for v in listed if v["active"]] == [version]
    answered = svc.submit("admin", renamed(SAMPLE.read_bytes(), "R")).json()
    first = next(s for s in answered["shipments"] if s["shipment_id"] == "REX100001")
    assert first["disposition"] == "hold" and answered["ruleset"] == f"default-v{version}"
    back = svc.client.post("/api/v1/admin/rulesets/default/1/activate", headers=h)
    assert back.status_code == 200


def test_bad_rule_sets_are_refused_with_reasons(svc: Svc) -> None:
    r = svc.client.post("/api/v1/admin/rulesets", content="rules: {X: {weight: 500}}",
                        headers={**svc.h("admin"), "content-type": "text/plain"})
    assert r.status_code == 422 and "weight" in r.json()["error"]["message"]
    assert svc.client.post("/api/v1/admin/rulesets/default/99/activate", headers=svc.h("admin")).status_code == 404
    assert svc.client.post("/api/v1/admin/rulesets", content="x: 1", headers=svc.h("targeter")).status_code == 403


def test_corridor_thresholds_and_port_budgets(svc: Svc) -> None:
    h = svc.h("admin")
    r = svc.client.put("/api/v1/admin/corridors/portland", headers=h,
                       json={"thresholds": {"review": 20}, "exploration_share": 0.2})
    assert r.status_code == 200 and r.json()["thresholds"]["review"] == 20
    bad = svc.client.put("/api/v1/admin/corridors/portland", headers=h, json={"thresholds": {"review": 90}})
    assert bad.status_code == 422
    r = svc.client.put("/api/v1/admin/corridors/san-diego/ports/SAN/budget", headers=h,
                       json={"exams_per_day": 3, "exploration_share": 0.34})
    assert r.status_code == 200
    q = svc.client.get("/api/v1/queue", params={"corridor": "san-diego", "port": "SAN"}, headers=h).json()
    assert q["budget"] == {"exams_per_day": 3, "exploration_share": 0.34, "exploit": 2, "explore": 1}
    c = {x["name"]: x for x in svc.client.get("/api/v1/corridors", headers=h).json()["results"]}
    assert c["portland"]["exploration_share"] == 0.2 and c["san-diego"]["port_budgets"]["SAN"]["exams_per_day"] == 3


def test_accounts_through_the_api(svc: Svc) -> None:
    h = svc.h("admin")
    assert svc.client.post("/api/v1/admin/orgs", headers=h, json={"org_id": "initech", "name": "Initech Freight",
                                                                 "kind": "partner"}).status_code == 201
    assert svc.client.post("/api/v1/admin/orgs", headers=h, json={"org_id": "initech", "name": "again",
                                                                 "kind": "partner"}).status_code == 422
    r = svc.client.post("/api/v1/admin/users", headers=h, json={"username": "ini-ops", "password": "a long passphrase",
                                                               "role": "partner", "org_id": "initech"})
    assert r.status_code == 201
    r = svc.client.post("/api/v1/admin/users", headers=h, json={"username": "ini-boss", "password": "a long passphrase",
                                                               "role": "admin", "org_id": "initech"})
    assert r.status_code == 422
    key = svc.client.post("/api/v1/admin/keys", headers=h, json={"org_id": "initech", "role": "partner", "name": "edi"})
    assert key.status_code == 201 and key.json()["api_key"].startswith("idk_")
    users = svc.client.get("/api/v1/admin/users", headers=h).json()["results"]
    assert all("password_hash" not in u for u in users)


def test_watchlist_import_makes_a_version(svc: Svc) -> None:
    csv = "name,country,programs\nHEBEI EXAMPLE TRADING CO LTD,CN,LOOKOUT\n"
    r = svc.client.post("/api/v1/admin/watchlists?list_id=team-lookout&format=custom", content=csv,
                        headers={**svc.h("admin"), "content-type": "text/csv"})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["entries"] == 1
    versions = svc.client.get("/api/v1/watchlists", headers=svc.h("admin")).json()["results"]
    assert any(v["list_id"] == "team-lookout" for v in versions)
