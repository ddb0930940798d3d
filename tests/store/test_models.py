"""Model versions in the store and on the command line: ``learn`` stores a version and activates it only
when it validates no worse than what screens today (``--activate`` forces it); ``models`` lists,
activates and deactivates; a model altered in the store or built for another feature set is refused
with a message and exit code 2, by the command line and by screening alike, and nothing is written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from tests.learn.test_loop import planted
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.learn import loop
from interdictor.screening import AssemblyError, assemble
from interdictor.settings import Settings
from interdictor.store import models, open_store
from interdictor.store.schema_models import model_versions


@pytest.fixture()
def db(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A store whose traffic is the planted one (what the store reads is tested end to end in tests/demo)."""
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(models, "traffic", lambda conn: planted())
    return store_url


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def versions(db: str) -> list[tuple[int, bool]]:
    store = open_store(db)
    try:
        with store.connect() as conn:
            return [(r["version"], r["active"]) for r in reversed(models.list_models(conn))]
    finally:
        store.close()


def worse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "validate", lambda *_a, **_k: loop.Validation(datetime(2026, 6, 1), 100, 3,
                                                                                0.2, 0.5, None))


def test_learn_activates_a_model_that_validates_and_models_lists_it(db: str) -> None:
    code, out = cli("learn", "--db", db)
    assert code == 0, out
    assert "model v1: active" in out and "rules alone" in out
    assert versions(db) == [(1, True)]
    code, out = cli("models", "--db", db)
    assert code == 0 and "not validated" not in out and " 1 " in out


def test_a_worse_model_is_stored_but_not_activated_unless_forced(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("learn", "--db", db)[0] == 0
    worse(monkeypatch)
    code, out = cli("learn", "--db", db)
    assert code == 0 and "not active" in out
    assert versions(db) == [(1, True), (2, False)]
    code, out = cli("learn", "--activate", "--db", db)
    assert code == 0 and "forced with --activate" in out
    assert versions(db) == [(1, False), (2, False), (3, True)]


def test_models_activate_and_deactivate(db: str) -> None:
    cli("learn", "--db", db)
    cli("learn", "--activate", "--db", db)
    assert cli("models", "activate", "1", "--db", db)[0] == 0
    assert versions(db) == [(1, True), (2, False)]
    code, out = cli("models", "deactivate", "--db", db)
    assert code == 0 and "rules alone" in out
    assert versions(db) == [(1, False), (2, False)]
    code, out = cli("models", "activate", "9", "--db", db)
    assert code == 2 and "no model version 9" in out


def test_learn_with_nothing_found_stores_nothing(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = planted()
    monkeypatch.setattr(models, "traffic", lambda conn: loop.Traffic(
        empty.shipments, empty.items, empty.parties, empty.reasons, empty.outcomes.head(0)))
    code, out = cli("learn", "--db", db)
    assert code == 2 and "nothing to learn" in out
    assert versions(db) == []


@pytest.mark.parametrize(("column", "change", "message"), [
    ("content", lambda v: v + "\n", "altered after training"),
    ("card", lambda v: v.replace(f'"{loop.FEATURE_SET}"', '"loop-0"'), "built for feature set 'loop-0'"),
])
def test_a_changed_model_is_refused_by_the_command_line_and_by_screening(db: str, column: str, change: object,
                                                                         message: str) -> None:
    cli("learn", "--db", db)
    cli("learn", "--activate", "--db", db)
    store = open_store(db)
    try:
        with store.begin() as conn:
            value = conn.execute(select(model_versions.c[column]).where(model_versions.c.version == 1)).scalar_one()
            conn.execute(update(model_versions).where(model_versions.c.version == 1)
                         .values({column: change(value)}))  # type: ignore[operator]
        code, out = cli("models", "activate", "1", "--db", db)
        assert code == 2 and message in out
        assert versions(db) == [(1, False), (2, True)]  # nothing changed
        with pytest.raises(AssemblyError, match=message):
            assemble(Settings(detectors="route", model="1"), store)
        assemble(Settings(detectors="route"), store)  # the active version still screens
        with store.connect() as conn:
            assert conn.execute(select(func.count()).select_from(model_versions)).scalar_one() == 2
    finally:
        store.close()
