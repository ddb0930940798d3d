"""Actors and links of stored shipments: bring the network up to date, and hand its tables to the graph.

``update`` resolves the parties of every current shipment version not yet in the network (a first
build, a new batch, an amendment) with ``interdictor.network.actors`` and writes what it found;
``graph_tables`` and ``risk`` read what ``interdictor.network.graph`` and ``.evidence`` work on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, and_, delete, func, select
from sqlalchemy import update as sql_update

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.actors import VARIANT_SCHEMA, company_keys, key_parties, resolve
from interdictor.network.evidence import RISK_SCHEMA, describe, rank
from interdictor.network.graph import Found, build
from interdictor.network.graph import backtrack as backtrack_graph
from interdictor.network.risk import IDENTS, SeizureMarks, party_marks
from interdictor.store import schema as t
from interdictor.store import schema_network as n
from interdictor.store import schema_service as sv
from interdictor.store.db import Store

IN_CHUNK = 500
WHOLE = 5_000  # more keys than this: read the table once and filter in memory rather than IN-lists

PARTY_COLUMNS = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "party": pl.String,
                 "name": pl.String, "address": pl.String, "postal_code": pl.String, "country": pl.String,
                 "phone": pl.String, "email": pl.String}


def _frame(conn: Connection, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([tuple(r) for r in conn.execute(stmt)], schema=schema, orient="row")


def _where_in(conn: Connection, stmt: Callable[[ColumnElement[bool] | None], Select[Any]], col: Any,
              values: list[str], schema: dict[str, Any], name: str) -> pl.DataFrame:
    """``stmt`` restricted to ``col`` in ``values``: IN-lists for a few, the whole table filtered for many."""
    values = sorted(set(values))
    if len(values) > WHOLE:
        return _frame(conn, stmt(None), schema).filter(pl.col(name).is_in(pl.Series(values).implode()))
    parts = [_frame(conn, stmt(col.in_(values[i:i + IN_CHUNK])), schema) for i in range(0, len(values), IN_CHUNK)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def pending_parties(conn: Connection) -> pl.DataFrame:
    """Parties of current shipment versions the network has not seen (new, or amended since)."""
    S, P, NP = t.shipments, t.parties, n.network_parties
    seen = select(NP.c.partner).where(NP.c.partner == S.c.partner, NP.c.shipment_id == S.c.shipment_id,
                                      NP.c.version == S.c.version).exists()
    stmt = (select(P.c.partner, P.c.shipment_id, P.c.version, P.c.party, P.c.name, P.c.address, P.c.postal_code,
                   P.c.country, P.c.phone, P.c.email)
            .select_from(S.join(P, and_(P.c.partner == S.c.partner, P.c.shipment_id == S.c.shipment_id,
                                        P.c.version == S.c.version)))
            .where(S.c.is_current.is_(True), P.c.name.is_not(None), ~seen))
    return _frame(conn, stmt, PARTY_COLUMNS)


def hubs(conn: Connection, cfg: NetworkConfig) -> pl.DataFrame:
    """Identifiers used by ``cfg.hub_names`` distinct names or more: (kind, value, names)."""
    U = n.network_uses
    names = func.count(func.distinct(U.c.name_key))
    stmt = select(U.c.kind, U.c.value, names).group_by(U.c.kind, U.c.value).having(names >= cfg.hub_names)
    return _frame(conn, stmt, {"kind": pl.String, "value": pl.String, "names": pl.Int64})


@dataclass(frozen=True)
class Updated:
    shipments: int  # shipment versions added to the network
    variants: int  # new party variants
    merged: int  # stored actors merged into another


def update(store: Store, cfg: NetworkConfig) -> Updated:
    """Bring the network up to date with the stored shipments (only what is new is resolved)."""
    with store.begin() as conn:
        parties = pending_parties(conn)
    return add_parties(store, cfg, parties, replace=True)


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
KUSCHEMA = {"variant": pl.String, "actor_id": pl.String, "kind": pl.String, "value": pl.String}


def add_parties(store: Store, cfg: NetworkConfig, parties: pl.DataFrame, *, replace: bool = True) -> Updated:
    """Resolve these shipment versions' parties (``PARTY_COLUMNS``) into actors and store what is new: the
    variants and the identifiers they use, and which variant each party is.  Only what the batch touches
    is read (its variants, its phones and e-mails, its company names, the counts that make its identifiers
    hubs).  ``replace``: the shipments may be in the network already (an amendment, a rebuild), so their
    earlier parties are removed first; a screening run passes False for versions it has just stored new."""
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
                  lambda: _read_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(*_w(w)),
                                   V.c.variant, batch_variants["variant"].to_list(), VSCHEMA, "variant")),
        _matching(store, companies,
                  "SELECT v.variant, v.actor_id, v.name_key FROM _net_keys k CROSS JOIN network_variants v "
                  "WHERE v.name_key = k.name_key", VSCHEMA,
                  lambda: _read_in(store, lambda w: select(V.c.variant, V.c.actor_id, V.c.name_key).where(*_w(w)),
                                   V.c.name_key, companies["name_key"].to_list(), VSCHEMA, "name_key")),
    ]).unique(subset=["variant"])
    # only a stored variant has stored identifiers: a new one's are all new
    seen = batch_variants.join(known.select("variant"), on="variant", how="semi")
    stored_uses = _matching(
        store, seen,
        "SELECT u.variant, u.kind, u.value FROM _net_keys k CROSS JOIN network_uses u WHERE u.variant = k.variant",
        {"variant": pl.String, "kind": pl.String, "value": pl.String},
        lambda: _read_in(store, lambda w: select(U.c.variant, U.c.kind, U.c.value).where(*_w(w)), U.c.variant,
                         seen["variant"].to_list(), {"variant": pl.String, "kind": pl.String, "value": pl.String},
                         "variant"))
    new_uses = keyed.uses.join(stored_uses, on=["variant", "kind", "value"], how="anti")
    # rows in key order fill the B-tree pages in turn instead of all over (as screening stores its chunks)
    store.insert_frames([("network_uses", new_uses.sort("variant", "kind", "value"))])  # hubs count this batch
    # resolution asks only whether a phone or e-mail is a hub (an address or domain never joins actors)
    idents = keyed.uses.filter(pl.col("kind").is_in(["phone", "email"])).select("kind", "value").unique()
    hub = _matching(
        store, idents,
        "SELECT u.kind, u.value, COUNT(DISTINCT u.name_key) AS names FROM _net_keys k CROSS JOIN network_uses u "
        f"WHERE u.kind = k.kind AND u.value = k.value GROUP BY u.kind, u.value HAVING COUNT(DISTINCT u.name_key) >= "
        f"{int(cfg.hub_names)}",
        {"kind": pl.String, "value": pl.String, "names": pl.Int64},
        lambda: _in_memory_hubs(store, cfg, idents))
    strong = keyed.uses.filter(pl.col("kind").is_in(["phone", "email"])).join(
        hub, on=["kind", "value"], how="anti").select("kind", "value").unique()
    known_uses = _matching(
        store, strong,
        "SELECT u.variant, v.actor_id, u.kind, u.value FROM _net_keys k CROSS JOIN network_uses u "
        "CROSS JOIN network_variants v WHERE u.kind = k.kind AND u.value = k.value AND v.variant = u.variant", KUSCHEMA,
        lambda: _read_in(store, lambda w: select(U.c.variant, V.c.actor_id, U.c.kind, U.c.value).select_from(
            U.join(V, V.c.variant == U.c.variant)).where(U.c.kind.in_(["phone", "email"]), *_w(w)),
            U.c.value, strong["value"].to_list(), KUSCHEMA, "value").join(strong, on=["kind", "value"]))
    res = resolve(keyed, known, known_uses, hub)
    now = datetime.now(UTC)
    shipments = keyed.occurrences.select("partner", "shipment_id").unique()
    with store.begin() as conn:
        for old, new in res.merges.items():
            conn.execute(sql_update(V).where(V.c.actor_id == old).values(actor_id=new))
        if replace:
            for p, ids in shipments.group_by("partner"):
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


def _read_in(store: Store, stmt: Callable[[ColumnElement[bool] | None], Select[Any]], col: Any, values: list[str],
             schema: dict[str, Any], name: str) -> pl.DataFrame:
    with store.begin() as conn:
        return _where_in(conn, stmt, col, values, schema, name)


def _in_memory_hubs(store: Store, cfg: NetworkConfig, idents: pl.DataFrame) -> pl.DataFrame:
    with store.begin() as conn:
        return hubs(conn, cfg).join(idents, on=["kind", "value"], how="semi")


def graph_tables(store: Store, cfg: NetworkConfig) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """What ``network.graph.build`` takes: parties with their actors, the actors' identifiers, the hubs."""
    V, U, NP = n.network_variants, n.network_uses, n.network_parties
    with store.begin() as conn:
        parties = _frame(conn, select(NP.c.partner, NP.c.shipment_id, NP.c.party, V.c.actor_id, V.c.name,
                                      V.c.evidence).select_from(NP.join(V, V.c.variant == NP.c.variant)),
                         {"partner": pl.String, "shipment_id": pl.String, "party": pl.String, "actor_id": pl.String,
                          "name": pl.String, "evidence": pl.String})
        uses = _frame(conn, select(V.c.actor_id, U.c.kind, U.c.value, func.min(U.c.shown)).select_from(
            U.join(V, V.c.variant == U.c.variant)).group_by(V.c.actor_id, U.c.kind, U.c.value),
            {"actor_id": pl.String, "kind": pl.String, "value": pl.String, "shown": pl.String})
        return parties, uses, hubs(conn, cfg)


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


