"""``interdictor worker`` runs the background chores by itself: a pre-notification whose window ended is
closed as unmatched and alerted at the worker's start (NATS on 127.0.0.1:4222; skipped, saying so, without it)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import date
from pathlib import Path

import pytest
from tests.stream.test_worker_faults import NATS_URL, _cleanup, _nats_reason

from interdictor.screening import assemble
from interdictor.service import accounts
from interdictor.service.notices import store_rows
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.events import events
from interdictor.store.notices import listed
from interdictor.stream.worker import run_worker

pytestmark = pytest.mark.nats


def test_the_worker_closes_ended_windows_at_start(tmp_path: Path) -> None:
    if reason := _nats_reason():
        pytest.skip(reason)
    ns = f"t{uuid.uuid4().hex[:10]}"
    settings = Settings(data_dir=tmp_path, secret_key="w" * 48, database_url=f"sqlite:///{tmp_path / 'w.sqlite'}",
                        nats_url=NATS_URL, stream_namespace=ns)
    store = open_store(settings.resolved_database_url())
    with store.begin() as conn:
        accounts.ensure_authority(conn, "test")
        accounts.create_org(conn, "in-ncb", "IN NCB", "export_authority", None, "test")
        store_rows(conn, "in-ncb", [{"reference": "ENDED", "exporter": "Gujarat Fine Chemicals", "exporter_country": "IN",
                                     "importer": "Acme Pharma Inc", "importer_country": "US", "goods": "npp",
                                     "quantity": 50.0, "unit": "kg", "arrival_from": date(2025, 1, 1),
                                     "arrival_to": date(2025, 1, 31), "port": "SAN"}], "test", "test")
    try:
        asyncio.run(run_worker(settings, idle_exit=2.0, store=store, deliver=False,
                               screening=assemble(settings.model_copy(update={"detectors": "route"}))))
        with store.connect() as conn:
            assert [n["status"] for n in listed(conn, "in-ncb")] == ["unmatched"]
            raised = events(conn, event="notification.unmatched")
        assert len(raised) == 1 and raised[0]["corridor"] == "san-diego"
    finally:
        store.close()
        with contextlib.suppress(Exception):
            asyncio.run(_cleanup(ns))
