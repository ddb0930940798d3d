"""Communities: connected groups of actors, and their export as FollowTheMoney entities.

Two actors are in one community when a path joins them through shipments and identifiers that are
not hubs, through no crowded node (one with more than ``max_fanout`` edges, which a backtrack does
not cross either) and through no busy actor — so a consolidator's address or a courier's phone does not
make one community of its hundreds of sellers, nor an ordinary shop of its customers.  An actor is busy
when it trades with ``busy_counterparties`` distinct counterparties or more (the shippers and receivers
of its shipments): the hub measure of ``screen.parties.hubs``, counted over the traffic as an
identifier's distinct names are.  A busy actor stays in the graph (a backtrack reaches it) but joins no
community; a ring whose shipper sends to that many receivers is seen as its smaller groups.  A community has its actors (the most connected named first), its shipments,
the partners that filed them, the seizures and referrals recorded on them, and when it was first and
last seen (filing dates).

``ftm_entities`` writes a community as FollowTheMoney entities (``{"id", "schema", "properties"}``,
every property a list of strings), the format of Aleph and OpenSanctions: each actor a ``Company``
(a legal form in its name) or ``LegalEntity`` with its names, phones, e-mails and ``Address`` entities,
and each shipper–receiver pair an ``UnknownLink`` with its shipments, dates and seizures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from interdictor.network import NetworkConfig
from interdictor.network.graph import Graph
from interdictor.screen.parties import hubs as hub_measure

LEGAL_FORM = re.compile(r"\b(co|corp|corporation|company|ltd|limited|inc|llc|gmbh|sarl|srl|bv|pvt|plc|trading|"
                        r"industrial)\b", re.IGNORECASE)
MEMBERS_SHOWN = 5
COMMUNITY_SCHEMA = pl.Schema({
    "community": pl.String, "actors": pl.Int64, "shipments": pl.Int64, "partners": pl.Int64,
    "seizures": pl.Int64, "referrals": pl.Int64, "last_seizure": pl.String, "first_seen": pl.Date,
    "last_seen": pl.Date, "members": pl.String,
})
SORTS = {"size": (["actors", "shipments", "seizures"], [True, True, True]),
         "risk": (["seizures", "referrals", "actors", "shipments"], [True, True, True, True])}


def _community_id(first_actor: pl.Expr) -> pl.Expr:
    """A community is named after its smallest actor id (``A…`` → ``C…``): the same group, the same name."""
    return pl.lit("C") + first_actor.str.strip_prefix("A")


def busy_actors(graph: Graph, min_names: int) -> np.ndarray:
    """The actor nodes with ``min_names`` distinct counterparties or more: a shipment's shipper and each of its
    receivers are counterparties of each other, counted with the hub measure (an actor as the identifier,
    its counterparties as the names)."""
    p = graph.parties.select("partner", "shipment_id", "party", "actor_id")
    pairs = p.filter(pl.col("party") == "shipper").join(
        p.filter(pl.col("party") != "shipper"), on=["partner", "shipment_id"], suffix="_to").filter(
        pl.col("actor_id") != pl.col("actor_id_to"))
    both = pl.concat([pairs.select(pl.lit("actor").alias("kind"), pl.col("actor_id").alias("value"),
                                   pl.col("actor_id_to").alias("name_key")),
                      pairs.select(pl.lit("actor").alias("kind"), pl.col("actor_id_to").alias("value"),
                                   pl.col("actor_id").alias("name_key"))])
    busy = hub_measure.hubs(hub_measure.name_counts(both), min_names).select(pl.col("value").alias("key"))
    found: np.ndarray = graph.nodes.filter(pl.col("kind") == "actor").join(busy, on="key")["idx"].to_numpy()
    return found.astype(np.int64)


def labels_of(graph: Graph, cfg: NetworkConfig) -> np.ndarray:
    """Each node's community: connected components over the edges between nodes that may be crossed (neither
    crowded nor a busy actor)."""
    ok = graph.passable.copy()
    ok[busy_actors(graph, cfg.busy_counterparties)] = False
    n = graph.num_nodes
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    keep = ok[src] & ok[graph.indices]
    m = csr_matrix((np.ones(int(keep.sum()), dtype=bool), (src[keep], graph.indices[keep])), shape=(n, n))
    labels: np.ndarray = connected_components(m, directed=False)[1].astype(np.int64)
    return labels


def _with_labels(graph: Graph, labels: np.ndarray) -> pl.DataFrame:
    return graph.nodes.select(pl.col("idx").cast(pl.Int64), "key", "kind", "label", "partner", "shipment_id").with_columns(
        pl.Series("c", labels), pl.Series("degree", np.diff(graph.indptr)))


def summarise(graph: Graph, labels: np.ndarray, seen: pl.DataFrame, marks: pl.DataFrame) -> pl.DataFrame:
    """Every community of two actors or more (COMMUNITY_SCHEMA), largest first.

    ``seen``: partner, shipment_id, seen (datetime); ``marks``: partner, shipment_id, result (seized,
    referred), when (a date as text)."""
    nodes = _with_labels(graph, labels)
    actors = nodes.filter(pl.col("kind") == "actor")
    sizes = actors.group_by("c").agg(pl.len().alias("actors"), pl.col("key").min().alias("first"),
                                     pl.col("label").sort_by("degree", descending=True).head(MEMBERS_SHOWN)
                                     .str.join("; ").alias("members")).filter(pl.col("actors") >= 2)
    ships = nodes.head(graph.shipments).join(sizes.select("c"), on="c").select("c", "partner", "shipment_id")
    ships = ships.join(seen, on=["partner", "shipment_id"], how="left").join(
        marks.group_by("partner", "shipment_id").agg(
            (pl.col("result") == "seized").any().alias("seized"), (pl.col("result") == "referred").any().alias("referred"),
            pl.col("when").filter(pl.col("result") == "seized").max().alias("seized_on")),
        on=["partner", "shipment_id"], how="left")
    per = ships.group_by("c").agg(
        pl.len().alias("shipments"), pl.col("partner").n_unique().alias("partners"),
        pl.col("seized").fill_null(False).sum().alias("seizures"),
        pl.col("referred").fill_null(False).sum().alias("referrals"),
        pl.col("seized_on").max().alias("last_seizure"),
        pl.col("seen").min().dt.date().alias("first_seen"), pl.col("seen").max().dt.date().alias("last_seen"))
    out = sizes.join(per, on="c", how="left").with_columns(
        _community_id(pl.col("first")).alias("community"))
    return out.select(pl.col(c).cast(t) for c, t in COMMUNITY_SCHEMA.items()).sort(
        *SORTS["size"][0], "community", descending=[*SORTS["size"][1], False])


def actor_communities(graph: Graph, labels: np.ndarray, summary: pl.DataFrame) -> pl.DataFrame:
    """``actor_id, community`` of every actor in a community of ``summary`` (as ``summarise`` names them)."""
    actors = _with_labels(graph, labels).filter(pl.col("kind") == "actor")
    named = actors.with_columns(_community_id(pl.col("key").min().over("c")).alias("community"))
    return named.join(summary.select("community"), on="community", how="semi").select(
        pl.col("key").alias("actor_id"), "community")


def top(summary: pl.DataFrame, sort: str, n: int | None) -> pl.DataFrame:
    """The first ``n`` communities by ``sort`` (size: actors, then shipments; risk: seizures, then referrals,
    then size)."""
    cols, desc = SORTS[sort]
    ranked = summary.sort(*cols, "community", descending=[*desc, False])
    return ranked if n is None else ranked.head(n)


def community_nodes(graph: Graph, labels: np.ndarray, summary: pl.DataFrame, community: str) -> pl.DataFrame:
    """The nodes (idx, key, kind, label, partner, shipment_id, degree) of one community; empty when unknown."""
    row = summary.filter(pl.col("community") == community)
    if row.is_empty():
        return _with_labels(graph, labels).clear().drop("c")
    hit = graph.nodes.filter((pl.col("kind") == "actor") & (_community_id(pl.col("key")) == community))
    if hit.is_empty():
        return _with_labels(graph, labels).clear().drop("c")
    c = int(labels[int(hit["idx"][0])])
    return _with_labels(graph, labels).filter(pl.col("c") == c).drop("c")


def _id(kind: str, value: str) -> str:
    return f"interdictor-{kind}-" + hashlib.sha256(value.encode()).hexdigest()[:20]


def ftm_entities(graph: Graph, labels: np.ndarray, summary: pl.DataFrame, seen: pl.DataFrame,
                 marks: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """The actors, their addresses and their shipper–receiver links of every community in ``summary``, as
    FollowTheMoney entities."""
    nodes = _with_labels(graph, labels)
    comm = nodes.filter(pl.col("kind") == "actor").with_columns(
        _community_id(pl.col("key").min().over("c")).alias("community")).join(
        summary.select("community", "actors", "shipments", "seizures"), on="community")
    if comm.is_empty():
        return
    ids = comm.select(pl.col("key").alias("actor_id"), "community", "label", "actors", "shipments", "seizures")
    names = graph.parties.join(ids.select("actor_id"), on="actor_id").group_by("actor_id").agg(
        pl.col("name").drop_nulls().unique().sort())
    uses = graph.uses.join(ids.select("actor_id"), on="actor_id")
    by_kind = uses.group_by("actor_id", "kind").agg(pl.col("shown").drop_nulls().unique().sort(), pl.col("value"))
    props: dict[str, dict[str, list[str]]] = {}
    for r in by_kind.iter_rows(named=True):
        p = props.setdefault(r["actor_id"], {})
        if r["kind"] in ("phone", "email"):
            p[r["kind"]] = r["shown"]
        elif r["kind"] == "address":
            p["address"] = r["shown"]
            p["addressEntity"] = sorted(_id("address", v) for v in r["value"])
    aliases = dict(zip(names["actor_id"].to_list(), names["name"].to_list(), strict=True))
    for r in ids.sort("community", "actor_id").iter_rows(named=True):
        name = r["label"] or r["actor_id"]
        p = {"name": [name], **props.get(r["actor_id"], {})}
        other = [a for a in aliases.get(r["actor_id"], []) if a != name]
        if other:
            p["alias"] = other[:50]
        p["notes"] = [f"community {r['community']}: {r['actors']} actors, {r['shipments']} shipments, "
                      f"{r['seizures']} seizures (Interdictor actor {r['actor_id']})"]
        yield {"id": _id("actor", r["actor_id"]), "schema": "Company" if LEGAL_FORM.search(name) else "LegalEntity",
               "properties": p}
    for r in uses.filter(pl.col("kind") == "address").unique(subset=["value"]).sort("value").iter_rows(named=True):
        yield {"id": _id("address", r["value"]), "schema": "Address",
               "properties": {"full": [r["shown"] or r["value"]]}}
    parties = graph.parties.join(ids.select("actor_id"), on="actor_id").join(
        seen, on=["partner", "shipment_id"], how="left").join(
        marks.filter(pl.col("result") == "seized").group_by("partner", "shipment_id").agg(
            pl.col("when").max().alias("seized")), on=["partner", "shipment_id"], how="left")
    senders = parties.filter(pl.col("party") == "shipper").select(
        "partner", "shipment_id", pl.col("actor_id").alias("subject"), "seen", "seized")
    receivers = parties.filter(pl.col("party") != "shipper").select(
        "partner", "shipment_id", pl.col("actor_id").alias("object"), "party")
    pairs = senders.join(receivers, on=["partner", "shipment_id"]).group_by("subject", "object").agg(
        (pl.col("partner") + "/" + pl.col("shipment_id")).sort().alias("shipments"),
        pl.col("seen").min().dt.date().alias("start"), pl.col("seen").max().dt.date().alias("end"),
        pl.col("seized").drop_nulls().unique().sort().alias("seized"), pl.col("party").unique().sort().alias("roles"))
    for r in pairs.sort("subject", "object").iter_rows(named=True):
        n = len(r["shipments"])
        p = {"subject": [_id("actor", r["subject"])], "object": [_id("actor", r["object"])],
             "role": [f"shipper to {role}" for role in r["roles"]],
             "summary": [f"{n} shipment{'s' if n != 1 else ''}: " + ", ".join(r["shipments"][:20])
                         + (f" and {n - 20} more" if n > 20 else "")],
             "recordId": r["shipments"][:200]}
        if r["start"] is not None:
            p["startDate"], p["endDate"] = [r["start"].isoformat()], [r["end"].isoformat()]
        if r["seized"]:
            p["status"] = [f"seized {d}" for d in r["seized"]]
        yield {"id": _id("link", f"{r['subject']}>{r['object']}"), "schema": "UnknownLink", "properties": p}
