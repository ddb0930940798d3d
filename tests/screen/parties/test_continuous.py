"""Continuous screening's pure step: recent parties against a version's new entries, minus hits raised."""

from __future__ import annotations

import polars as pl

from interdictor.reference.watchlists import read_list
from interdictor.screen.parties.continuous import PARTY_COLUMNS, new_hits

from .conftest import WATCHLIST_FIXTURES


def _parties(*rows: tuple[str, str, str]) -> pl.DataFrame:
    data = [{c: None for c in PARTY_COLUMNS} | {"partner": "p1", "shipment_id": sid, "version": 1, "party": party,
                                               "name": name, "country": "CN"} for sid, party, name in rows]
    return pl.DataFrame(data, schema={c: pl.String for c in PARTY_COLUMNS} | {"version": pl.Int64})


def test_new_hits_name_the_shipment_and_skip_what_was_raised() -> None:
    entries = [e for e in read_list(WATCHLIST_FIXTURES / "sdn.xml").entries if e.uid == "90403"]
    parties = _parties(("A1", "shipper", "Hebei Xiuna Trading Co"), ("A3", "shipper", "Lucky Toys Ltd"))
    hits = new_hits(entries, parties, "ofac-sdn", 2)
    assert [(h.partner, h.shipment_id, h.shipment_version, h.uid) for h in hits] == [("p1", "A1", 1, "90403")]
    assert new_hits(entries, parties, "ofac-sdn", 2, {hits[0].key}) == []
    assert new_hits([], parties, "ofac-sdn", 2) == [] and new_hits(entries, parties.clear(), "ofac-sdn", 2) == []
