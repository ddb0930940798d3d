"""The learned set refreshed in the background (SQLite): due only after the interval and enough new
shipments, stored once when two processes learn at once, and picked up by a running screening assembly
at its next batch with one small query when nothing changed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.store.test_learned import _assess, _ship

from interdictor.background import refresh_if_due
from interdictor.background.profiles import due
from interdictor.screening import assemble
from interdictor.screening.assembly import refresh, refresh_learned
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.db import Store
from interdictor.store.learned import list_sets


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'bg.sqlite'}")
    yield s  # type: ignore[misc]
    s.close()


def settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="k" * 48, profiles_refresh_min_shipments=20, **kw)  # type: ignore[arg-type]


def ship(store: Store, prefix: str, n: int, when: datetime | None = None) -> None:
    with store.begin() as conn:
        for i in range(n):
            _ship(conn, f"{prefix}{i}", [("wireless earbuds", "851830", 0.4, 24.0, 1.0)], when=when)


def test_a_set_is_learned_only_when_enough_shipments_came_and_the_last_is_old_enough(store: Store,
                                                                                    tmp_path: Path) -> None:
    s = settings(tmp_path)
    ship(store, "A", 19)
    assert refresh_if_due(store, s) is None  # 19 shipments: fewer than the 20 asked
    ship(store, "B", 1)
    assert refresh_if_due(store, s) == 1
    ship(store, "C", 30)
    assert refresh_if_due(store, s) is None  # plenty of shipments, but the set is not a day old
    later = datetime.now(UTC) + timedelta(hours=25)
    assert refresh_if_due(store, s, later) == 2  # a day on: the 30 since the last set are enough
    assert refresh_if_due(store, s, later + timedelta(hours=25)) is None  # nothing stored since set 2
    assert due(store, settings(tmp_path, profiles_refresh_hours=0), later)[0] is False  # 0: never
    with store.connect() as conn:
        sets = list_sets(conn)
    assert [r["version"] for r in sets] == [2, 1] and {r["created_by"] for r in sets} == {"background"}
    assert sets[0]["lines"] == 50 and sets[1]["lines"] == 20


def test_two_processes_due_at_once_store_one_set(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.sqlite'}"
    stores = [open_store(url), open_store(url)]
    ship(stores[0], "R", 40)
    gate = threading.Barrier(2)
    got: list[int | None] = [None, None]

    def run(i: int) -> None:
        gate.wait()
        got[i] = refresh_if_due(stores[i], settings(tmp_path))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with stores[0].connect() as conn:
        sets = list_sets(conn)
    for s in stores:
        s.close()
    assert sorted(got, key=str) == [1, None] and [r["version"] for r in sets] == [1]


def test_a_running_assembly_picks_up_a_new_set_at_its_next_batch(store: Store, tmp_path: Path) -> None:
    s = settings(tmp_path, detectors="goods")
    screening = assemble(s, store)
    assert screening.learned is None and screening.versions["profiles"] == "prior"
    assert refresh_learned(screening, store) is screening  # nothing learned: the same state, nothing reloaded
    ship(store, "P", 40)
    assert refresh_if_due(store, s) == 1
    fresh = refresh(screening, store, s)
    assert fresh is not screening and fresh.learned == 1
    assert fresh.versions["profiles"] == "learned-v1"
    again = assemble(s, store)  # the refreshed state is what a new assembly reads
    assert {k: v for k, v in fresh.versions.items() if k != "history"} == {
        k: v for k, v in again.versions.items() if k != "history"}
    goods = fresh.ctx.part("goods")
    assert goods is not None and goods.profiles.version == "learned-v1"
    assert goods.registry is screening.ctx.part("goods").registry  # only the profiles were swapped
    assert refresh(fresh, store, s) is fresh  # unchanged: one query, no reload
    # a state without the goods part still takes the next set's calibrated exam thresholds
    light = assemble(settings(tmp_path, detectors="route"), store)
    assert light.learned == 1 and light.calibration.version == "none"  # set 1 calibrated no corridor
    ship(store, "Q", 520)
    with store.begin() as conn:
        for i in range(520):
            _assess(conn, f"Q{i}", float(i % 100))
    assert refresh_if_due(store, s, datetime.now(UTC) + timedelta(days=2)) == 2
    lit = refresh_learned(light, store)
    assert lit.learned == 2 and lit.calibration.version == "learned-v2" and "c" in lit.calibration.exam_at
