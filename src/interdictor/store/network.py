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
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, bindparam, delete, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.actors import (
    STRONG,
    VARIANT_SCHEMA,
    company_keys,
    key_parties,
    resolve,
    with_domains,
)
from interdictor.network.communities import community_nodes, ftm_entities, labels_of, summarise, top
from interdictor.network.evidence import RISK_SCHEMA, describe, rank, steps
from interdictor.network.graph import Found, Graph, Hub, build
from interdictor.network.graph import backtrack as backtrack_graph
from interdictor.network.risk import IDENTS, SeizureMarks, party_marks
from interdictor.screen.parties import hubs as hub_measure
from interdictor.store import schema as t
from interdictor.store import schema_network as n
from interdictor.store import schema_service as sv
from interdictor.store.db import Store, StoreError

log = logging.getLogger(__name__)

IN_CHUNK = 500
WHOLE = 5_000  # more keys than this: read the table once and filter in memory rather than IN-lists

PARTY_COLUMNS = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "party": pl.String,
                 "name": pl.String, "address": pl.String, "postal_code": pl.String, "country": pl.String,
                 "phone": pl.String, "email": pl.String}


def _frame(src: Store | Connection, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """A query's rows as a frame: a store reads them as Arrow (``Store.read_frame``); a connection (inside a
    transaction that must see its own writes) row by row."""
    if isinstance(src, Store):
        return src.read_frame(stmt, schema)
    return pl.DataFrame([tuple(r) for r in src.execute(stmt)], schema=schema, orient="row")


def _where_in(src: Store | Connection, stmt: Callable[[ColumnElement[bool] | None], Select[Any]], col: Any,
              values: list[str], schema: dict[str, Any], name: str, whole: int = WHOLE) -> pl.DataFrame:
    """``stmt`` restricted to ``col`` in ``values``: IN-lists for a few, the whole table filtered for many."""
    values = sorted(set(values))
    if len(values) > whole:
        return _frame(src, stmt(None), schema).filter(pl.col(name).is_in(pl.Series(values).implode()))
    parts = [_frame(src, stmt(col.in_(values[i:i + IN_CHUNK])), schema) for i in range(0, len(values), IN_CHUNK)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


KEY_COLUMNS = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32}


def pending(store: Store, since: Any = None) -> pl.DataFrame:
    """(partner, shipment_id, version) of the current shipment versions the network has not seen (new, or
    amended since), in the order they were stored; ``since``: of those stored then or later."""
    S, NP = t.shipments, n.network_parties
    seen = select(NP.c.partner).where(NP.c.partner == S.c.partner, NP.c.shipment_id == S.c.shipment_id,
                                      NP.c.version == S.c.version).exists()
    after = [S.c.received_at >= since] if since is not None else []
    stmt = (select(S.c.partner, S.c.shipment_id, S.c.version).where(S.c.is_current.is_(True), ~seen, *after)
            .order_by(S.c.received_at, S.c.partner, S.c.shipment_id))
    return store.read_frame(stmt, KEY_COLUMNS)


def parties_of(store: Store, keys: pl.DataFrame) -> pl.DataFrame:
    """The named parties (``PARTY_COLUMNS``) of these shipment versions (partner, shipment_id, version)."""
    cols = ", ".join(f"p.{c}" for c in PARTY_COLUMNS)
    return _matching(store, keys.select(list(KEY_COLUMNS)),
                     f"SELECT {cols} FROM _net_keys k CROSS JOIN parties p WHERE p.partner = k.partner AND "
                     "p.shipment_id = k.shipment_id AND p.version = k.version AND p.name IS NOT NULL",
                     PARTY_COLUMNS, lambda: _listed_parties(store, keys))


def _listed_parties(src: Store | Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """``parties_of`` through IN-lists, partner by partner: on a connection, or a store without ADBC."""
    P = t.parties
    parts = [pl.DataFrame(schema=PARTY_COLUMNS)]
    for (partner,), rows in keys.group_by("partner"):
        def stmt(w: ColumnElement[bool] | None, p: Any = partner) -> Select[Any]:
            return select(*[P.c[c] for c in PARTY_COLUMNS]).where(P.c.partner == p, P.c.name.is_not(None), *_w(w))

        got = _where_in(src, stmt, P.c.shipment_id, rows["shipment_id"].to_list(), PARTY_COLUMNS, "shipment_id")
        parts.append(got.join(rows.select("shipment_id", "version"), on=["shipment_id", "version"], how="semi"))
    return pl.concat(parts)


def hubs_of(uses: pl.DataFrame, cfg: NetworkConfig) -> pl.DataFrame:
    """``hubs`` over the rows of ``network_uses`` already read (variant, kind, value, name_key, …): the
    measure of ``screen.parties.hubs``."""
    return hub_measure.hubs(hub_measure.name_counts(uses.select("kind", "value", "name_key")), cfg.hub_names)


def hubs(src: Store | Connection, cfg: NetworkConfig, among: pl.DataFrame | None = None) -> pl.DataFrame:
    """Identifiers used by ``cfg.hub_names`` distinct names or more: (kind, value, names) — the measure of
    ``screen.parties.hubs`` over the stored uses (counted in the database, only the candidates read).  With
    ``among`` (kind, value), only those — a batch asks about its own identifiers through the identifier
    index rather than counting the whole table (up to 50,000 values)."""
    U = n.network_uses
    names = func.count(func.distinct(U.c.name_key))
    schema = dict(hub_measure.COUNT_SCHEMA)
    if among is None:
        stmt = select(U.c.kind, U.c.value, names).group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names)
        return hub_measure.hubs(_frame(src, stmt, schema), cfg.hub_names)
    among = among.select("kind", "value").unique()

    def listed() -> pl.DataFrame:
        return _where_in(src, lambda w: select(U.c.kind, U.c.value, names).where(*_w(w))
                         .group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names), U.c.value,
                         among["value"].to_list(), schema, "value", whole=50_000)

    found = listed() if not isinstance(src, Store) else _matching(
        src, among, "SELECT u.kind, u.value, COUNT(DISTINCT u.name_key) AS names FROM _net_keys k "
        "CROSS JOIN network_uses u WHERE u.kind = k.kind AND u.value = k.value "
        f"GROUP BY u.kind, u.value HAVING COUNT(DISTINCT u.name_key) >= {int(cfg.hub_names)}", schema, listed)
    return hub_measure.hubs(found.join(among, on=["kind", "value"]), cfg.hub_names)


