"""A pre-notification whose window ended with no arrival is alerted by the background chores of the running
processes — once, however many run — to the authority that filed it and the corridor's law enforcement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.alerts.receiver import Receiver, wait_until
from tests.alerts.test_deliver import FAST, settings

from interdictor.alerts import DeliveryThread
from interdictor.background import ChoreThread, chores
from interdictor.service import accounts
from interdictor.service.notices import store_rows
from interdictor.service.sharing import subscribe
from interdictor.store import alerts, open_store
from interdictor.store.db import Store

NOTICE = {"exporter": "Gujarat Fine Chemicals Pvt. Ltd.", "exporter_country": "IN", "importer": "Acme Pharma Inc",
          "importer_country": "US", "goods": "npp", "quantity": 50.0, "unit": "kg", "arrival_from": date(2025, 1, 1),
          "arrival_to": date(2025, 1, 31)}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'unmatched.sqlite'}")
    with s.begin() as conn:
        accounts.ensure_authority(conn, "test")
    yield s
    s.close()


def test_two_processes_chores_alert_an_unmatched_window_once_to_the_authority_and_law_enforcement(
        store: Store, tmp_path: Path) -> None:
    rec = Receiver().start()
    with store.begin() as conn:
        accounts.create_org(conn, "in-ncb", "IN NCB", "export_authority", None, "test")
        accounts.create_org(conn, "sd-tf", "San Diego task force", "law_enforcement", None, "test")
        accounts.grant(conn, "sd-tf", "san-diego", "test")
        accounts.create_org(conn, "la-tf", "Los Angeles task force", "law_enforcement", None, "test")
        accounts.grant(conn, "la-tf", "los-angeles", "test")
        for org in ("in-ncb", "sd-tf", "la-tf"):
            subscribe(conn, "test", org_id=org, url=rec.url(f"/{org}"), email=None, events=["notification.unmatched"],
                      secret="s" * 20)
        store_rows(conn, "in-ncb", [{**NOTICE, "reference": "SAN-1", "port": "SAN"},
                                    {**NOTICE, "reference": "LATER", "port": "SAN", "arrival_to": date(2999, 1, 1)}],
                   "test", "test")
    s = settings(tmp_path)
    other = open_store(store.url)  # a second process on the same database
    deliverer = DeliveryThread(store, s, FAST)
    threads = [ChoreThread(chores(st, s, on_emit=deliverer.wake)) for st in (store, other)]
    deliverer.start()
    for t in threads:
        t.start()
    try:
        assert wait_until(lambda: len(rec.on("/in-ncb")) >= 1 and len(rec.on("/sd-tf")) >= 1, timeout=20.0)
        wait_until(lambda: False, timeout=1.0)  # a second alert, were one raised, would arrive now
    finally:
        for t in threads:
            t.stop()
        deliverer.stop()
        rec.stop()
        other.close()
    for org in ("in-ncb", "sd-tf"):
        got = rec.on(f"/{org}")
        assert len(got) == 1, org
        assert got[0].json["event"] == "notification.unmatched"
        assert got[0].json["data"]["notification"]["reference"] == "SAN-1"
    assert rec.on("/la-tf") == []  # another corridor's law enforcement hears nothing
    with store.connect() as conn:
        assert alerts.counts(conn) == {"delivered": 2}
