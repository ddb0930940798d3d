"""Stored goods intelligence (SQLite): registry rows replaced by key, and the goods part built from them
through the glue."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection

from interdictor.screening.loaders import goods_part
from interdictor.store.goods import import_registry, registry


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


def test_the_goods_part_carries_what_the_store_holds(conn: Connection) -> None:
    import_registry(conn, "registrants", [_registrant("RA1", "Acme")])
    part = goods_part(conn, None)
    assert part.registry.registrants["registration"].to_list() == ["RA1"]
    assert not any("not loaded" in n or "not learned" in n for n in part.notes)