@dataclass(frozen=True)
class Updated:
    shipments: int  # shipment versions added to the network
    variants: int  # new party variants
    merged: int  # stored actors merged into another
    more: bool = False  # a growth held to ``most`` versions left some for the next

    def __add__(self, other: Updated) -> Updated:
        return Updated(self.shipments + other.shipments, self.variants + other.variants, self.merged + other.merged,
                       self.more or other.more)


GROW_SHIPMENTS = 400_000  # shipment versions resolved at once (about 800,000 parties: a few hundred MB)
GROW_CACHE_MB = 512  # SQLite pages the growing connection keeps: the network's indexes of a 1 M-shipment store
IDLE_GROWTH = 50_000  # versions a screener or worker with no work resolves before looking for work again
GROW_TRIES = 3  # another process grew the network with the same shipments meanwhile: read what is left, again
# a shipment is stored with the time its chunk was prepared, committed a little later: a growth looks this far
# behind its mark, so a chunk committed while the last growth ran is not passed over
GROW_MARGIN = timedelta(minutes=10)

_growing = threading.Lock()  # one growth at a time in a process


def grown_mark(conn: Connection) -> Any:
    """The newest ``received_at`` the network had grown to (None: never grown, or grown before marks)."""
    NS = n.network_state
    return conn.execute(select(NS.c.mark).where(NS.c.name == "grown")).scalar()


