"""Actors and links of stored shipments: bring the network up to date, and hand its tables to the graph.

``update`` resolves the parties of every current shipment version not yet in the network (a first
build, a new batch, an amendment) with ``interdictor.network.actors`` and writes what it found;
``graph_tables`` and ``risk`` read what ``interdictor.network.graph`` and ``.evidence`` work on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, delete, func, select
from sqlalchemy import update as sql_update

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.actors import VARIANT_SCHEMA, company_keys, key_parties, resolve
from interdictor.network.communities import community_nodes, ftm_entities, labels_of, summarise, top
from interdictor.network.evidence import RISK_SCHEMA, describe, rank, steps
from interdictor.network.graph import Found, Graph, Hub, build
from interdictor.network.graph import backtrack as backtrack_graph
from interdictor.screen.parties import hubs as hub_measure
from interdictor.store import schema as t
from interdictor.store import schema_network as n
from interdictor.store import schema_service as sv
from interdictor.store.db import Store

log = logging.getLogger(__name__)

IN_CHUNK = 500
WHOLE = 5_000  # more keys than this: read the table once and filter in memory rather than IN-lists

PARTY_COLUMNS = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "party": pl.String,
                 "name": pl.String, "address": pl.String, "postal_code": pl.String, "country": pl.String,
                 "phone": pl.String, "email": pl.String}


def _where_in(store: Store, stmt: Callable[[ColumnElement[bool] | None], Select[Any]], col: Any,
              values: list[str], schema: dict[str, Any], name: str, whole: int = WHOLE) -> pl.DataFrame:
    """``stmt`` restricted to ``col`` in ``values``: IN-lists for a few, the whole table filtered for many."""
    values = sorted(set(values))
    if len(values) > whole:
        return store.read_frame(stmt(None), schema).filter(pl.col(name).is_in(pl.Series(values).implode()))
    parts = [store.read_frame(stmt(col.in_(values[i:i + IN_CHUNK])), schema) for i in range(0, len(values), IN_CHUNK)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def pending_parties(store: Store) -> pl.DataFrame:
    """Parties of current shipment versions the network has not seen (new, or amended since)."""
    S, P, NP = t.shipments, t.parties, n.network_parties
    seen = select(NP.c.partner).where(NP.c.partner == S.c.partner, NP.c.shipment_id == S.c.shipment_id,
                                      NP.c.version == S.c.version).exists()
    stmt = (select(P.c.partner, P.c.shipment_id, P.c.version, P.c.party, P.c.name, P.c.address, P.c.postal_code,
                   P.c.country, P.c.phone, P.c.email)
            .select_from(S.join(P, and_(P.c.partner == S.c.partner, P.c.shipment_id == S.c.shipment_id,
                                        P.c.version == S.c.version)))
            .where(S.c.is_current.is_(True), P.c.name.is_not(None), ~seen))
    return store.read_frame(stmt, PARTY_COLUMNS)


def hubs_of(uses: pl.DataFrame, cfg: NetworkConfig) -> pl.DataFrame:
    """``hubs`` over the rows of ``network_uses`` already read (variant, kind, value, name_key, …): the
    measure of ``screen.parties.hubs``."""
    return hub_measure.hubs(hub_measure.name_counts(uses.select("kind", "value", "name_key")), cfg.hub_names)


def hubs(store: Store, cfg: NetworkConfig, among: pl.DataFrame | None = None) -> pl.DataFrame:
    """Identifiers used by ``cfg.hub_names`` distinct names or more: (kind, value, names) — the measure of
    ``screen.parties.hubs`` over the stored uses (counted in the database, only the candidates read).  With
    ``among`` (kind, value), only those — a batch asks about its own identifiers through the identifier
    index rather than counting the whole table (up to 50,000 values)."""
    U = n.network_uses
    names = func.count(func.distinct(U.c.name_key))
    schema = dict(hub_measure.COUNT_SCHEMA)
    if among is None:
        stmt = select(U.c.kind, U.c.value, names).group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names)
        return hub_measure.hubs(store.read_frame(stmt, schema), cfg.hub_names)
    found = _where_in(store, lambda w: select(U.c.kind, U.c.value, names).where(*([w] if w is not None else []))
                      .group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names), U.c.value,
                      among["value"].to_list(), schema, "value", whole=50_000)
    return hub_measure.hubs(found.join(among.select("kind", "value").unique(), on=["kind", "value"]), cfg.hub_names)


@dataclass(frozen=True)
class Updated:
    shipments: int  # shipment versions added to the network
    variants: int  # new party variants
    merged: int  # stored actors merged into another


def update(store: Store, cfg: NetworkConfig) -> Updated:
    """Bring the network up to date with the stored shipments (only what is new is resolved)."""
    V, U, NP = n.network_variants, n.network_uses, n.network_parties
    parties = pending_parties(store)
    if parties.is_empty():
        return Updated(0, 0, 0)
    keyed = key_parties(parties)
    stored_uses = _where_in(store, lambda w: select(U.c.variant, U.c.kind, U.c.value).where(
        *([w] if w is not None else [])), U.c.variant, keyed.uses["variant"].to_list(),
        {"variant": pl.String, "kind": pl.String, "value": pl.String}, "variant")
    new_uses = keyed.uses.join(stored_uses, on=["variant", "kind", "value"], how="anti")
    store.insert_frames([("network_uses", new_uses)])  # the counts that make hubs include this batch
    vschema = {"variant": pl.String, "actor_id": pl.String, "name_key": pl.String}
    hub = hubs(store, cfg, keyed.uses.select("kind", "value"))
    known = pl.concat([
        _where_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(
            *([w] if w is not None else [])), V.c.variant, keyed.variants["variant"].to_list(), vschema, "variant"),
        _where_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(
            *([w] if w is not None else [])), V.c.name_key, company_keys(keyed.variants["name_key"]).to_list(), vschema,
            "name_key"),
    ]).unique(subset=["variant"])
    strong = keyed.uses.filter(pl.col("kind").is_in(["phone", "email"])).join(hub, on=["kind", "value"],
                                                                              how="anti")
    ustmt = lambda w: select(U.c.variant, V.c.actor_id, U.c.kind, U.c.value).select_from(  # noqa: E731
        U.join(V, V.c.variant == U.c.variant)).where(U.c.kind.in_(["phone", "email"]),
                                                      *([w] if w is not None else []))
    known_uses = _where_in(store, ustmt, U.c.value, strong["value"].to_list(),
                           {"variant": pl.String, "actor_id": pl.String, "kind": pl.String, "value": pl.String},
                           "value").join(strong.select("kind", "value").unique(), on=["kind", "value"])
    res = resolve(keyed, known, known_uses, hub)
    now = datetime.now(UTC)
    with store.begin() as conn:
        if res.merges:
            conn.execute(sql_update(V).where(V.c.actor_id == bindparam("old")).values(actor_id=bindparam("new")),
                         [{"old": old, "new": new} for old, new in res.merges.items()])
        shipments = keyed.occurrences.select("partner", "shipment_id").unique()
        for p, ids in shipments.group_by("partner"):
            sids = ids["shipment_id"].to_list()
            for i in range(0, len(sids), IN_CHUNK):
                conn.execute(delete(NP).where(NP.c.partner == p[0], NP.c.shipment_id.in_(sids[i:i + IN_CHUNK])))
    store.insert_frames([
        ("network_variants", res.variants.select(*VARIANT_SCHEMA, pl.lit(now).alias("updated_at"))),
        ("network_parties", keyed.occurrences),
    ])
    return Updated(shipments.height, res.variants.height, len(res.merges))


def graph_tables(store: Store, cfg: NetworkConfig) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What ``network.graph.build`` takes: parties with their actors, the actors' identifiers, the hubs.

    The three tables are read whole as Arrow and joined in polars: a database join of millions of rows
    costs more than reading them."""
    V, U, NP = n.network_variants, n.network_uses, n.network_parties
    s = pl.String
    parties = store.read_frame(select(NP.c.partner, NP.c.shipment_id, NP.c.party, NP.c.variant),
                               {"partner": s, "shipment_id": s, "party": s, "variant": s})
    variants = store.read_frame(select(V.c.variant, V.c.actor_id, V.c.name, V.c.evidence),
                                {"variant": s, "actor_id": s, "name": s, "evidence": s})
    uses = store.read_frame(select(U.c.variant, U.c.kind, U.c.value, U.c.name_key, U.c.shown),
                            {"variant": s, "kind": s, "value": s, "name_key": s, "shown": s})
    parties = parties.join(variants, on="variant").drop("variant")
    hub = hubs_of(uses, cfg)
    uses = uses.join(variants.select("variant", "actor_id"), on="variant").group_by(
        "actor_id", "kind", "value").agg(pl.col("shown").min())
    return parties, uses, hub


