"""Communities: connected groups of actors, a crowded node joins no one, seizures are counted; the
FollowTheMoney export is well-formed (real schemata, list values, every reference resolves)."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from interdictor.network import NetworkConfig
from interdictor.network.communities import ftm_entities, labels_of, summarise, top
from interdictor.network.graph import build

NO_HUBS = pl.DataFrame(schema={"kind": pl.String, "value": pl.String, "names": pl.Int64})
SCHEMATA = {"Company", "LegalEntity", "Address", "UnknownLink"}  # FollowTheMoney's own names
ENTITY_REFS = {"subject", "object", "addressEntity"}


def network(cfg: NetworkConfig):  # type: ignore[no-untyped-def]
    # ring: S1 (X → P), S2 (X → Q), Q shares a phone with R, S3 (Y → R): X, P, Q, R, Y one community;
    # pair: S4 (Z → W); crowd: BIG receives from 30 shippers, which it must not glue together
    parties = [("S1", "shipper", "X", "XINYU CHEMICAL CO LTD"), ("S1", "consignee", "P", "JOHN MILLER"),
               ("S2", "shipper", "X", "XINYU CHEMICAL CO LTD"), ("S2", "consignee", "Q", "PEDRO RUIZ"),
               ("S3", "shipper", "Y", "GREEN LEAF"), ("S3", "consignee", "R", "P RUIZ"),
               ("S4", "shipper", "Z", "ZED"), ("S4", "consignee", "W", "WES"),
               *[(f"B{i}", "shipper", f"SELLER{i}", f"SELLER {i}") for i in range(30)],
               *[(f"B{i}", "consignee", "BIG", "BIG WAREHOUSE") for i in range(30)]]
    p = pl.DataFrame([("acme" if s < "S3" else "bolt", s, role, a, name, None) for s, role, a, name in parties],
                     schema=dict.fromkeys(["partner", "shipment_id", "party", "actor_id", "name", "evidence"],
                                          pl.String), orient="row")
    u = pl.DataFrame([("Q", "phone", "6195550101", "+16195550101"), ("R", "phone", "6195550101", "+16195550101"),
                      ("P", "address", "12 elm st|92154", "12 ELM ST, 92154, US")],
                     schema=dict.fromkeys(["actor_id", "kind", "value", "shown"], pl.String), orient="row")
    return build(p, u, NO_HUBS, cfg)


SEEN = pl.DataFrame({"partner": ["acme", "acme", "bolt"], "shipment_id": ["S1", "S2", "S3"],
                     "seen": [datetime(2026, 11, 20), datetime(2026, 11, 22), datetime(2026, 11, 25)]})
MARKS = pl.DataFrame({"partner": ["acme"], "shipment_id": ["S1"], "result": ["seized"], "when": ["2026-11-21"]})


def test_groups_sizes_seizures_and_dates() -> None:
    cfg = NetworkConfig(max_fanout=20, busy_counterparties=100)  # the crowded node alone keeps the warehouse apart
    graph = network(cfg)
    summary = summarise(graph, labels_of(graph, cfg), SEEN, MARKS)
    ring = summary.filter(pl.col("actors") == 5).row(0, named=True)
    assert (ring["shipments"], ring["partners"], ring["seizures"], ring["last_seizure"]) == (3, 2, 1, "2026-11-21")
    assert (str(ring["first_seen"]), str(ring["last_seen"])) == ("2026-11-20", "2026-11-25")
    assert ring["members"].split("; ")[0] == "XINYU CHEMICAL CO LTD"  # the most linked first
    # the crowded warehouse (30 links > 20) ties none of its sellers together: no community holds two sellers
    assert summary["actors"].max() == 5 and summary.height == 2
    assert top(summary, "risk", 1)["community"][0] == ring["community"]


def test_without_a_fanout_or_counterparty_cap_the_warehouse_is_one_community() -> None:
    cfg = NetworkConfig(busy_counterparties=100)  # the same traffic, nothing crowded or busy: BIG and its 30 sellers meet
    summary = summarise(network(cfg), labels_of(network(cfg), cfg), SEEN, MARKS)
    assert summary["actors"].max() == 31
    cfg = NetworkConfig()  # BIG trades with 30 distinct sellers (10 make an actor busy): it joins no one
    graph = network(cfg)
    assert summarise(graph, labels_of(graph, cfg), SEEN, MARKS)["actors"].to_list() == [5, 2]


def test_a_ring_is_its_own_community_and_a_busy_shop_glues_no_one() -> None:
    # the ring: X ships to P and Q, Q shares a phone with R, Y ships to R.  A shop sends one parcel to each of
    # 30 customers (30 edges: not crowded); two customers also buy from a small seller each (V, U), and one
    # (C0) from the ring's X.  The shop trades with 30 distinct counterparties: it is busy, and crosses no one;
    # the ring's X trades with 3 (P, Q, C0) and the ring holds together
    ring = [("S1", "X", "P"), ("S2", "X", "Q"), ("S3", "Y", "R"), ("S4", "X", "C0")]
    shop = [(f"H{i}", "SHOP", f"C{i}") for i in range(30)]
    others = [("T1", "V", "C1"), ("T2", "U", "C2")]
    parties = [(s, role, a, a) for s, shipper, consignee in ring + shop + others
               for role, a in (("shipper", shipper), ("consignee", consignee))]
    p = pl.DataFrame([("acme", s, role, a, name, None) for s, role, a, name in parties],
                     schema=dict.fromkeys(["partner", "shipment_id", "party", "actor_id", "name", "evidence"],
                                          pl.String), orient="row")
    u = pl.DataFrame([("Q", "phone", "6195550101", "+16195550101"), ("R", "phone", "6195550101", "+16195550101")],
                     schema=dict.fromkeys(["actor_id", "kind", "value", "shown"], pl.String), orient="row")
    cfg = NetworkConfig()
    graph = build(p, u, NO_HUBS, cfg)
    labels = labels_of(graph, cfg)
    actors = graph.nodes.with_columns(pl.Series("c", labels)).filter(pl.col("kind") == "actor")
    groups = sorted(sorted(g) for g in actors.group_by("c").agg("key")["key"].to_list() if len(g) > 1)
    assert groups == [["C0", "P", "Q", "R", "X", "Y"], ["C1", "V"], ["C2", "U"]]
    summary = summarise(graph, labels, SEEN.clear(), MARKS.clear())
    assert summary["actors"].to_list() == [6, 2, 2]
    # counted without the counterparty measure, the shop makes one community of the ring and its customers
    loose = NetworkConfig(busy_counterparties=31)
    assert summarise(graph, labels_of(graph, loose), SEEN.clear(), MARKS.clear())["actors"].to_list() == [38]


def test_ftm_entities_are_well_formed() -> None:
    cfg = NetworkConfig(max_fanout=20)
    graph = network(cfg)
    labels = labels_of(graph, cfg)
    summary = summarise(graph, labels, SEEN, MARKS)
    entities = list(ftm_entities(graph, labels, top(summary, "risk", 1), SEEN, MARKS))
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for e in entities:
        assert set(e) == {"id", "schema", "properties"} and e["schema"] in SCHEMATA
        for prop, values in e["properties"].items():
            assert isinstance(values, list) and values and all(isinstance(v, str) for v in values), (prop, values)
            if prop in ENTITY_REFS:
                assert set(values) <= ids, prop
    by_schema = {s: [e for e in entities if e["schema"] == s] for s in SCHEMATA}
    assert [e["properties"]["name"] for e in by_schema["Company"]] == [["XINYU CHEMICAL CO LTD"]]
    assert len(by_schema["LegalEntity"]) == 4 and len(by_schema["Address"]) == 1
    phones = [e["properties"].get("phone") for e in by_schema["LegalEntity"]]
    assert phones.count(["+16195550101"]) == 2
    seized = [e for e in by_schema["UnknownLink"] if "status" in e["properties"]]
    assert len(seized) == 1 and seized[0]["properties"]["status"] == ["seized 2026-11-21"]
    assert seized[0]["properties"]["recordId"] == ["acme/S1"]
    assert len(by_schema["UnknownLink"]) == 3  # X→P, X→Q, Y→R: the pair Z→W is another community
