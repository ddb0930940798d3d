"""Risk model versions through the service: listed, trained, activated and deactivated by the API, and a
model activated anywhere (another process, ``interdictor models activate``) screens the service's next
submission without a restart — every run records the model version it used."""

from __future__ import annotations

import json

from sqlalchemy import select
from tests.learn.test_loop import planted

from interdictor.learn.loop import train_model
from interdictor.store import models, open_store
from interdictor.store import schema as core

from .conftest import SAMPLE, Svc, renamed


def last_run_model(svc: Svc) -> str:
    st = svc.app.state.svc
    with st.store.connect() as conn:
        versions = conn.execute(select(core.ingest_runs.c.versions)
                                .order_by(core.ingest_runs.c.started_at.desc()).limit(1)).scalar_one()
    return str(json.loads(versions)["model"])


def test_a_model_activated_elsewhere_screens_the_next_submission(svc: Svc) -> None:
    st = svc.app.state.svc
    assert last_run_model(svc) == "none"
    other = open_store(st.settings.resolved_database_url())  # another process: `interdictor learn`, `models activate`
    try:
        with other.begin() as conn:
            version = models.add_model(conn, "cli", train_model(planted()), active=False)
            models.activate(conn, "cli", version)
    finally:
        other.close()
    data = SAMPLE.read_bytes()
    r = svc.submit("acme", renamed(data, "M1"))
    assert r.status_code == 200, r.text
    assert last_run_model(svc) == str(version)
    assert st.screening.versions["model"] == str(version)

    off = svc.client.post("/api/v1/admin/models/deactivate", headers=svc.h("admin"))
    assert off.status_code == 200 and off.json() == {"deactivated": version}
    assert svc.submit("acme", renamed(data, "M2")).status_code == 200
    assert last_run_model(svc) == "none"

    on = svc.client.post(f"/api/v1/admin/models/{version}/activate", headers=svc.h("admin"))
    assert on.status_code == 200 and on.json() == {"active": version}
    assert svc.submit("globex", renamed(data, "M3")).status_code == 200
    assert last_run_model(svc) == str(version)
    listed = svc.client.get("/api/v1/models", headers=svc.h("analyst")).json()["results"]
    assert [(m["version"], m["active"]) for m in listed] == [(version, True)]


def test_model_operations_are_for_the_authority(svc: Svc) -> None:
    assert svc.client.get("/api/v1/models", headers=svc.h("acme")).status_code == 403
    assert svc.client.post("/api/v1/admin/models/learn", headers=svc.h("targeter")).status_code == 403
    missing = svc.client.post("/api/v1/admin/models/999/activate", headers=svc.h("admin"))
    assert missing.status_code == 404 and "no model version 999" in missing.text


def test_learn_with_no_outcome_that_found_anything_is_refused(svc: Svc) -> None:
    r = svc.client.post("/api/v1/admin/models/learn", headers=svc.h("admin"))
    assert r.status_code == 422 and "nothing to learn" in r.text