def update(store: Store, cfg: NetworkConfig, progress: Callable[[int, int], None] | None = None, *,
           whole: bool = False, most: int | None = None) -> Updated:
    """Bring the network up to date with the stored shipments: only what is new is resolved.

    Screening stores shipments and leaves their network to this, so a screen's time is its queue's; the
    network is brought up to date by whoever reads it — the graph (backtrack, communities, the workspace),
    the seizure marks of a screening set-up and of a recorded seizure — by the service's screener and the
    stream worker after their batches, and by ``interdictor network build``.

    The stored ``grown`` mark says how far the network has grown: when no shipment has been stored since
    (one index probe), nothing else is read; else the versions stored since the mark (less
    ``GROW_MARGIN``) that the network does not hold are resolved, ``GROW_SHIPMENTS`` at a time
    (``progress(done, total)`` after each).  ``whole``: every stored version is looked at, whatever the mark
    (``network build``: it resolves whatever was missed).  ``most``: resolve that many versions at most and
    say whether some are left (``Updated.more``; the mark moves only once none is) — a screener growing the
    network between batches looks at its queue again after each.  On SQLite the process's other writers
    wait meanwhile (``Store.turn``); two processes growing at once: the one that loses a race for a new actor reads
    what is left and tries again (``GROW_TRIES``)."""
    with _growing, store.turn():
        with store.begin() as conn:
            newest = shipments_mark(conn)
            grown = None if whole else grown_mark(conn)
        if newest is None or (grown is not None and newest <= grown):
            return Updated(0, 0, 0)
        since = None if grown is None else grown - GROW_MARGIN
        done = Updated(0, 0, 0)
        for attempt in range(GROW_TRIES):
            try:
                done = done + _grow(store, cfg, since, progress, most)
                break
            except (IntegrityError, StoreError):
                if attempt == GROW_TRIES - 1:
                    raise
                log.info("another process grew the network meanwhile; resolving what is left")
        if done.more:
            return done
        with store.begin() as conn:  # what was stored up to ``newest`` is in the network now
            NS = n.network_state
            conn.execute(delete(NS).where(NS.c.name == "grown"))
            conn.execute(NS.insert().values(name="grown", mark=newest))
        return done


def keep_up(store: Store, cfg: NetworkConfig | None = None, most: int | None = None) -> Updated | None:
    """``update`` where screening must go on whatever happens to the network (a screener with no work
    waiting, a screening set-up): a network that cannot be brought up to date is logged, and whoever
    reads it next tries again.  None when it failed."""
    try:
        return update(store, cfg or NetworkConfig(), most=most)
    except Exception as exc:
        log.warning("the network was not brought up to date (%s: %s); it is tried again when next read",
                    type(exc).__name__, exc)
        return None


def before_marks(store: Store, cfg: NetworkConfig | None = None) -> None:
    """Before seizure marks are read (``seizure_marks``: they follow the network from a seized shipment to
    the shipments linked to it): the network brought up to date when a seizure is recorded; without one
    there are no marks, and nothing is read but one row."""
    OC = sv.outcomes
    with store.connect() as conn:
        seized = conn.execute(select(OC.c.partner).where(OC.c.result == "seized").limit(1)).first()
    if seized is not None:
        keep_up(store, cfg)


def _grow(store: Store, cfg: NetworkConfig, since: Any, progress: Callable[[int, int], None] | None,
          most: int | None = None) -> Updated:
    keys = pending(store, since)
    done = Updated(0, 0, 0, more=most is not None and keys.height > most)
    if most is not None:
        keys = keys.head(most)
    if progress is not None:
        progress(0, keys.height)
    with store.bulk_cache(GROW_CACHE_MB):
        for i in range(0, keys.height, GROW_SHIPMENTS):
            done = done + add_parties(store, cfg, parties_of(store, keys.slice(i, GROW_SHIPMENTS)))
            if progress is not None:
                progress(min(i + GROW_SHIPMENTS, keys.height), keys.height)
    return done