def risk(conn: Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """RISK_SCHEMA for these (partner, shipment_id): a seizure or referral, else the latest assessment."""
    OC, A = sv.outcomes, t.assessments
    rows: list[dict[str, Any]] = []
    for (partner,), ids in keys.group_by("partner"):
        sids = ids["shipment_id"].unique().to_list()
        for i in range(0, len(sids), IN_CHUNK):
            part = sids[i:i + IN_CHUNK]
            best: dict[str, tuple[float, str]] = {}
            for r in conn.execute(select(A.c.shipment_id, A.c.score, A.c.created_at).where(
                    A.c.partner == partner, A.c.shipment_id.in_(part)).order_by(A.c.created_at)):
                best[r.shipment_id] = (float(r.score) / 100, f"score {r.score:.0f}")
            for o in conn.execute(select(OC.c.shipment_id, OC.c.result, OC.c.examined_at, OC.c.recorded_at).where(
                    OC.c.partner == partner, OC.c.shipment_id.in_(part), OC.c.result.in_(["seized", "referred"]))
                    .order_by(OC.c.recorded_at)):
                when = o.examined_at or o.recorded_at
                level = 1.0 if o.result == "seized" else 0.7
                if level >= best.get(o.shipment_id, (0.0, ""))[0]:
                    best[o.shipment_id] = (level, f"{o.result} {when:%Y-%m-%d}")
            rows += [{"partner": partner, "shipment_id": s, "risk": v[0], "note": v[1]} for s, v in best.items()]
    return pl.DataFrame(rows, schema=RISK_SCHEMA)


def shipment_known(conn: Connection, partner: str, shipment_id: str) -> bool:
    S = t.shipments
    return conn.execute(select(S.c.version).where(S.c.partner == partner, S.c.shipment_id == shipment_id)
                        .limit(1)).first() is not None


def shipments_mark(store: Store) -> Any:
    """When a shipment (or a new version of one) was last stored: the newest ``received_at``, one index
    probe.  The network is derived from the stored shipments, so while this stays the same a graph
    built after ``update`` is still the whole network."""
    S = t.shipments
    with store.begin() as conn:
        return conn.execute(select(func.max(S.c.received_at))).scalar()


@dataclass
class _Built:
    key: tuple[Any, ...]
    graph: Graph
    labels: np.ndarray | None = None  # each node's community, worked out when first asked for


_built: dict[str, _Built] = {}  # one entry: the graph of the store asked last (a graph of 1 M shipments is ~1 GB)
_building = threading.Lock()  # one build at a time
_labelling = threading.Lock()
_refreshing: set[str] = set()  # stores whose graph is being rebuilt in the background


def _build(store: Store, cfg: NetworkConfig, key: tuple[Any, ...], keep_old: bool) -> tuple[_Built, Updated]:
    with _building:
        hit = _built.get("graph")
        if hit is not None and hit.key == key:
            return hit, Updated(0, 0, 0)
        if not keep_old:
            _built.clear()  # the old graph goes before the new one is built: one in memory at a time
        updated = update(store, cfg)
        hit = _built["graph"] = _Built(key, build(*graph_tables(store, cfg), cfg))
        return hit, updated


def _refresh(store: Store, cfg: NetworkConfig, key: tuple[Any, ...]) -> None:
    """Rebuild in a thread of its own; the kept graph answers until the new one replaces it."""
    with _building:
        if store.url in _refreshing:
            return
        _refreshing.add(store.url)

    def run() -> None:
        try:
            _build(store, cfg, key, keep_old=True)
        except Exception:  # a store closed meanwhile, a failed read: the next question builds again
            log.warning("bringing the network graph up to date failed", exc_info=True)
        finally:
            with _building:
                _refreshing.discard(store.url)

    threading.Thread(target=run, name="network-refresh", daemon=True).start()


def _current(store: Store, cfg: NetworkConfig, fresh: bool = True) -> tuple[_Built, Updated, Any]:
    """The kept graph when it is up to date; else, with ``fresh``, a new one built now; without it the kept
    one of this store (and the time of the last shipment it holds) while a new one is built in the
    background.  The third value is None when the graph is up to date."""
    key = (store.url, shipments_mark(store), cfg.hub_names, cfg.max_fanout)
    hit = _built.get("graph")
    if hit is not None and hit.key == key:
        return hit, Updated(0, 0, 0), None
    if not fresh and hit is not None and (hit.key[0], *hit.key[2:]) == (key[0], *key[2:]):
        _refresh(store, cfg, key)
        return hit, Updated(0, 0, 0), hit.key[1]
    return (*_build(store, cfg, key, keep_old=False), None)


def current_graph(store: Store, cfg: NetworkConfig, fresh: bool = True) -> tuple[Graph, Updated, Any]:
    """The graph of the whole network, up to date with the stored shipments.

    Built once per store state and kept in this process: while no shipment has been stored since (one
    index probe says so), a backtrack reuses it instead of reading and building the world again.  Without
    ``fresh`` (the service: an answer within half a second), a graph that shipments stored since have made
    old still answers while its successor is built in the background; the third value then says since
    when it is old (None: up to date)."""
    hit, updated, since = _current(store, cfg, fresh)
    return hit.graph, updated, since


def _stale_note(since: Any) -> str:
    when = since.strftime("%Y-%m-%d %H:%M:%S UTC") if isinstance(since, datetime) else str(since)
    return (f"shipments stored after {when} are not in this answer yet: the network is being brought up to "
            "date, ask again shortly")


@dataclass(frozen=True)
class Backtracked:
    rows: pl.DataFrame  # RESULT_COLUMNS
    linked: int  # linked shipments found (rows holds at most cfg.limit)
    skipped: list[str]  # hubs and crowded nodes not followed, in words
    updated: Updated
    steps: pl.DataFrame  # evidence.STEP_SCHEMA: each ranked row's chain of shipments and its last tie
    hubs: tuple[Hub, ...] = ()  # the hubs and crowded nodes, each beside the shipment that reaches it
    start_note: str | None = None  # the start's own seizure or referral ("seized 2026-11-20"), if any


def backtrack(store: Store, cfg: NetworkConfig, partner: str, shipment_id: str, depth: int,
              fresh: bool = True) -> Backtracked:
    """The network brought up to date, then every stored shipment linked to this one, ranked, with paths.
    Without ``fresh`` an answer may come from the kept graph while a newer one is built (``current_graph``),
    and says so in ``skipped``; a shipment the kept graph does not hold yet waits for the new one.

    Raises ``NetworkError`` naming the problem: an unknown shipment, one with no named party, a bad depth."""
    if depth < 1:
        raise NetworkError(f"--depth {depth}: the depth is a number of hops, 1 or more")
    with store.begin() as conn:
        if not shipment_known(conn, partner, shipment_id):
            raise NetworkError(f"no stored shipment {partner}/{shipment_id}")
    graph, updated, since = current_graph(store, cfg, fresh)
    try:
        found = backtrack_graph(graph, partner, shipment_id, depth, cfg)
    except NetworkError:
        if since is None:
            raise
        graph, updated, since = current_graph(store, cfg)  # stored after the kept graph: build it now
        found = backtrack_graph(graph, partner, shipment_id, depth, cfg)
    if since is not None:
        found = Found(found.links, [*found.skipped, _stale_note(since)], found.hubs)
    near = found.links.head(cfg.limit * 10)  # the nearest, then ranked with their risk
    start = pl.DataFrame({"partner": [partner], "shipment_id": [shipment_id]})
    with store.begin() as conn:
        risks = risk(conn, pl.concat([near.select("partner", "shipment_id"), start]))
    own = risks.filter((pl.col("partner") == partner) & (pl.col("shipment_id") == shipment_id)
                       & pl.col("note").str.contains("^(seized|referred)"))
    ranked = rank(Found(near, found.skipped), risks, cfg.limit)
    return Backtracked(describe(graph, ranked), found.links.height, found.skipped, updated, steps(graph, ranked),
                       found.hubs, own["note"][0] if own.height else None)


def seen(store: Store) -> pl.DataFrame:
    """partner, shipment_id, seen (filed, else stored) of every current shipment version."""
    S = t.shipments
    df = store.read_frame(select(S.c.partner, S.c.shipment_id, func.coalesce(S.c.filed_at, S.c.received_at))
                          .where(S.c.is_current.is_(True)),
                          {"partner": pl.String, "shipment_id": pl.String, "seen": pl.String})
    return df.with_columns(pl.col("seen").str.replace("T", " ").str.slice(0, 19)
                           .str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False))