def _hub_counts(conn: Connection, cfg: NetworkConfig, idents: pl.DataFrame) -> pl.DataFrame:
    """Which of these (kind, value) identifiers are hubs (used by ``cfg.hub_names`` names or more)."""
    U = n.network_uses
    names = func.count(func.distinct(U.c.name_key))
    out = _where_in(conn, lambda w: select(U.c.kind, U.c.value, names).where(*_w(w)).group_by(U.c.kind, U.c.value)
                    .having(names >= cfg.hub_names), U.c.value, idents["value"].to_list(),
                    {"kind": pl.String, "value": pl.String, "names": pl.Int64}, "value")
    return out.join(idents.select("kind", "value").unique(), on=["kind", "value"], how="semi")


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
    OC, P, U = sv.outcomes, t.parties, n.network_uses
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
    cols = [P.c[c] for c in PARTY_COLUMNS]
    parts = [pl.DataFrame(schema=PARTY_COLUMNS)]
    for (partner,), rows in seized.group_by("partner"):
        def stmt(w: ColumnElement[bool] | None, p: Any = partner) -> Select[Any]:
            return select(*cols).where(P.c.partner == p, *_w(w))

        got = _where_in(conn, stmt, P.c.shipment_id, rows["shipment_id"].to_list(), PARTY_COLUMNS, "shipment_id")
        parts.append(got.join(rows.select("shipment_id", "version"), on=["shipment_id", "version"], how="semi"))
    keyed = key_parties(pl.concat(parts))
    idents = keyed.uses.filter(pl.col("kind").is_in(IDENTS)).select("kind", "value").unique()
    hub = _hub_counts(conn, cfg, idents)
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
        hub2 = _hub_counts(conn, cfg, uses.select("kind", "value").unique())
        marks.append(party_marks(uses, occ, _actor_variants(conn, names), hub2, linked, 2))
    out = pl.concat(marks).unique(["kind", "value", "hops", "seized", "via", "role"], keep="first")
    last = seized["recorded"].max()
    return SeizureMarks(out, seized.height, f"{last:%Y-%m-%d %H:%M}" if isinstance(last, datetime) else "none", cfg)
