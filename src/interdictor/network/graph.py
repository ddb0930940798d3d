"""The graph of shipments, actors and identifiers, and backtracking from one shipment.

Nodes are shipments, actors and identifiers (address, phone, e-mail, e-mail domain); edges are
"sent" (shipper), "received" (consignee, notify) and "uses" (actor–identifier).  "Same actor" is the
actor node itself: two shipments whose parties resolved to one actor meet there, and the variant's
evidence says which fields tied them.  Hub identifiers are left out, and a node with more than
``max_fanout`` edges is kept but not crossed, so a backtrack is bounded and says what it skipped.

The graph is held as compressed sparse rows (numpy arrays: each node's neighbours and edge codes),
built from integer edge lists without a Python call per edge.  A backtrack grows its neighbourhood
layer by layer with array operations and runs scipy's Dijkstra (C) on it; communities are scipy's
connected components.  rustworkx, which held it before, needed a Python list of every edge to build
(7 s of the 200k build) and a Python call per edge for Dijkstra's costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from interdictor.network import NetworkConfig, NetworkError

ROLE_CODES = {"shipper": 0, "consignee": 1, "notify": 2}
KIND_CODES = {"address": 3, "phone": 4, "email": 5, "domain": 6}
CODE_NAMES = {v: k for k, v in {**ROLE_CODES, **KIND_CODES}.items()}
# cost of crossing an edge: a shared address or mail domain is weaker evidence than a phone or e-mail
COST = np.array([1.0, 1.0, 1.0, 1.5, 1.0, 1.0, 2.5])  # by edge code
MAX_EDGES_PER_HOP = 4  # shipment → actor → identifier → actor → shipment


def _skey(partner: pl.Expr, shipment_id: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit("S"), partner, pl.lit("\x1f"), shipment_id])


@dataclass(frozen=True)
class Graph:
    indptr: np.ndarray  # node n's neighbours are indices[indptr[n]:indptr[n + 1]] (both directions)
    indices: np.ndarray
    codes: np.ndarray  # the edge code of each entry of ``indices``
    nodes: pl.DataFrame  # idx, key, kind (shipment, actor, identifier), label, partner, shipment_id
    parties: pl.DataFrame  # partner, shipment_id, party, actor_id, name, evidence (names as seen)
    hub_uses: pl.DataFrame  # actor_id, kind, shown, names: identifiers left out as hubs
    uses: pl.DataFrame  # actor_id, kind, value, shown: the identifiers in the graph (not hubs)
    crowded: dict[int, int]  # node -> its edges, for nodes not crossed (more than max_fanout)
    shipments: int  # nodes 0 .. shipments-1 are the shipments
    passable: np.ndarray  # per node: may a path go through it (not crowded)
    party_ptr: np.ndarray  # shipment node n's rows of ``parties`` are party_ptr[n]:party_ptr[n + 1]
    ship_keys: pl.Series  # the shipments' keys, sorted; ship_order[i] is the node of ship_keys[i]
    ship_order: np.ndarray

    @property
    def num_nodes(self) -> int:
        return len(self.indptr) - 1

    @property
    def num_edges(self) -> int:
        return len(self.indices) // 2

    def index(self, partner: str, shipment_id: str) -> int:
        """The node of a shipment: a binary search over the sorted shipment keys."""
        key = f"S{partner}\x1f{shipment_id}"
        at = int(self.ship_keys.search_sorted(key))
        if at >= self.ship_keys.len() or self.ship_keys[at] != key:
            raise NetworkError(f"no stored shipment {partner}/{shipment_id} (or it has no named party)")
        return int(self.ship_order[at])

    def entries(self, nodes: np.ndarray) -> np.ndarray:
        """The positions in ``indices`` of every edge of ``nodes``, in one gather."""
        starts, lens = self.indptr[nodes], self.indptr[nodes + 1] - self.indptr[nodes]
        total = int(lens.sum())
        if not total:
            return np.empty(0, dtype=np.int64)
        return np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(total)

    def neighbours(self, nodes: np.ndarray) -> np.ndarray:
        """Every neighbour of ``nodes`` (with repeats)."""
        found: np.ndarray = self.indices[self.entries(nodes)]
        return found

    def edge_code(self, a: int, b: int) -> int:
        row = self.indices[self.indptr[a]:self.indptr[a + 1]]
        return int(self.codes[self.indptr[a] + int(np.flatnonzero(row == b)[0])])

    def parties_of(self, shipments: np.ndarray) -> pl.DataFrame:
        """The rows of ``parties`` of these shipment nodes, without a scan of the whole table."""
        starts, lens = self.party_ptr[shipments], self.party_ptr[shipments + 1] - self.party_ptr[shipments]
        rows = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(int(lens.sum()))
        return self.parties[rows]


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
                       pl.col("party").replace_strict(ROLE_CODES, default=2, return_dtype=pl.Int8).alias("code")),
        uses.select(pl.col("actor_id").alias("a"), (pl.col("kind") + ":" + pl.col("value")).alias("b"),
                    pl.col("kind").replace_strict(KIND_CODES, return_dtype=pl.Int8).alias("code")),
    ]).join(ix.rename({"key": "a", "idx": "ai"}), on="a").join(ix.rename({"key": "b", "idx": "bi"}), on="b")
    edges = edges.unique(subset=["ai", "bi"], keep="first", maintain_order=True)
    n = nodes.height
    ai, bi, code = (edges[c].to_numpy() for c in ("ai", "bi", "code"))
    src, dst, codes = np.concatenate([ai, bi]), np.concatenate([bi, ai]), np.concatenate([code, code])
    order = np.lexsort((dst, src))
    indptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n)))).astype(np.int64)
    degree = np.diff(indptr)
    heavy = np.flatnonzero(degree > cfg.max_fanout)
    crowded = dict(zip(heavy.tolist(), degree[heavy].tolist(), strict=True))
    shipments = int((nodes["kind"] == "shipment").sum())
    keys = nodes.head(shipments).select("key", pl.col("idx").cast(pl.Int64)).sort("key")
    passable = np.ones(n, dtype=bool)
    passable[heavy] = False
    # parties in shipment-node order, so a shipment's parties are a slice (its rows were the first edges)
    parties = parties.with_columns(parties.select(_skey(pl.col("partner"), pl.col("shipment_id")).alias("key")).join(
        ix, on="key", how="left", maintain_order="left")["idx"].alias("_node")).sort("_node")
    party_ptr = np.searchsorted(parties["_node"].to_numpy(), np.arange(n + 1))
    return Graph(indptr, dst[order].astype(np.int64), codes[order].astype(np.int8), nodes, parties.drop("_node"),
                 hub_uses, uses.select("actor_id", "kind", "value", "shown"), crowded,
                 shipments, passable, party_ptr, keys["key"], keys["idx"].to_numpy())


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


def _last_shipment(graph: Graph, sub: np.ndarray, pred: np.ndarray, node: int) -> int:
    """The nearest shipment on the shortest path from the start to ``node`` (a node of ``sub``), ``node``
    itself if it is one: the predecessors followed back until a shipment (the start is one)."""
    cur = int(np.searchsorted(sub, node))
    while cur >= 0:
        if int(sub[cur]) < graph.shipments:
            return int(sub[cur])
        cur = int(pred[cur])
    raise NetworkError(f"node {node} is not reached from the start")  # pragma: no cover - reached by BFS


def backtrack(graph: Graph, partner: str, shipment_id: str, depth: int,
              cfg: NetworkConfig | None = None) -> Found:
    """Every shipment within ``depth`` shipment-to-shipment hops of this one, nearest paths first."""
    cfg = cfg or NetworkConfig()
    if depth < 1:
        raise NetworkError(f"--depth {depth}: the depth is a number of hops, 1 or more")
    src = graph.index(partner, shipment_id)
    # breadth first, a whole layer at a time, counting the shipments on the way: a shipment ``depth`` hops
    # away is reached but not gone through; a crowded node is noted and never entered; the neighbourhood
    # stops growing at max_nodes (said) — so no hub and no giant component makes this hang
    ok, ships = graph.passable, graph.shipments
    hop = np.full(graph.num_nodes, -1, dtype=np.int16)  # shipments on the way to a node, -1: not reached
    hop[src] = 0
    frontier, size, capped = np.array([src], dtype=np.int64), 1, False
    cut: dict[int, int] = {}  # crowded node -> the node it was first reached from
    for _ in range(MAX_EDGES_PER_HOP * depth):
        entries = graph.entries(frontier)
        parent = np.repeat(frontier, graph.indptr[frontier + 1] - graph.indptr[frontier])
        nxt = graph.indices[entries]
        new = hop[nxt] < 0
        nxt, parent = nxt[new], parent[new]
        crowd, at = np.unique(nxt[~ok[nxt]], return_index=True)
        for c, p in zip(crowd.tolist(), parent[~ok[nxt]][at].tolist(), strict=True):
            cut.setdefault(c, p)
        keep = ok[nxt]
        nxt, parent = nxt[keep], parent[keep]
        h = hop[parent] + (nxt < ships)
        order = np.lexsort((h, nxt))  # each node once, with its fewest shipments on the way
        nxt, h = nxt[order], h[order]
        first = np.ones(len(nxt), dtype=bool)
        first[1:] = nxt[1:] != nxt[:-1]
        nxt, h = nxt[first], h[first]
        near = h <= depth
        nxt, h = nxt[near], h[near]
        if size + len(nxt) > cfg.max_nodes:
            nxt, h, capped = nxt[:cfg.max_nodes - size], h[:cfg.max_nodes - size], True
        hop[nxt] = h
        size += len(nxt)
        frontier = nxt[~((nxt < ships) & (h >= depth))]  # the farthest shipments are ends
        if capped or not len(frontier):
            break
    sub = np.flatnonzero(hop >= 0)  # the neighbourhood, in node order: local index = position
    rows = np.repeat(np.arange(len(sub)), graph.indptr[sub + 1] - graph.indptr[sub])
    entries = graph.entries(sub)
    cols = np.searchsorted(sub, graph.indices[entries])
    keep = (cols < len(sub)) & (sub[np.minimum(cols, len(sub) - 1)] == graph.indices[entries])
    m = csr_matrix((COST[graph.codes[entries[keep]]], (rows[keep], cols[keep])), shape=(len(sub), len(sub)))
    s = int(np.searchsorted(sub, src))
    dist, pred = dijkstra(m, directed=True, indices=s, return_predecessors=True)
    targets = np.flatnonzero((sub < graph.shipments) & np.isfinite(dist))
    targets = targets[targets != s]
    # each target's path back to the start, by following predecessors: a path has at most
    # MAX_EDGES_PER_HOP edges per hop, so depth × that many steps reach the start
    steps = MAX_EDGES_PER_HOP * depth + 1
    back = np.full((len(targets), steps + 1), -1, dtype=np.int64)
    cur = targets.copy()
    for k in range(steps + 1):
        back[:, k] = cur
        live = cur >= 0
        cur = np.where(live, pred[np.maximum(cur, 0)], -1)
        cur[cur < 0] = -1
    glob = np.where(back >= 0, sub[np.maximum(back, 0)], -1)
    on_path = (glob >= 0) & (glob < graph.shipments)
    hops = on_path.sum(axis=1) - 1  # the shipments on the path, less the start
    near = (hops <= depth) & (back == s).any(axis=1)
    paths = pl.Series("path", glob[near], dtype=pl.Array(pl.Int64, steps + 1)).arr.to_list().list.eval(
        pl.element().filter(pl.element() >= 0).reverse())
    nodes = sub[targets[near]]
    links = pl.DataFrame({"node": nodes, "hops": hops[near].astype(np.int64), "distance": dist[targets[near]],
                          "path": paths}).with_columns(
        graph.nodes["partner"].gather(nodes), graph.nodes["shipment_id"].gather(nodes)).sort(
        "distance", "partner", "shipment_id")
    hubs: list[Hub] = []
    for n in sorted(cut):
        last = _last_shipment(graph, sub, pred, cut[n])
        hubs.append(Hub("crowded", str(graph.nodes["label"][n]), graph.crowded[n],
                        (str(graph.nodes["partner"][last]), str(graph.nodes["shipment_id"][last]))))
    src_actors = graph.parties_of(np.array([src]))
    for r in graph.hub_uses.join(src_actors.select("actor_id"), on="actor_id").unique(
            subset=["kind", "shown"]).sort("kind", "shown").iter_rows(named=True):
        hubs.append(Hub("hub", f"{r['kind']} {r['shown']}", int(r["names"]), (partner, shipment_id)))
    skipped = [h.text for h in hubs if h.kind == "crowded"]
    if capped:
        skipped.append(f"the neighbourhood was cut at {cfg.max_nodes} nodes: nearer links first, farther ones "
                       "may be missing")
    skipped += [h.text for h in hubs if h.kind == "hub"]
    return Found(links.select("partner", "shipment_id", "hops", "distance", "path"), skipped, tuple(hubs))
