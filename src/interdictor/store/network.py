"""Actors and links of stored shipments: bring the network up to date, and hand its tables to the graph.

``update`` resolves the parties of every current shipment version not yet in the network (a first
build, a new batch, an amendment) with ``interdictor.network.actors`` and writes what it found;
``graph_tables`` and ``risk`` read what ``interdictor.network.graph`` and ``.evidence`` work on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, delete, func, select
from sqlalchemy import update as sql_update

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.actors import VARIANT_SCHEMA, company_keys, key_parties, resolve
from interdictor.network.evidence import RISK_SCHEMA, describe, rank
from interdictor.network.graph import Found, build
from interdictor.network.graph import backtrack as backtrack_graph
from interdictor.store import schema as t
from interdictor.store import schema_network as n
from interdictor.store import schema_service as sv
from interdictor.store.db import Store

IN_CHUNK = 500
WHOLE = 5_000  # more keys than this: read the table once and filter in memory rather than IN-lists

PARTY_COLUMNS = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "party": pl.String,
                 "name": pl.String, "address": pl.String, "postal_code": pl.String, "country": pl.String,
                 "phone": pl.String, "email": pl.String}


def _where_in(store: Store, stmt: Callable[[ColumnElement[bool] | None], Select[Any]], col: Any,
              values: list[str], schema: dict[str, Any], name: str) -> pl.DataFrame:
    """``stmt`` restricted to ``col`` in ``values``: IN-lists for a few, the whole table filtered for many."""
    values = sorted(set(values))
    if len(values) > WHOLE:
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


def hubs(store: Store, cfg: NetworkConfig) -> pl.DataFrame:
    """Identifiers used by ``cfg.hub_names`` distinct names or more: (kind, value, names)."""
    U = n.network_uses
    names = func.count(func.distinct(U.c.name_key))
    stmt = select(U.c.kind, U.c.value, names).group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names)
    return store.read_frame(stmt, {"kind": pl.String, "value": pl.String, "names": pl.Int64})


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
    hub = hubs(store, cfg)
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
    """What ``network.graph.build`` takes: parties with their actors, the actors' identifiers, the hubs."""
    V, U, NP = n.network_variants, n.network_uses, n.network_parties
    parties = store.read_frame(select(NP.c.partner, NP.c.shipment_id, NP.c.party, V.c.actor_id, V.c.name,
                                  V.c.evidence).select_from(NP.join(V, V.c.variant == NP.c.variant)),
                     {"partner": pl.String, "shipment_id": pl.String, "party": pl.String, "actor_id": pl.String,
                      "name": pl.String, "evidence": pl.String})
    uses = store.read_frame(select(V.c.actor_id, U.c.kind, U.c.value, func.min(U.c.shown)).select_from(
        U.join(V, V.c.variant == U.c.variant)).group_by(V.c.actor_id, U.c.kind, U.c.value),
        {"actor_id": pl.String, "kind": pl.String, "value": pl.String, "shown": pl.String})
    return parties, uses, hubs(store, cfg)


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


@dataclass(frozen=True)
class Backtracked:
    rows: pl.DataFrame  # RESULT_COLUMNS
    linked: int  # linked shipments found (rows holds at most cfg.limit)
    skipped: list[str]  # hubs and crowded nodes not followed, in words
    updated: Updated


def backtrack(store: Store, cfg: NetworkConfig, partner: str, shipment_id: str, depth: int) -> Backtracked:
    """The network brought up to date, then every stored shipment linked to this one, ranked, with paths.

    Raises ``NetworkError`` naming the problem: an unknown shipment, one with no named party, a bad depth."""
    if depth < 1:
        raise NetworkError(f"--depth {depth}: the depth is a number of hops, 1 or more")
    with store.begin() as conn:
        if not shipment_known(conn, partner, shipment_id):
            raise NetworkError(f"no stored shipment {partner}/{shipment_id}")
    updated = update(store, cfg)
    graph = build(*graph_tables(store, cfg), cfg)
    found = backtrack_graph(graph, partner, shipment_id, depth, cfg)
    near = found.links.head(cfg.limit * 10)  # the nearest, then ranked with their risk
    with store.begin() as conn:
        risks = risk(conn, near.select("partner", "shipment_id"))
    ranked = rank(Found(near, found.skipped), risks, cfg.limit)
    return Backtracked(describe(graph, ranked), found.links.height, found.skipped, updated)
