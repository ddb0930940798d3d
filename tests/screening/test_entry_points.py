"""One file through the three entry points — CLI, API, stream — each on a fresh database: the same result.

All detectors run.  Each database first gets the same administrator's change — a
new rule-set version, activated — so an entry point that assembled screening its
own way (the shipped rule set instead of the store's active one, say) shows up as
a different score, disposition, reason or recorded version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from interdictor.cli import app as cli_app
from interdictor.score.rules import dump_ruleset, load_ruleset
from interdictor.screening import assemble
from interdictor.service import accounts
from interdictor.service.app import create_app
from interdictor.settings import Settings
from interdictor.store import config, open_store
from interdictor.store import schema as t
from interdictor.stream.process import Incoming, process

MANIFEST = Path(__file__).parents[1] / "fixtures" / "entry_points.csv"
PARTNER = "acme"
CHANGED = ("ROUTE_ORIGIN_CONCERN", 9.0)  # shipped weight 4


def fresh(url: str) -> str:
    """A new database whose active rule set is an administrator's version 2 (one weight changed)."""
    shipped = load_ruleset()
    text = dump_ruleset(shipped).replace(f"{CHANGED[0]}:\n    weight: {shipped.rules[CHANGED[0]].weight:g}",
                                         f"{CHANGED[0]}:\n    weight: {CHANGED[1]:g}")
    assert text != dump_ruleset(shipped)
    store = open_store(url)
    try:
        with store.begin() as conn:
            rs = config.add_ruleset(conn, text, "test")
            config.activate_ruleset(conn, rs.name, rs.version, "test")
    finally:
        store.close()
    return url


def stored(url: str) -> dict[str, Any]:
    """What a database holds of the partner's screening: assessments, reasons, recorded versions."""
    store = open_store(url, migrate=False)
    try:
        with store.connect() as conn:
            a = t.assessments.c
            assessed = {r.shipment_id: (round(r.score, 6), r.disposition, r.corridor, r.ruleset, r.ruleset_version)
                        for r in conn.execute(select(a.shipment_id, a.score, a.disposition, a.corridor, a.ruleset,
                                                     a.ruleset_version).where(a.partner == PARTNER))}
            r = t.reasons.c
            reasons = sorted((x.shipment_id, x.code, round(x.weight, 6), x.evidence, x.item, x.party)
                             for x in conn.execute(select(r.shipment_id, r.code, r.weight, r.evidence, r.item, r.party)
                                                   .where(r.partner == PARTNER)))
            versions = [json.loads(v) for (v,) in conn.execute(select(t.ingest_runs.c.versions)
                                                                .where(t.ingest_runs.c.partner == PARTNER))]
    finally:
        store.close()
    return {"assessed": assessed, "reasons": reasons, "versions": versions}


def through_cli(tmp: Path) -> str:
    url = fresh(f"sqlite:///{tmp / 'cli.sqlite'}")
    got = CliRunner().invoke(cli_app, ["screen", str(MANIFEST), "--db", url, "--partner", PARTNER,
                                       "--out", str(tmp / "ranked.csv")])
    assert got.exit_code == 3, got.output  # the fixture has one bad field, rejected and reported
    return url


def through_api(tmp: Path) -> str:
    url = fresh(f"sqlite:///{tmp / 'api.sqlite'}")
    settings = Settings(data_dir=tmp, database_url=url, secret_key="k" * 40)
    store = open_store(url)
    with store.begin() as conn:
        accounts.ensure_authority(conn, "test")
        accounts.create_org(conn, PARTNER, "Acme Express", "partner", None, "test")
        key = accounts.create_api_key(conn, settings.secret_key or "", PARTNER, "partner", "test", "test")
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        got = client.post("/api/v1/manifests?filename=entry_points.csv", content=MANIFEST.read_bytes(),
                          headers={"Authorization": f"Bearer {key}", "content-type": "text/csv"})
        assert got.status_code == 200, got.text
    store.close()
    return url


def through_stream(tmp: Path) -> str:
    url = fresh(f"sqlite:///{tmp / 'stream.sqlite'}")
    store = open_store(url)
    try:
        done = process(store, assemble(Settings(data_dir=tmp), store),
                       [Incoming(f"interdictor.intake.{PARTNER}.manifest-csv", MANIFEST.read_bytes())])
        assert [r.status for r in done] == ["processed"], done
    finally:
        store.close()
    return url


def test_cli_api_and_stream_screen_a_file_alike(tmp_path: Path) -> None:
    results = {name: stored(entry(tmp_path)) for name, entry in
               (("cli", through_cli), ("api", through_api), ("stream", through_stream))}
    cli = results["cli"]
    assert len(cli["assessed"]) == 6 and {d for _, d, *_ in cli["assessed"].values()} >= {"hold", "clear"}
    assert any(code == "DATA_FIELD_REJECTED" for _, code, *_ in cli["reasons"])
    assert cli["versions"] and {"ruleset", "corridors", "goods", "parties"} <= set(cli["versions"][0])
    stored_label = f"default-v{load_ruleset().version + 1}"  # a stored version follows the highest shipped one
    assert cli["versions"][0]["ruleset"] == stored_label  # the store's active version, not the shipped one
    assert {(rs, v) for *_, rs, v in cli["assessed"].values()} == {("default", load_ruleset().version + 1)}
    assert CHANGED[1] in {w for _, code, w, *_ in cli["reasons"] if code == CHANGED[0]}
    for name in ("api", "stream"):
        assert results[name]["assessed"] == cli["assessed"], name
        assert results[name]["reasons"] == cli["reasons"], name
        assert results[name]["versions"] == cli["versions"], name
