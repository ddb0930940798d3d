"""Decisions and outcomes as stored (``store/decisions.py``): the pick kind, and one exam's outcome once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, select

from interdictor.store import open_store
from interdictor.store import schema_service as sv
from interdictor.store.decisions import add_decision, add_outcome, has_outcome

SHIP = {"partner": "acme", "shipment_id": "S1", "version": 1}


def test_an_exams_outcome_is_found_again_whatever_zone_its_time_is_written_in(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.begin() as conn:
            west = timezone(timedelta(hours=-2))
            add_outcome(conn, "test", SHIP, 1, result="seized", what="pills", quantity=None, unit=None, agency=None,
                        note=None, examined_at=datetime(2026, 11, 27, 23, 30, tzinfo=west))
            at = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)  # the same instant
            assert has_outcome(conn, "acme", "S1", result="seized", examined_at=at)
            assert not has_outcome(conn, "acme", "S1", result="nothing_found", examined_at=at)
            assert not has_outcome(conn, "acme", "S1", result="seized", examined_at=at + timedelta(minutes=1))
            assert not has_outcome(conn, "globex", "S1", result="seized", examined_at=at)
    finally:
        store.close()


@pytest.mark.parametrize(("kind", "exploration"), [("exploit", False), ("explore_random", True), ("manual", False),
                                                   ("imported", False), ("explore_uncertain", True)])
def test_a_decision_keeps_its_pick_kind_and_the_exploration_flag_follows(conn: Connection, kind: str,
                                                                          exploration: bool) -> None:
    did = add_decision(conn, "test", SHIP, None, decision="exam", reason="r", answer="hold_for_screening",
                       pick_kind=kind)
    row = conn.execute(select(sv.decisions).where(sv.decisions.c.id == did)).mappings().one()
    assert (row["pick_kind"], row["exploration"]) == (kind, exploration)


def test_a_pick_kind_not_known_is_refused(conn: Connection) -> None:
    with pytest.raises(ValueError, match="pick_kind"):
        add_decision(conn, "test", SHIP, None, decision="exam", reason="r", answer="hold_for_screening",
                     pick_kind="hunch")