def _matching(store: Store, keys: pl.DataFrame, sql: str, schema: dict[str, Any],
              fallback: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """``sql`` joined to ``keys`` loaded as the temporary table ``_net_keys`` (one bulk query through ADBC,
    whatever the number of keys); ``fallback`` reads the same through SQLAlchemy when ADBC is unavailable."""
    if keys.is_empty():
        return pl.DataFrame(schema=schema)
    con = store.adbc() if keys.height > IN_CHUNK else None  # a few keys: IN-lists cost less than a table
    if con is None:
        return fallback()
    cur = con.cursor()
    try:
        cur.adbc_ingest("_net_keys", keys.to_arrow(), mode="replace", temporary=True)
        cur.execute(sql)
        tbl = cur.fetch_arrow_table()
        cur.execute("DROP TABLE _net_keys")
        con.commit()
    finally:
        cur.close()
    df = pl.from_arrow(tbl)
    assert isinstance(df, pl.DataFrame)
    if df.is_empty():
        return pl.DataFrame(schema=schema)
    return df.select(pl.col(c).cast(t) for c, t in schema.items())


VSCHEMA = {"variant": pl.String, "actor_id": pl.String, "name_key": pl.String}
SHARING = {"variant": pl.String, "actor_id": pl.String, "kind": pl.String, "value": pl.String, "name_key": pl.String}


def add_parties(store: Store, cfg: NetworkConfig, parties: pl.DataFrame) -> Updated:
    """Resolve these shipment versions' parties (``PARTY_COLUMNS``) into actors and store what is new: the
    variants and the identifiers they use, and which variant each party is.  Only what the batch touches
    is read (its variants, its phones and e-mails, its company names, the counts that make its identifiers
    hubs).  An amended shipment (version 2 or later) may be in the network with an earlier version: its
    earlier parties are removed first (a first version has none)."""
    V, U, NP = n.network_variants, n.network_uses, n.network_parties
    if parties.is_empty():
        return Updated(0, 0, 0)
    keyed = key_parties(parties)
    batch_variants = keyed.variants.select("variant")
    companies = pl.DataFrame({"name_key": company_keys(keyed.variants["name_key"])})
    known = pl.concat([
        _matching(store, batch_variants,
                  "SELECT v.variant, v.actor_id, v.name_key FROM _net_keys k CROSS JOIN network_variants v "
                  "WHERE v.variant = k.variant", VSCHEMA,
                  lambda: _where_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(*_w(w)),
                                   V.c.variant, batch_variants["variant"].to_list(), VSCHEMA, "variant")),
        _matching(store, companies,
                  "SELECT v.variant, v.actor_id, v.name_key FROM _net_keys k CROSS JOIN network_variants v "
                  "WHERE v.name_key = k.name_key", VSCHEMA,
                  lambda: _where_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(*_w(w)),
                                   V.c.name_key, companies["name_key"].to_list(), VSCHEMA, "name_key")),
    ]).unique(subset=["variant"])
    # only a stored variant has stored identifiers: a new one's are all new
    seen = batch_variants.join(known.select("variant"), on="variant", how="semi")
    stored_uses = _matching(
        store, seen,
        "SELECT u.variant, u.kind, u.value FROM _net_keys k CROSS JOIN network_uses u WHERE u.variant = k.variant",
        {"variant": pl.String, "kind": pl.String, "value": pl.String},
        lambda: _where_in(store, lambda w: select(U.c.variant, U.c.kind, U.c.value).where(*_w(w)), U.c.variant,
                         seen["variant"].to_list(), {"variant": pl.String, "kind": pl.String, "value": pl.String},
                         "variant"))
    new_uses = keyed.uses.join(stored_uses, on=["variant", "kind", "value"], how="anti")
    # the stored uses of the batch's phones and e-mails, read once (before the batch's own are stored): they
    # count the names that make an identifier a hub (with the batch's), and tie the batch to stored actors
    idents = keyed.uses.filter(pl.col("kind").is_in(STRONG)).select("kind", "value").unique()
    sharing = _matching(
        store, idents,
        "SELECT u.variant, v.actor_id, u.kind, u.value, u.name_key FROM _net_keys k CROSS JOIN network_uses u "
        "LEFT JOIN network_variants v ON v.variant = u.variant WHERE u.kind = k.kind AND u.value = k.value",
        SHARING,
        lambda: _where_in(store, lambda w: select(U.c.variant, V.c.actor_id, U.c.kind, U.c.value, U.c.name_key)
                          .select_from(U.outerjoin(V, V.c.variant == U.c.variant))
                          .where(U.c.kind.in_(STRONG), *_w(w)), U.c.value, idents["value"].to_list(), SHARING,
                          "value").join(idents, on=["kind", "value"], how="semi"))
    hub = hubs_of(pl.concat([sharing.select("kind", "value", "name_key"),
                             keyed.uses.join(idents, on=["kind", "value"], how="semi")
                             .select("kind", "value", "name_key")]), cfg)
    # (a use stored without its variant's actor, by a growth that failed half-way, counts but ties no one)
    known_uses = sharing.filter(pl.col("actor_id").is_not_null()).join(hub, on=["kind", "value"], how="anti")
    # rows in key order fill the B-tree pages in turn instead of all over (as screening stores its chunks)
    # (a domain is not stored: it follows from the e-mail, and ``graph_tables`` derives it)
    store.insert_frames([("network_uses", new_uses.filter(pl.col("kind") != "domain").sort("variant", "kind", "value"))])
    res = resolve(keyed, known, known_uses, hub)
    now = datetime.now(UTC)
    shipments = keyed.occurrences.select("partner", "shipment_id").unique()
    amended = keyed.occurrences.filter(pl.col("version") > 1).select("partner", "shipment_id").unique()
    with store.begin() as conn:
        if res.merges:
            conn.execute(sql_update(V).where(V.c.actor_id == bindparam("old")).values(actor_id=bindparam("new")),
                         [{"old": old, "new": new} for old, new in res.merges.items()])
        for p, ids in amended.group_by("partner"):
            sids = ids["shipment_id"].to_list()
            for i in range(0, len(sids), IN_CHUNK):
                conn.execute(delete(NP).where(NP.c.partner == p[0], NP.c.shipment_id.in_(sids[i:i + IN_CHUNK])))
    store.insert_frames([
        ("network_variants", res.variants.select(*VARIANT_SCHEMA, pl.lit(now).alias("updated_at")).sort("variant")),
        ("network_parties", keyed.occurrences.sort("partner", "shipment_id", "party")),
    ])
    return Updated(shipments.height, res.variants.height, len(res.merges))


