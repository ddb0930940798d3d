"""The assembly's one order of precedence: an explicit setting, then the store's active version, then what ships."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.reference import data_path
from interdictor.reference.corridors import load_corridors
from interdictor.score.rules import dump_ruleset, load_ruleset
from interdictor.screening import AssemblyError, ScreenRun, assemble
from interdictor.screening.assembly import choose_corridors, choose_ruleset
from interdictor.settings import Settings
from interdictor.store import config, open_store
from interdictor.store.db import Store

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"
LIGHT = Settings(detectors="route,consistency")


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    yield s
    s.close()


STORED = f"default-v{load_ruleset().version + 1}"  # a stored version follows the highest shipped one


def activate_v2(store: Store) -> None:
    with store.begin() as conn:
        rs = config.add_ruleset(conn, dump_ruleset(load_ruleset()), "test")
        config.activate_ruleset(conn, rs.name, rs.version, "test")


def test_the_shipped_rule_set_when_nothing_else_is_named(store: Store) -> None:
    with store.connect() as conn:
        assert choose_ruleset(conn, LIGHT).label == load_ruleset().label
    assert choose_ruleset(None, LIGHT).label == load_ruleset().label


def test_the_store_s_active_version_beats_the_shipped_one(store: Store) -> None:
    activate_v2(store)
    with store.connect() as conn:
        assert choose_ruleset(conn, LIGHT).label == STORED


def test_a_named_rule_set_beats_the_store_s_active_version(store: Store) -> None:
    activate_v2(store)
    named = LIGHT.model_copy(update={"ruleset": "default", "ruleset_version": 1})
    with store.connect() as conn:
        assert choose_ruleset(conn, named).label == "default-v1"
        latest = LIGHT.model_copy(update={"ruleset": "default"})
        assert choose_ruleset(conn, latest).label == STORED  # the named set's highest known version


def test_a_corridors_file_beats_the_store_s_overrides(store: Store, tmp_path: Path) -> None:
    with store.begin() as conn:
        config.set_corridor(conn, "san-diego", {"thresholds": {"review": 20.0}}, "test")
    with store.connect() as conn:
        assert choose_corridors(conn, LIGHT).get("san-diego").thresholds.review == 20.0
        shipped = load_corridors()
        own = tmp_path / "corridors.yaml"
        own.write_text(data_path("corridors.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        named = LIGHT.model_copy(update={"corridors_file": own})
        assert choose_corridors(conn, named).get("san-diego").thresholds == shipped.get("san-diego").thresholds


def test_an_unknown_detector_is_an_error_naming_the_available_ones() -> None:
    with pytest.raises(AssemblyError, match=r"unknown detector\(s\) roots; available: route, consistency"):
        assemble(Settings(detectors="route,roots"))


def test_the_history_a_context_was_built_from_is_recorded(store: Store) -> None:
    first = assemble(LIGHT, store)
    assert first.versions["history"] == "none"
    with ScreenRun(first, store=store, partner="acme", source="m.csv") as run:
        for chunk in read_manifest_csv(io.BytesIO(SAMPLE.read_bytes()), ReadOptions(source_name="m.csv")):
            run.add(chunk)
        run.finish()
    later = assemble(LIGHT, store)
    assert run.summary.run_id in later.versions["history"]


def test_whole_number_thresholds_from_the_store_screen_like_decimals(store: Store) -> None:
    with store.begin() as conn:
        config.set_corridor(conn, "san-diego", {"thresholds": {"review": 10, "exam": 50}}, "test")
    screening = assemble(LIGHT, store)
    assert screening.corridors.get("san-diego").thresholds.review == 10.0
    with ScreenRun(screening, partner="acme", source="m.csv") as run:  # no store: the pass alone
        for chunk in read_manifest_csv(io.BytesIO(SAMPLE.read_bytes()), ReadOptions(source_name="m.csv")):
            run.add(chunk)
        ranked = run.finish()
    assert ranked.height > 0


def test_refresh_model_follows_the_store_s_active_model_and_costs_nothing_when_unchanged(store: Store) -> None:
    from tests.learn.test_loop import planted

    from interdictor.learn.loop import train_model
    from interdictor.screening.assembly import refresh_model
    from interdictor.store import models

    settings = Settings(detectors="route,consistency")
    screening = assemble(settings, store)
    assert refresh_model(screening, store, settings) is screening  # nothing changed: the same state
    with store.begin() as conn:
        version = models.add_model(conn, "cli", train_model(planted()), active=True)
    on = refresh_model(screening, store, settings)
    assert on.versions["model"] == str(version) and on.ctx.part("model") is not None
    assert on.ruleset is screening.ruleset  # only the model is read again
    assert refresh_model(on, store, settings) is on
    with store.begin() as conn:
        models.deactivate(conn, "cli")
    off = refresh_model(on, store, settings)
    assert off.versions["model"] == "none" and off.ctx.part("model") is None
    pinned = settings.model_copy(update={"model": "off"})  # a model the settings name stays as named
    with store.begin() as conn:
        models.activate(conn, "cli", version)
    assert refresh_model(off, store, pinned) is off
