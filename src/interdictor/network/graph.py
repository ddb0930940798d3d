"""The graph of shipments, actors and identifiers, and backtracking from one shipment.

Nodes are shipments, actors and identifiers (address, phone, e-mail, e-mail domain); edges are
"sent" (shipper), "received" (consignee, notify) and "uses" (actor–identifier).  "Same actor" is the
actor node itself: two shipments whose parties resolved to one actor meet there, and the variant's
evidence says which fields tied them.  Hub identifiers are left out, and a node with more than
``max_fanout`` edges is kept but not crossed, so a backtrack is bounded and says what it skipped.

rustworkx holds the graph: it builds from integer edge lists in Rust (a million shipments is a few
million edges), its BFS and Dijkstra run without a Python call per node, and it ships type stubs.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import rustworkx as rx

from interdictor.network import NetworkConfig, NetworkError

ROLE_CODES = {"shipper": 0, "consignee": 1, "notify": 2}
KIND_CODES = {"address": 3, "phone": 4, "email": 5, "domain": 6}
CODE_NAMES = {v: k for k, v in {**ROLE_CODES, **KIND_CODES}.items()}
# cost of crossing an edge: a shared address or mail domain is weaker evidence than a phone or e-mail
COST = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.5, 4: 1.0, 5: 1.0, 6: 2.5}
MAX_EDGES_PER_HOP = 4  # shipment → actor → identifier → actor → shipment


def _skey(partner: pl.Expr, shipment_id: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit("S"), partner, pl.lit("\x1f"), shipment_id])


@dataclass(frozen=True)
class Graph:
    g: rx.PyGraph  # node payload: its row in ``nodes``; edge payload: an edge code
    nodes: pl.DataFrame  # idx, key, kind (shipment, actor, identifier), label, partner, shipment_id
    parties: pl.DataFrame  # partner, shipment_id, party, actor_id, name, evidence (names as seen)
    hub_uses: pl.DataFrame  # actor_id, kind, shown, names: identifiers left out as hubs
    crowded: dict[int, int]  # node -> its edges, for nodes not crossed (more than max_fanout)
    shipments: int  # nodes 0 .. shipments-1 are the shipments

    def index(self, partner: str, shipment_id: str) -> int:
        hit = self.nodes.filter(pl.col("key") == f"S{partner}\x1f{shipment_id}")
        if hit.is_empty():
            raise NetworkError(f"no stored shipment {partner}/{shipment_id} (or it has no named party)")
        return int(hit["idx"][0])


def build(parties: pl.DataFrame, uses: pl.DataFrame, hubs: pl.DataFrame, cfg: NetworkConfig) -> Graph:
    """``parties``: partner, shipment_id, party, actor_id, name, evidence; ``uses``: actor_id, kind, value,
    shown; ``hubs``: kind, value, names (identifiers used by ``cfg.hub_names`` names or more)."""
    hub = hubs.select("kind", "value", "names")
    hub_uses = uses.join(hub, on=["kind", "value"], how="inner").select("actor_id", "kind", "shown", "names")
    uses = uses.join(hub, on=["kind", "value"], how="anti")
    first = pl.col("name").first()
    nodes = pl.concat([
        parties.select(_skey(pl.col("partner"), pl.col("shipment_id")).alias("key"),
                       pl.lit("shipment").alias("kind"), (pl.col("partner") + "/" + pl.col("shipment_id")).alias("label"),
                       "partner", "shipment_id").unique(subset=["key"], keep="first", maintain_order=True),
        parties.group_by("actor_id", maintain_order=True).agg(first).select(
            pl.col("actor_id").alias("key"), pl.lit("actor").alias("kind"), pl.col("name").alias("label"),
            pl.lit(None, pl.String).alias("partner"), pl.lit(None, pl.String).alias("shipment_id")),
        uses.select((pl.col("kind") + ":" + pl.col("value")).alias("key"), pl.lit("identifier").alias("kind"),
                    (pl.col("kind") + " " + pl.col("shown")).alias("label"), pl.lit(None, pl.String).alias("partner"),
                    pl.lit(None, pl.String).alias("shipment_id")).unique(subset=["key"], keep="first",
                                                                         maintain_order=True),
    ]).with_row_index("idx")
    ix = nodes.select("key", pl.col("idx").cast(pl.Int64))
    edges = pl.concat([
        parties.select(_skey(pl.col("partner"), pl.col("shipment_id")).alias("a"), pl.col("actor_id").alias("b"),
                       pl.col("party").replace_strict(ROLE_CODES, default=2, return_dtype=pl.Int64).alias("code")),
        uses.select(pl.col("actor_id").alias("a"), (pl.col("kind") + ":" + pl.col("value")).alias("b"),
                    pl.col("kind").replace_strict(KIND_CODES, return_dtype=pl.Int64).alias("code")),
    ]).join(ix.rename({"key": "a", "idx": "ai"}), on="a").join(ix.rename({"key": "b", "idx": "bi"}), on="b")
    edges = edges.unique(subset=["ai", "bi"], keep="first", maintain_order=True)
    degree = pl.concat([edges.select(pl.col("ai").alias("n")), edges.select(pl.col("bi").alias("n"))]).group_by(
        "n").agg(pl.len().alias("d")).filter(pl.col("d") > cfg.max_fanout)
    crowded = dict(zip(degree["n"].to_list(), degree["d"].to_list(), strict=True))
    g = rx.PyGraph(multigraph=False)
    g.add_nodes_from(range(nodes.height))
    g.extend_from_weighted_edge_list(list(zip(edges["ai"].to_list(), edges["bi"].to_list(),
                                              edges["code"].to_list(), strict=True)))
    return Graph(g, nodes, parties, hub_uses, crowded, int((nodes["kind"] == "shipment").sum()))


@dataclass(frozen=True)
class Hub:
    """A node a backtrack did not follow: an identifier used by many names (``hub``) or a node with too
    many edges (``crowded``), beside the nearest shipment whose path reaches it (``near``)."""

    kind: str  # hub | crowded
    label: str  # "address 88 HUAQIANGBEI RD", or an actor's name
    size: int  # names using it (hub) or its edges (crowded)
    near: tuple[str, str]  # (partner, shipment_id)

    @property
    def text(self) -> str:
        if self.kind == "hub":
            return f"{self.label} (a hub: used by {self.size} names, not followed)"
        return f"{self.label} ({self.size} links, not followed)"


@dataclass(frozen=True)
class Found:
    links: pl.DataFrame  # partner, shipment_id, hops, distance, path (node indices)
    skipped: list[str]  # what was not followed, in words
    hubs: tuple[Hub, ...] = ()  # the hubs and crowded nodes among ``skipped``, each beside its shipment


def backtrack(graph: Graph, partner: str, shipment_id: str, depth: int,
              cfg: NetworkConfig | None = None) -> Found:
    """Every shipment within ``depth`` shipment-to-shipment hops of this one, nearest paths first."""
    cfg = cfg or NetworkConfig()
    if depth < 1:
        raise NetworkError(f"--depth {depth}: the depth is a number of hops, 1 or more")
    src = graph.index(partner, shipment_id)
    g = graph.g
    # breadth first, layer by layer: a crowded node is noted and never entered, and the neighbourhood
    # stops growing at max_nodes (said), so no hub and no giant component makes this hang
    visited, frontier = {src}, [src]
    cut: dict[int, int] = {}  # crowded node -> the node it was reached from
    capped = False
    for _ in range(MAX_EDGES_PER_HOP * depth):
        nxt: list[int] = []
        for node in frontier:
            for m in g.neighbors(node):
                if m in visited or m in cut:
                    continue
                if m in graph.crowded:
                    cut[m] = node
                    continue
                visited.add(m)
                nxt.append(m)
            if len(visited) >= cfg.max_nodes:
                capped = True
                break
        frontier = nxt
        if capped or not frontier:
            break
    sub = g.subgraph(sorted(visited))
    s = next(n for n in sub.node_indices() if sub[n] == src)
    paths = rx.dijkstra_shortest_paths(sub, s, weight_fn=lambda code: COST[int(code)])
    lengths = rx.dijkstra_shortest_path_lengths(sub, s, edge_cost_fn=lambda code: COST[int(code)])
    rows: list[tuple[int, int, float, list[int]]] = []
    for target, path in paths.items():
        glob = [sub[n] for n in path]
        hops = sum(1 for n in glob[1:] if n < graph.shipments)
        if glob[-1] < graph.shipments and hops <= depth:
            rows.append((glob[-1], hops, float(lengths[target]), glob))
    found = pl.DataFrame(rows, schema={"node": pl.Int64, "hops": pl.Int64, "distance": pl.Float64,
                                       "path": pl.List(pl.Int64)}, orient="row")
    links = found.join(graph.nodes.select(pl.col("idx").cast(pl.Int64).alias("node"), "partner", "shipment_id"),
                       on="node").sort("distance", "partner", "shipment_id")
    local = {sub[n]: n for n in sub.node_indices()}
    hubs: list[Hub] = []
    for n in sorted(cut):
        way = [sub[k] for k in paths.get(local[cut[n]], [])] if cut[n] != src else [src]
        last = next((k for k in reversed(way) if k < graph.shipments), src)
        hubs.append(Hub("crowded", str(graph.nodes["label"][n]), graph.crowded[n],
                        (str(graph.nodes["partner"][last]), str(graph.nodes["shipment_id"][last]))))
    src_actors = graph.parties.filter((pl.col("partner") == partner) & (pl.col("shipment_id") == shipment_id))
    for r in graph.hub_uses.join(src_actors.select("actor_id"), on="actor_id").unique(
            subset=["kind", "shown"]).sort("kind", "shown").iter_rows(named=True):
        hubs.append(Hub("hub", f"{r['kind']} {r['shown']}", int(r["names"]), (partner, shipment_id)))
    skipped = [h.text for h in hubs if h.kind == "crowded"]
    if capped:
        skipped.append(f"the neighbourhood was cut at {cfg.max_nodes} nodes: nearer links first, farther ones "
                       "may be missing")
    skipped += [h.text for h in hubs if h.kind == "hub"]
    return Found(links.select("partner", "shipment_id", "hops", "distance", "path"), skipped, tuple(hubs))