def outcome_marks(store: Store) -> pl.DataFrame:
    """partner, shipment_id, result, when: seizures and referrals recorded on stored shipments."""
    OC = sv.outcomes
    df = store.read_frame(select(OC.c.partner, OC.c.shipment_id, OC.c.result,
                                 func.coalesce(OC.c.examined_at, OC.c.recorded_at))
                          .where(OC.c.result.in_(["seized", "referred"])),
                          {"partner": pl.String, "shipment_id": pl.String, "result": pl.String, "when": pl.String})
    return df.with_columns(pl.col("when").str.replace("T", " ").str.slice(0, 10).alias("when"))


def communities(store: Store, cfg: NetworkConfig, fresh: bool = True) -> tuple[Graph, np.ndarray, pl.DataFrame]:
    """The network up to date (without ``fresh``: perhaps the kept graph, see ``current_graph``), each node's
    community, and every community of two actors or more summarised (``network.communities.COMMUNITY_SCHEMA``)."""
    hit, _, _ = _current(store, cfg, fresh)
    with _labelling:
        if hit.labels is None:
            hit.labels = labels_of(hit.graph)
    return hit.graph, hit.labels, summarise(hit.graph, hit.labels, seen(store), outcome_marks(store))


@dataclass(frozen=True)
class Community:
    summary: dict[str, Any]  # one row of COMMUNITY_SCHEMA
    actors: pl.DataFrame  # actor_id, name, links (its edges in the graph), most linked first
    shipments: pl.DataFrame  # partner, shipment_id, seen, outcome (seized/referred and when), newest first


