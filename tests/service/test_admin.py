"""Administration: rule-set versions (add, backtest, activate), corridors, budgets, accounts, watchlists."""

from __future__ import annotations

import tempfile

import pytest
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
    r = svc.client.post("/api/v1/admin/users", headers=h, json={"username": "ini-ops", "password": "a long passphrase",
                                                               "role": "partner", "org_id": "initech"})
    assert r.status_code == 201
    key = svc.client.post("/api/v1/admin/keys", headers=h, json={"org_id": "initech", "role": "partner", "name": "edi"})
    assert key.status_code == 201 and key.json()["api_key"].startswith("idk_")
    users = svc.client.get("/api/v1/admin/users", headers=h).json()["results"]
    assert all("password_hash" not in u for u in users)


PASSPHRASE = "a long passphrase"
# what an account request gets when it cannot be carried out: 422 outside the schema (or a rule no schema can
# state), 404 an organisation or corridor that is not there, 409 a clash with what is stored
ACCOUNT_REFUSALS = [
    ("orgs", {"org_id": "acme", "name": "again", "kind": "partner"}, 409, "exists already"),
    ("orgs", {"org_id": "acme2", "name": "Acme II", "kind": "partner", "partner_code": "globex"}, 409,
     "belongs to another organisation"),
    ("orgs", {"org_id": "dea", "name": "DEA", "kind": "law_enforcement", "partner_code": "dea"}, 422, "partner_code"),
    ("orgs", {"org_id": "", "name": "nameless", "kind": "partner"}, 422, "org_id"),
    ("users", {"username": "boss", "password": PASSPHRASE, "role": "admin", "org_id": "acme"}, 409, "not admin"),
    ("users", {"username": "acme-ops", "password": PASSPHRASE, "role": "partner", "org_id": "acme"}, 409,
     "exists already"),
    ("users", {"username": "nobody", "password": PASSPHRASE, "role": "partner", "org_id": "no-such-org"}, 404,
     "no organisation"),
    ("users", {"username": "nobody", "password": PASSPHRASE, "role": "partner", "org_id": ""}, 422, "org_id"),
    ("users", {"username": "weak", "password": "aaaaaaaaaaaa", "role": "partner", "org_id": "acme"}, 422,
     "distinct characters"),
    ("keys", {"org_id": "no-such-org", "role": "partner", "name": "edi"}, 404, "no organisation"),
    ("keys", {"org_id": "", "role": "partner", "name": "edi"}, 422, "org_id"),
    ("keys", {"org_id": "acme", "role": "analyst", "name": "edi"}, 409, "not analyst"),
    ("grants", {"org_id": "sd-task-force", "corridor": "atlantis"}, 404, "unknown corridor"),
    ("grants", {"org_id": "no-such-org", "corridor": "portland"}, 404, "no organisation"),
]


@pytest.mark.parametrize(("what", "body", "status", "words"), ACCOUNT_REFUSALS)
def test_account_requests_that_cannot_be_carried_out(svc: Svc, what: str, body: dict[str, str], status: int,
                                                     words: str) -> None:
    r = svc.client.post(f"/api/v1/admin/{what}", headers=svc.h("admin"), json=body)
    assert r.status_code == status and words in r.text, r.text
    assert r.json()["error"]["status"] == status


def test_watchlist_import_makes_a_version(svc: Svc) -> None:
    csv = "name,country,programs\nHEBEI EXAMPLE TRADING CO LTD,CN,LOOKOUT\n"
    r = svc.client.post("/api/v1/admin/watchlists?list_id=team-lookout&format=custom", content=csv,
                        headers={**svc.h("admin"), "content-type": "text/csv"})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["entries"] == 1
    versions = svc.client.get("/api/v1/watchlists", headers=svc.h("admin")).json()["results"]
    assert any(v["list_id"] == "team-lookout" for v in versions)


def test_a_list_that_cannot_be_read_is_named_as_the_upload_never_by_a_server_path(svc: Svc) -> None:
    r = svc.client.post("/api/v1/admin/watchlists?list_id=team-lookout&format=custom", content="0\n",
                        headers={**svc.h("admin"), "content-type": "text/csv"})
    assert r.status_code == 422 and "the uploaded list" in r.json()["error"]["message"], r.text
    assert tempfile.gettempdir() not in r.text and "team-lookout.csv" not in r.text


def test_an_imported_list_records_no_server_path(svc: Svc) -> None:
    csv = "name,country,programs\nHEBEI EXAMPLE TRADING CO LTD,CN,LOOKOUT\n"
    r = svc.client.post("/api/v1/admin/watchlists?list_id=team-lookout&format=custom", content=csv,
                        headers={**svc.h("admin"), "content-type": "text/csv"})
    assert r.status_code == 201, r.text
    listed = svc.client.get("/api/v1/watchlists", headers=svc.h("admin")).text
    assert "team-lookout" in listed and tempfile.gettempdir() not in listed


@pytest.mark.parametrize(("text", "words"), [("[1, 2]\n", "YAML mapping"), ("{}\n", "at least one rule"),
                                             ("name: tidy\n", "at least one rule"), ("rules: [\n", "not valid YAML")])
def test_a_rule_set_without_rules_is_refused(svc: Svc, text: str, words: str) -> None:
    before = svc.client.get("/api/v1/rulesets", headers=svc.h("admin")).json()["results"]
    r = svc.client.post("/api/v1/admin/rulesets", content=text,
                        headers={**svc.h("admin"), "content-type": "application/yaml"})
    assert r.status_code == 422 and words in r.json()["error"]["message"], r.text
    assert svc.client.get("/api/v1/rulesets", headers=svc.h("admin")).json()["results"] == before
