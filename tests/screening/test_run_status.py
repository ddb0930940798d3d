"""A run that does not finish says so: ``failed`` with the error, or ``interrupted`` when its process died."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store, repo
from interdictor.store import schema as t
from interdictor.store.db import Store

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"
LIGHT = Settings(detectors="route,consistency")


def screen_sample(run: ScreenRun) -> None:
    for chunk in read_manifest_csv(io.BytesIO(SAMPLE.read_bytes()), ReadOptions(source_name="m.csv")):
        run.add(chunk)
    run.finish()


def runs_of(store: Store, run: ScreenRun) -> list[dict[str, Any]]:
    """What ``interdictor runs`` lists for this run."""
    with store.connect() as conn:
        return [r for r in repo.recent_runs(conn) if r["run_id"] == run.summary.run_id]


def test_a_run_that_fails_while_storing_is_marked_failed_with_its_error(store_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(store_url)
    try:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(repo.ChunkRows, "write", broken)
        with pytest.raises(RuntimeError, match="disk full"), ScreenRun(assemble(LIGHT, store), store=store,
                                                                        partner="acme", source="m.csv") as run:
            screen_sample(run)
        mine = runs_of(store, run)
    finally:
        store.close()
    assert [(r["status"], r["error"]) for r in mine] == [("failed", "RuntimeError: disk full")]


def test_a_finished_run_is_done_and_stays_done(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with ScreenRun(assemble(LIGHT, store), store=store, partner="acme", source="m.csv") as run:
            screen_sample(run)
        mine = runs_of(store, run)
    finally:
        store.close()
    ids = {line.split(",", 1)[0] for line in SAMPLE.read_text().splitlines()[1:]}
    assert [(r["status"], r["shipments"], r["error"]) for r in mine] == [("done", len(ids), None)]


def test_a_run_whose_process_died_is_interrupted_and_a_live_one_keeps_running(store_url: str) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead_pid = int(gone.stdout)
    host = socket.gethostname()
    store = open_store(store_url)
    try:
        with store.begin() as conn:
            for run_id, owner in ((f"dead-{dead_pid}", f"{host}:{dead_pid}"), (f"live-{dead_pid}", repo.owner())):
                conn.execute(insert(t.ingest_runs).values(run_id=run_id, partner="acme", source="x.csv",
                                                          started_at=datetime.now(UTC), status="running", owner=owner))
        with store.begin() as conn:
            status = {r["run_id"]: r["status"] for r in repo.recent_runs(conn, 1000)}
    finally:
        store.close()
    assert status[f"dead-{dead_pid}"] == "interrupted"
    assert status[f"live-{dead_pid}"] == "running"