def _w(w: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [w] if w is not None else []


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
    return graph_frames(parties, variants, uses, cfg)


def graph_frames(parties: pl.DataFrame, variants: pl.DataFrame, uses: pl.DataFrame,
                 cfg: NetworkConfig) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``graph_tables`` from the network's three tables as frames, wherever they were read (the store, the
    Spark job over the archive): ``parties`` (partner, shipment_id, party, variant), ``variants`` (variant,
    actor_id, name, evidence), ``uses`` (variant, kind, value, name_key, shown)."""
    uses = with_domains(uses.filter(pl.col("kind") != "domain"))  # (a store written before kept its domains)
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


def shipments_mark(conn: Connection) -> Any:
    """When a shipment (or a new version of one) was last stored: the newest ``received_at``, one index
    probe.  The network is derived from the stored shipments, so while this stays the same a graph
    built after ``update`` is still the whole network."""
    S = t.shipments
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
    with store.connect() as conn:
        mark = shipments_mark(conn)
    key = (store.url, mark, cfg.hub_names, cfg.max_fanout, cfg.busy_counterparties)
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
    with store.connect() as conn:
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
    with store.connect() as conn:
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
            hit.labels = labels_of(hit.graph, cfg)
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


def _actor_variants(conn: Connection, variants: pl.DataFrame) -> pl.DataFrame:
    """(variant, member, name): every variant of the actor each of ``variants`` (variant, name) resolved into;
    a variant the network has not resolved yet is its own actor."""
    V = n.network_variants
    vs = variants["variant"].unique().to_list()
    actors = _where_in(conn, lambda w: select(V.c.variant, V.c.actor_id).where(*_w(w)), V.c.variant, vs,
                       {"variant": pl.String, "actor_id": pl.String}, "variant")
    members = _where_in(conn, lambda w: select(V.c.actor_id, V.c.variant, V.c.name).where(*_w(w)), V.c.actor_id,
                        actors["actor_id"].unique().to_list(),
                        {"actor_id": pl.String, "member": pl.String, "name": pl.String}, "actor_id")
    known = actors.join(members, on="actor_id").select("variant", "member", "name")
    alone = variants.join(actors, on="variant", how="anti").select(
        "variant", pl.col("variant").alias("member"), "name")
    return pl.concat([known, alone]).unique(["variant", "member"])


def _shipment_parties(conn: Connection, keys: pl.DataFrame) -> pl.DataFrame:
    """(partner, shipment_id, party, variant) of these (partner, shipment_id) as the network holds them."""
    NP = n.network_parties
    schema = {"partner": pl.String, "shipment_id": pl.String, "party": pl.String, "variant": pl.String}
    parts = [pl.DataFrame(schema=schema)]
    for (partner,), ids in keys.group_by("partner"):
        def stmt(w: ColumnElement[bool] | None, p: Any = partner) -> Select[Any]:
            return select(NP.c.partner, NP.c.shipment_id, NP.c.party, NP.c.variant).where(NP.c.partner == p, *_w(w))

        parts.append(_where_in(conn, stmt, NP.c.shipment_id, ids["shipment_id"].to_list(), schema, "shipment_id"))
    return pl.concat(parts)


def _sharing(conn: Connection, marks: pl.DataFrame) -> pl.DataFrame:
    """(partner, shipment_id, seized, seized_on): stored shipments with a party among the marked variants or
    using a marked identifier, with the seizure each mark carries."""
    U, NP = n.network_uses, n.network_parties
    ship = {"partner": pl.String, "shipment_id": pl.String, "variant": pl.String}
    variants = marks.filter(pl.col("kind") == "variant")  # a company's stored variants are among them
    by_variant = _where_in(conn, lambda w: select(NP.c.partner, NP.c.shipment_id, NP.c.variant).where(*_w(w)),
                           NP.c.variant, variants["value"].unique().to_list(), ship, "variant")
    marked_ids = marks.filter(pl.col("kind").is_in(IDENTS)).select("kind", "value").unique()
    users = _where_in(conn, lambda w: select(U.c.variant, U.c.kind, U.c.value).where(*_w(w)), U.c.value,
                      marked_ids["value"].to_list(), {"variant": pl.String, "kind": pl.String, "value": pl.String},
                      "value").join(marked_ids, on=["kind", "value"], how="semi")
    by_ident = _where_in(conn, lambda w: select(NP.c.partner, NP.c.shipment_id, NP.c.variant).where(*_w(w)),
                         NP.c.variant, users["variant"].unique().to_list(), ship, "variant")
    via_variant = by_variant.join(variants.select(pl.col("value").alias("variant"), "seized", "seized_on"),
                                  on="variant")
    via_ident = by_ident.join(users, on="variant").join(marks.select("kind", "value", "seized", "seized_on"),
                                                        on=["kind", "value"])
    cols = ["partner", "shipment_id", "seized", "seized_on"]
    return pl.concat([via_variant.select(cols), via_ident.select(cols)]).unique()


def linked_shipments(conn: Connection, marks: SeizureMarks) -> pl.DataFrame:
    """(partner, shipment_id) of the stored shipments the marks reach (within two hops of their seizures),
    the seized shipments themselves left out."""
    seized = marks.marks.select(pl.col("seized").str.split_exact("/", 1).struct.rename_fields(
        ["partner", "shipment_id"])).unnest("seized").unique()
    return (_sharing(conn, marks.marks).select("partner", "shipment_id").unique()
            .join(seized, on=["partner", "shipment_id"], how="anti").sort("partner", "shipment_id"))


def seizure_marks(conn: Connection, cfg: NetworkConfig, before: datetime,
                  only: pl.DataFrame | None = None) -> SeizureMarks:
    """The marks of every seizure recorded before ``before`` and examined within ``cfg.seizure_window_days``
    of it (``network.risk``; ``only``: of these (partner, shipment_id)): the seized shipments' actors and identifiers (one hop), and those of the
    shipments linked to them through a non-hub mark (two hops, at most ``cfg.linked_per_seizure`` each)."""
    OC, U = sv.outcomes, n.network_uses
    seized = _frame(conn, select(OC.c.partner, OC.c.shipment_id, OC.c.version, func.coalesce(OC.c.examined_at,
                                                                                            OC.c.recorded_at),
                                 OC.c.recorded_at).where(OC.c.result == "seized", OC.c.recorded_at <= before),
                    {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32,
                     "on": pl.Datetime("us", "UTC"), "recorded": pl.Datetime("us", "UTC")})
    floor = before.astimezone(UTC) - timedelta(days=cfg.seizure_window_days)
    if only is not None:
        seized = seized.join(only.select("partner", "shipment_id"), on=["partner", "shipment_id"], how="semi")
    seized = (seized.filter(pl.col("on") >= floor).sort("on", descending=True)
              .unique(["partner", "shipment_id"], keep="first"))
    if seized.is_empty():
        return SeizureMarks.empty()
    source = seized.select("partner", "shipment_id", (pl.col("partner") + "/" + pl.col("shipment_id")).alias("seized"),
                           pl.col("on").dt.date().alias("seized_on"), pl.lit(None, pl.String).alias("via"))
    keyed = key_parties(_listed_parties(conn, seized))
    idents = keyed.uses.filter(pl.col("kind").is_in(IDENTS)).select("kind", "value").unique()
    hub = hubs(conn, cfg, idents)
    one = party_marks(keyed.uses, keyed.occurrences.select("partner", "shipment_id", "party", "variant"),
                      _actor_variants(conn, keyed.variants), hub, source, 1)
    # the shipments one hop away: those with a party of a marked actor, or using a marked identifier
    linked = (_sharing(conn, one)
              .join(seized.select("partner", "shipment_id"), on=["partner", "shipment_id"], how="anti")
              .unique().sort("seized", "partner", "shipment_id")
              .with_columns(pl.int_range(pl.len()).over("seized").alias("_n"))
              .filter(pl.col("_n") < cfg.linked_per_seizure)
              .with_columns((pl.col("partner") + "/" + pl.col("shipment_id")).alias("via")).drop("_n"))
    marks = [one]
    if linked.height:
        occ = _shipment_parties(conn, linked.select("partner", "shipment_id").unique())
        vs = occ["variant"].unique().to_list()
        uses = _where_in(conn, lambda w: select(U.c.variant, U.c.kind, U.c.value, U.c.shown).where(*_w(w)),
                         U.c.variant, vs, {"variant": pl.String, "kind": pl.String, "value": pl.String,
                                           "shown": pl.String}, "variant").filter(
            pl.col("kind").is_in(IDENTS))
        names = _where_in(conn, lambda w: select(n.network_variants.c.variant, n.network_variants.c.name).where(
            *_w(w)), n.network_variants.c.variant, vs, {"variant": pl.String, "name": pl.String}, "variant")
        hub2 = hubs(conn, cfg, uses.select("kind", "value").unique())
        marks.append(party_marks(uses, occ, _actor_variants(conn, names), hub2, linked, 2))
    out = pl.concat(marks).unique(["kind", "value", "hops", "seized", "via", "role"], keep="first")
    last = seized["recorded"].max()
    return SeizureMarks(out, seized.height, f"{last:%Y-%m-%d %H:%M}" if isinstance(last, datetime) else "none", cfg)
