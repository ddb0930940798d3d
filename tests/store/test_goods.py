"""Stored goods intelligence (SQLite): registry rows replaced by key, profile lines only from current
versions, and the goods part built from them through the glue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert

from interdictor.screening.loaders import goods_part
from interdictor.store import schema as t
from interdictor.store.goods import import_registry, profile_lines, registry


def _registrant(reg: str, name: str) -> dict[str, object]:
    return {"registration": reg, "name": name, "city": None, "state": None, "country": "US",
            "activities": "import_list_i", "valid_from": date(2024, 1, 1), "valid_to": None,
            "imported_at": datetime.now(UTC), "source": "t.csv"}


def test_registry_rows_replace_earlier_ones_with_their_key(conn: Connection) -> None:
    assert import_registry(conn, "registrants", [_registrant("RA1", "Acme"), _registrant("RB2", "Beta")]) == 2
    assert import_registry(conn, "registrants", [_registrant("RA1", "Acme Chemicals")]) == 2
    names = dict(registry(conn).registrants.select("registration", "name").iter_rows())
    assert names == {"RA1": "Acme Chemicals", "RB2": "Beta"}
    assert registry(conn).transactions.is_empty()


def _shipment(conn: Connection, sid: str, version: int, current: bool, hs: str) -> None:
    conn.execute(insert(t.shipments).values(partner="p1", shipment_id=sid, version=version, run_id="r1",
                                            content_hash=f"h{version}", is_current=current,
                                            received_at=datetime.now(UTC), gross_weight_kg=10.0, pieces=2))
    conn.execute(insert(t.items).values(partner="p1", shipment_id=sid, version=version, item=1, hs_code=hs,
                                        weight_kg=10.0, value=100.0, quantity=2))


def test_profile_lines_are_current_lines_with_an_hs_code(conn: Connection) -> None:
    assert profile_lines(conn).is_empty()
    _shipment(conn, "S1", 1, False, "292429")  # superseded
    _shipment(conn, "S1", 2, True, "847930")
    _shipment(conn, "S2", 1, True, "847930")
    lines = profile_lines(conn)
    assert sorted(lines.select("shipment_id", "version").iter_rows()) == [("S1", 2), ("S2", 1)]
    assert set(lines["hs_code"]) == {"847930"}


def test_the_goods_part_carries_what_the_store_holds(conn: Connection) -> None:
    import_registry(conn, "registrants", [_registrant("RA1", "Acme")])
    part = goods_part(conn, None)
    assert part.registry.registrants["registration"].to_list() == ["RA1"]
    assert not any("not loaded" in n or "not learned" in n for n in part.notes)
