"""Backtracking on the graph: cycles end, a node with 100,000 edges is reached but not crossed (and said)."""

from __future__ import annotations

import time

import polars as pl

from interdictor.network import NetworkConfig
from interdictor.network.graph import backtrack, build

NO_HUBS = pl.DataFrame(schema={"kind": pl.String, "value": pl.String, "names": pl.Int64})


def graph_of(parties: list[tuple[str, str, str, str]], uses: list[tuple[str, str, str]], cfg: NetworkConfig):  # type: ignore[no-untyped-def]
    p = pl.DataFrame([("p", s, role, a, a, None) for s, role, a, _ in parties],
                     schema=dict.fromkeys(["partner", "shipment_id", "party", "actor_id", "name", "evidence"],
                                          pl.String), orient="row")
    u = pl.DataFrame([(a, k, v, v) for a, k, v in uses], schema=dict.fromkeys(["actor_id", "kind", "value", "shown"],
                                                                         pl.String), orient="row")
    return build(p, u, NO_HUBS, cfg)


def test_a_cycle_gives_each_shipment_once() -> None:
    # S0 -A- S1 -B- S2 -C- S0: a ring of three shipments, two actors each
    ring = [("S0", "shipper", "A", ""), ("S1", "consignee", "A", ""), ("S1", "shipper", "B", ""),
            ("S2", "consignee", "B", ""), ("S2", "shipper", "C", ""), ("S0", "consignee", "C", "")]
    found = backtrack(graph_of(ring, [], NetworkConfig()), "p", "S0", 5)
    assert sorted(found.links["shipment_id"].to_list()) == ["S1", "S2"]
    assert found.links["hops"].to_list() == [1, 1]


def test_a_node_with_100000_edges_is_not_crossed() -> None:
    big = [(f"X{i}", "consignee", "BIG", "") for i in range(100_000)]
    rows = [("S0", "consignee", "BIG", ""), ("S0", "shipper", "A", ""), ("S1", "shipper", "A", ""), *big]
    graph = graph_of(rows, [("A", "phone", "123")], NetworkConfig(max_fanout=1_000))
    t0 = time.perf_counter()
    found = backtrack(graph, "p", "S0", 3, NetworkConfig(max_fanout=1_000))
    assert time.perf_counter() - t0 < 2
    assert found.links["shipment_id"].to_list() == ["S1"]
    assert any("100001 links, not followed" in s for s in found.skipped)


def test_a_crowded_node_is_placed_beside_the_shipment_whose_path_reaches_it() -> None:
    # S0 -A- S1 -BIG(31 links)-; S0 -HUB(31 links)-: each crowded node beside the nearest shipment before it
    big = [(f"X{i}", "consignee", "BIG", "") for i in range(30)]
    hub = [(f"Y{i}", "notify", "HUB", "") for i in range(30)]
    rows = [("S0", "shipper", "A", ""), ("S1", "shipper", "A", ""), ("S1", "consignee", "BIG", ""),
            ("S0", "notify", "HUB", ""), *big, *hub]
    cfg = NetworkConfig(max_fanout=20)
    found = backtrack(graph_of(rows, [], cfg), "p", "S0", 2, cfg)
    assert found.links["shipment_id"].to_list() == ["S1"]
    assert sorted((h.kind, h.label, h.size, h.near) for h in found.hubs) == [
        ("crowded", "BIG", 31, ("p", "S1")), ("crowded", "HUB", 31, ("p", "S0"))]
    assert sorted(found.skipped) == sorted(h.text for h in found.hubs)