def community(store: Store, cfg: NetworkConfig, community_id: str, fresh: bool = True) -> Community:
    """One community's actors and shipments; ``NetworkError`` naming it when there is no such community."""
    graph, labels, summary = communities(store, cfg, fresh)
    nodes = community_nodes(graph, labels, summary, community_id)
    if nodes.is_empty():
        raise NetworkError(f"no community {community_id} (community ids change when the network does: list them "
                           "again)")
    marks = outcome_marks(store).group_by("partner", "shipment_id").agg(
        pl.concat_str([pl.col("result"), pl.col("when")], separator=" ").sort().str.join(", ").alias("outcome"))
    ships = nodes.filter(pl.col("kind") == "shipment").select("partner", "shipment_id").join(
        seen(store), on=["partner", "shipment_id"], how="left").join(marks, on=["partner", "shipment_id"], how="left")
    actors = nodes.filter(pl.col("kind") == "actor").select(pl.col("key").alias("actor_id"), pl.col("label").alias(
        "name"), pl.col("degree").alias("links")).sort("links", "actor_id", descending=[True, False])
    return Community(summary.filter(pl.col("community") == community_id).row(0, named=True), actors,
                     ships.sort("seen", "partner", "shipment_id", descending=[True, False, False], nulls_last=True))


def ftm_export(store: Store, cfg: NetworkConfig, sort: str = "risk", n: int | None = None) -> Iterator[dict[str, Any]]:
    """The communities (the first ``n`` by ``sort``, or all) as FollowTheMoney entities."""
    graph, labels, summary = communities(store, cfg)
    return ftm_entities(graph, labels, top(summary, sort, n), seen(store), outcome_marks(store))
