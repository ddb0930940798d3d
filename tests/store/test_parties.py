"""Stored party intelligence (SQLite): dismissals, history aggregates, actor links, and continuous
screening through the glue that reads the store and runs the pure screen."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, text

from interdictor.reference.watchlists import read_list
from interdictor.screen.parties.dismissals import DismissalError, PartyRef
from interdictor.screening.loaders import parties_part, rescreen
from interdictor.store import schema as t
from interdictor.store.parties import dismiss, dismissals, record_links, revoke
from interdictor.store.watchlists import save_version

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "watchlists" / "fixtures"


def add_shipment(conn: Connection, sid: str, shipper: str, consignee: str = "Rosa Diaz") -> None:
    now = datetime.now(UTC)
    conn.execute(
        insert(t.shipments).values(
            partner="p1",
            shipment_id=sid,
            version=1,
            run_id="r1",
            content_hash="h",
            is_current=True,
            received_at=now,
        )
    )
    conn.execute(
        insert(t.parties).values(
            partner="p1", shipment_id=sid, version=1, party="shipper", name=shipper, country="CN"
        )
    )
    conn.execute(
        insert(t.parties).values(
            partner="p1",
            shipment_id=sid,
            version=1,
            party="consignee",
            name=consignee,
            postal_code="92154",
            country="US",
        )
    )


def test_dismissal_is_audited_and_loaded(conn: Connection) -> None:
    save_version(conn, read_list(FIXTURES / "official" / "SDN.CSV"))
    with pytest.raises(DismissalError):
        dismiss(conn, PartyRef("Changgen Du"), "ofac-sdn", "90401", "  ", "analyst")
    with pytest.raises(DismissalError, match="no current entry"):
        dismiss(conn, PartyRef("Changgen Du"), "ofac-sdn", "nope", "different DOB", "analyst")
    n = dismiss(conn, PartyRef("Changgen Du"), "ofac-sdn", "90401", "born 1990, a student in Ohio", "analyst")
    part = parties_part(conn, None)
    assert any(d[1:3] == ("ofac-sdn", "90401") for d in part.dismissed)
    revoke(conn, n, "supervisor", "wrong person dismissed")
    assert not dismissals(conn) and len(dismissals(conn, active_only=False)) == 1
    assert parties_part(conn, None).dismissed == frozenset()
    actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_log ORDER BY id"))]
    assert "party.dismiss" in actions and "party.dismiss.revoke" in actions


def test_new_entries_rescreen_recent_shipments_only_against_them(conn: Connection) -> None:
    add_shipment(conn, "A1", "Hebei Xiuna Trading Co")
    add_shipment(conn, "A2", "Changgen Du")
    add_shipment(conn, "A3", "Lucky Toys Ltd")
    save_version(conn, read_list(FIXTURES / "official" / "SDN.CSV"))  # v1: Du Changgen among others
    v2 = save_version(conn, read_list(FIXTURES / "sdn.xml"))  # the XML adds Hebei Xiuna (90403)
    assert v2.version == 2
    hits = rescreen(conn, "ofac-sdn", 2, days=30)
    assert {(h.shipment_id, h.uid) for h in hits} == {("A1", "90403")}  # not A2: Du was not new
    assert hits[0].code == "PARTY_SANCTIONED" and "HEBEI XIUNA" in hits[0].evidence
    assert rescreen(conn, "ofac-sdn", 2, days=30) == []  # the same version never raises twice
    stored = conn.execute(text("SELECT COUNT(*) FROM watchlist_hits")).scalar()
    assert stored == 1


def test_history_aggregates(conn: Connection) -> None:
    add_shipment(conn, "B1", "Kaiyuan Trade", "Rosa Diaz")
    part = parties_part(conn, None)
    assert part.history.shipments_seen == 1 and part.history.known_consignees is not None
    assert part.history.known_consignees.len() == 1


def test_actor_links_are_kept_once(conn: Connection) -> None:
    import polars as pl

    from interdictor.screen.parties.actors import link_actors
    from interdictor.screen.parties.addresses import annotate

    rows = [
        {
            "shipment_id": f"S{i}",
            "party": "shipper",
            "name": n,
            "address": "12 Jiefang Rd",
            "postal_code": "050000",
            "country": "CN",
            "phone": None,
            "email": None,
        }
        for i, n in enumerate(["Xiamen Boyu Trading", "Xiamen Boyu Trade Co", "Boyu Trading Ltd"])
    ]
    actors, links = link_actors(annotate(pl.DataFrame(rows)))
    assert actors["actor_id"].n_unique() == 1 and len(links) == 3
    assert all(link.evidence for link in links)
    assert record_links(conn, links) == 3
    assert record_links(conn, links) == 0
    assert conn.execute(text("SELECT COUNT(*) FROM actors")).scalar() == 1
