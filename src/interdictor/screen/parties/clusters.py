"""Clusters within a day: parcels of one day that share a return address, a phone, an e-mail or a
consignee across differently named shippers, scored on what sets a fake return address apart from
an e-commerce consolidator.

Both put many names at one address.  A fake address is new (its names are not the address's
history), and its parcels look alike: vague goods, heavy for the words at a few dollars a kilo, to
a few receivers near the border.  A consolidator is a hub (``hubs``: hundreds of sellers, in the
store's history or on the day), and its parcels carry varied ordinary goods at ordinary weights to
receivers all over the country.  A cluster fires when it is not a hub, its names outnumber the
address's history, and enough of the other signs hold; each member is told which cluster it is in.

The day's earlier files are in the store: ``DayHistory`` holds their members (keyed and described
by the same functions as a batch) and the identifiers' name counts before them.  ``grown`` gives the
stored shipments whose cluster a new batch made fire, for re-assessment; while a run screens, the
detector hands them to the run's ``GrownKeys`` (context part ``GROWN``) as it finds them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, empty
from interdictor.screen.context import Context
from interdictor.screen.parties.hubs import identifier_uses
from interdictor.screen.parties.keys import name_key
from interdictor.screen.parties.part import GOODS_SCHEMA, ID_SCHEMA, ClusterConfig, DayHistory

KIND_WORDS = {"address": "return address", "phone": "shipper phone", "email": "shipper e-mail",
              "consignee": "consignee"}
CODES = {"consignee": "CLUSTER_CONSIGNEE_COMMINGLED"}
CODE = "CLUSTER_COMMINGLED"
WEIGHTS = {CODE: 45.0, "CLUSTER_CONSIGNEE_COMMINGLED": 35.0}


# ------------------------------------------------------------------ keys and goods of shipments


def shipment_ids(shipments: pl.DataFrame, parties: pl.DataFrame, partner: pl.Expr | None = None) -> pl.DataFrame:
    """``ID_SCHEMA``: each shipment's day and its shipper's address, phone and e-mail and its consignee,
    with the shipper's name key.  ``parties`` is annotated; ``shipments`` has ``filed_at`` (and
    ``partner`` when ``partner`` says so)."""
    day = shipments.select(
        (partner if partner is not None else pl.lit(None, pl.String)).alias("partner"),
        "shipment_id", pl.col("filed_at").dt.date().alias("day"))
    shippers = parties.filter(pl.col("party") == "shipper").unique("shipment_id", keep="first")
    cons = parties.filter(pl.col("party") == "consignee").unique("shipment_id", keep="first").select(
        "shipment_id", pl.col("addr_key").alias("c_value"))
    wide = shippers.select("shipment_id", "name", "addr_key", "phone", "email").join(
        cons.select("shipment_id", "c_value"), on="shipment_id", how="left").join(day, on="shipment_id")
    uses = identifier_uses(wide, keep=("partner", "shipment_id", "day"), more={"consignee": "c_value"})
    return uses.with_columns(pl.lit(None, pl.String).alias("shown")).select(list(ID_SCHEMA))


def with_shown(ids: pl.DataFrame, parties: pl.DataFrame) -> pl.DataFrame:
    """``ids`` with ``shown``: the identifier as the partner wrote it (for the members of candidates only: a
    day's every identifier is not worth the copy)."""
    raw = {"address": "_a", "phone": "_p", "email": "_e", "consignee": "_c"}
    shippers = parties.filter(pl.col("party") == "shipper").unique("shipment_id", keep="first").select(
        "shipment_id", pl.col("address").alias("_a"), pl.col("phone").alias("_p"), pl.col("email").alias("_e"))
    cons = parties.filter(pl.col("party") == "consignee").unique("shipment_id", keep="first").select(
        "shipment_id", pl.concat_str([pl.col("name"), pl.col("city")], separator=", ", ignore_nulls=True).alias("_c"))
    shown = pl.coalesce(*(pl.when(pl.col("kind") == k).then(pl.col(c)) for k, c in raw.items()))
    return (ids.drop("shown").join(shippers, on="shipment_id", how="left").join(cons, on="shipment_id", how="left")
            .with_columns(shown.alias("shown")).select(list(ID_SCHEMA)))


def receiver_key() -> pl.Expr:
    """A consignee: its address key, else its name key."""
    return pl.coalesce(pl.col("addr_key"), pl.lit("name:") + name_key(pl.col("name")))


@cache
def _vague_pattern() -> str:
    from interdictor.reference.kb import load_kb
    from interdictor.screen.goods.vague import compile_vague

    return compile_vague(load_kb()).full


def shipment_goods(batch: Batch, parties: pl.DataFrame, located: pl.DataFrame, border_km: float,
                   partner: pl.Expr | None = None) -> pl.DataFrame:
    """``GOODS_SCHEMA``: weight, value, whether the words name no goods, and who receives, where.

    ``located``: ``shipment_id, border_km`` of consignees located (``Geo.locate_consignees``)."""
    from interdictor.screen.goods.normalise import token_view

    first = batch.items.sort("item").unique("shipment_id", keep="first").select(
        "shipment_id", token_view(pl.col("description")).alias("_t"), pl.col("weight_kg").alias("_iw"))
    items = batch.items.group_by("shipment_id").agg(pl.col("weight_kg").sum().alias("_wsum"),
                                                    pl.col("value").sum().alias("_vsum"))
    cons = parties.filter(pl.col("party") == "consignee").unique("shipment_id", keep="first").select(
        "shipment_id", receiver_key().alias("receiver"),
        pl.concat_str([pl.col("city"), pl.col("state")], separator=" ", ignore_nulls=True).alias("place"),
        pl.col("country").alias("_cc"))
    s = (batch.shipments.select((partner if partner is not None else pl.lit(None, pl.String)).alias("partner"),
                                "shipment_id", "gross_weight_kg", "declared_value")
         .join(first, on="shipment_id", how="left").join(items, on="shipment_id", how="left")
         .join(cons, on="shipment_id", how="left")
         .join(located.select("shipment_id", pl.col("border_km").alias("_bk")), on="shipment_id", how="left"))
    return s.select(
        "partner", "shipment_id",
        pl.coalesce(pl.col("gross_weight_kg"), pl.col("_wsum")).alias("kg"),
        pl.coalesce(pl.col("declared_value"), pl.col("_vsum")).alias("usd"),
        pl.col("_t").str.contains(_vague_pattern()).fill_null(False).alias("vague"),
        pl.col("_t").str.strip_chars().alias("goods"),
        "receiver", "place",
        ((pl.col("_bk") <= border_km) | (pl.col("_cc") == "MX")).fill_null(False).alias("near"),
    ).select(list(GOODS_SCHEMA))


# ------------------------------------------------------------------ clusters


def candidates(ids: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """``day, kind, value, names`` of identifiers used by ``cfg.names`` shipper names or more in a day,
    with a member from the batch (``partner`` null) — and fewer than a hub's: a hub never fires, so its
    parcels are not looked at further."""
    return (ids.group_by("day", "kind", "value")
            .agg(pl.col("name_key").n_unique().alias("names"), pl.col("partner").is_null().any().alias("_new"))
            .filter(pl.col("names").is_between(cfg.names, cfg.hub_names - 1) & pl.col("_new")).drop("_new"))


def members(ids: pl.DataFrame, goods: pl.DataFrame, counts: pl.DataFrame, cfg: ClusterConfig) -> pl.DataFrame:
    """Every member of a cluster that fires: ``partner, shipment_id, code, weight, evidence, party``.

    ``ids``: the batch's and the stored day's ``ID_SCHEMA`` rows; ``goods``: ``GOODS_SCHEMA`` of (at least)
    the candidates' members; ``counts``: the identifiers' names before the day (``COUNT_SCHEMA``)."""
    cand = candidates(ids, cfg)
    if cand.is_empty():
        return empty({"partner": pl.String, **dict(REASON_SCHEMA)})
    key = ["day", "kind", "value"]
    m = ids.join(cand.select(key), on=key, nulls_equal=True).join(
        goods, on=["partner", "shipment_id"], how="left", nulls_equal=True)
    per_kg = pl.col("usd").sum() / pl.col("kg").sum()
    c = (m.group_by(key).agg(
        pl.struct("partner", "shipment_id").n_unique().alias("parcels"),
        pl.col("name_key").n_unique().alias("names"),
        pl.col("receiver").n_unique().alias("receivers"),
        pl.col("near").mean().alias("near"),
        pl.col("vague").mean().alias("vague"),
        (pl.col("goods").n_unique() / pl.len()).alias("variety"),
        pl.col("kg").median().alias("kg"),
        per_kg.alias("per_kg"),
        pl.col("place").filter(pl.col("near")).drop_nulls().mode().sort().first().alias("near_place"),
        pl.col("shown").drop_nulls().first().alias("shown"),
        pl.col("goods").drop_nulls().mode().sort().first().alias("common_goods"),
    ).join(counts.rename({"names": "history"}), on=["kind", "value"], how="left")
        .with_columns(pl.col("history").fill_null(0)))
    fresh = (pl.col("history") < pl.col("names")) & (pl.col("names") + pl.col("history") < cfg.hub_names)
    signs = [
        pl.col("receivers") <= pl.max_horizontal(pl.lit(2), pl.col("parcels") // 3),
        pl.col("near") >= cfg.border_share,
        (pl.col("vague") >= cfg.vague_share) | (pl.col("variety") <= 0.34),
        (pl.col("per_kg") <= cfg.usd_per_kg) & (pl.col("kg") >= cfg.min_kg),
    ]
    n_signs = pl.sum_horizontal([s.fill_null(False).cast(pl.Int32) for s in signs]) + fresh.cast(pl.Int32)
    need = pl.when(pl.col("kind") == "consignee").then(5).otherwise(cfg.signs)
    fired = c.with_columns(n_signs.alias("signs")).filter(fresh & (pl.col("signs") >= need))
    if fired.is_empty():
        return empty({"partner": pl.String, **dict(REASON_SCHEMA)})
    word = pl.col("kind").replace_strict(KIND_WORDS, default="identifier")
    history = pl.when(pl.col("history") > 0).then(pl.format("{} names there before", pl.col("history"))) \
        .otherwise(pl.lit("no names there before"))
    where = pl.when(pl.col("near_place").is_not_null()).then(pl.format(" (e.g. {})", pl.col("near_place"))) \
        .otherwise(pl.lit(""))
    what = pl.when(pl.col("vague") >= cfg.vague_share).then(
        pl.format("{}% vague goods ('{}')", (pl.col("vague") * 100).round(0).cast(pl.Int64), pl.col("common_goods"))
    ).otherwise(pl.format("{} kinds of goods", (pl.col("variety") * pl.col("parcels")).round(0).cast(pl.Int64)))
    ev = pl.format(
        "one of {} parcels on {} from {} shipper names at {} '{}' ({}); {} receivers, {}% near the border{}; {}; "
        "median {} kg at {} USD/kg",
        "parcels", pl.col("day").cast(pl.String).fill_null("an undated day"), "names", word, "shown", history,
        "receivers", (pl.col("near") * 100).round(0).cast(pl.Int64), where, what,
        pl.col("kg").round(1), pl.col("per_kg").round(1))
    out = fired.select(*key, ev.alias("evidence"),
                       pl.col("kind").replace_strict(CODES, default=CODE).alias("code"))
    return m.join(out, on=key, nulls_equal=True).select(
        "partner", "shipment_id", "code",
        pl.col("code").replace_strict(WEIGHTS, return_dtype=pl.Float64).alias("weight"),
        "evidence", pl.lit(None, pl.Int32).alias("item"),
        pl.when(pl.col("kind") == "consignee").then(pl.lit("consignee")).otherwise(pl.lit("shipper")).alias("party"),
    ).unique(["partner", "shipment_id", "code", "evidence"])


def _possible(parties: pl.DataFrame, stored: pl.DataFrame, cfg: ClusterConfig, near: pl.Series) -> pl.Series:
    """The batch's shipments that may belong to a cluster, found cheaply (a superset: days are not told
    apart here): a batch's parcels come from far fewer senders (name, address, phone, e-mail) than there
    are parcels, so the shipper's identifiers are keyed per sender; a consignee is kept when its raw
    shipper names (at least as many as their keys) could make the count, or when the stored days have it —
    and it is in the border area (``near``: shipment ids), which a consignee's cluster needs."""
    shippers = parties.filter(pl.col("party") == "shipper").select("shipment_id", "name", "addr_key", "phone", "email")
    sender = ["name", "addr_key", "phone", "email"]
    raw = {"name": "_n", "addr_key": "_ak", "phone": "_ph", "email": "_em"}
    senders = shippers.select(sender).unique().with_columns(pl.col(c).alias(a) for c, a in raw.items())
    uses = identifier_uses(senders, keep=tuple(raw.values()))
    key = ["kind", "value"]
    names = pl.concat([uses.select(*key, "name_key"), stored.filter(pl.col("kind") != "consignee").select(
        *key, "name_key")]).group_by(key).agg(pl.col("name_key").n_unique().alias("names"))
    hot = names.filter(pl.col("names") >= cfg.names).select(key)
    hot_senders = uses.join(hot, on=key).select(*(pl.col(a).alias(c) for c, a in raw.items())).unique()
    by_sender = shippers.join(hot_senders, on=sender, how="semi", nulls_equal=True)["shipment_id"]
    cons = parties.filter((pl.col("party") == "consignee") & pl.col("addr_key").is_not_null()
                          & pl.col("shipment_id").is_in(near.implode())).select(
        "shipment_id", pl.col("addr_key").alias("c_value"))
    known = stored.filter(pl.col("kind") == "consignee").select(pl.col("value").alias("c_value")).unique()
    crowded = pl.concat([
        cons.join(shippers.select("shipment_id", "name"), on="shipment_id").group_by("c_value")
        .agg(pl.col("name").n_unique().alias("_n")).filter(pl.col("_n") >= cfg.names).select("c_value"),
        known])
    by_consignee = cons.join(crowded, on="c_value", how="semi")["shipment_id"]
    return pl.concat([by_sender, by_consignee]).unique()


@dataclass(frozen=True)
class Clustered:
    reasons: pl.DataFrame  # REASON_SCHEMA: the batch's members
    grown: pl.DataFrame  # partner, shipment_id: stored members of clusters the batch made fire


def cluster_batch(batch: Batch, parties: pl.DataFrame, day: DayHistory, cfg: ClusterConfig,
                  locate: object | None, border_km: float) -> Clustered:
    """The batch's clusters against the stored day.  ``parties``: the batch's, annotated; ``locate``: a
    ``Geo`` (``locate_consignees``) or None when no geography is loaded."""
    none = Clustered(empty(REASON_SCHEMA), pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String}))
    if batch.shipments.is_empty():
        return none
    # the whole batch's parties: the route detector located them already, and the answer is kept for them
    located = (locate.locate_consignees(batch.parties) if locate is not None and hasattr(locate, "locate_consignees")
               else pl.DataFrame(schema={"shipment_id": pl.String, "border_km": pl.Float64}))
    mx = parties.filter((pl.col("party") == "consignee") & (pl.col("country") == "MX"))["shipment_id"]
    near = pl.concat([located.filter(pl.col("border_km") <= border_km)["shipment_id"], mx])
    possible = _possible(parties, day.ids, cfg, near)
    if possible.is_empty():
        return none
    parties = parties.filter(pl.col("shipment_id").is_in(possible.implode()))
    ids = shipment_ids(batch.shipments.filter(pl.col("shipment_id").is_in(possible.implode())), parties)
    stored = day.ids.join(ids.select("shipment_id").unique(), on="shipment_id", how="anti")  # resent: the batch's
    all_ids = pl.concat([ids, stored])
    cand = candidates(all_ids, cfg)
    if cand.is_empty():
        return none
    key = ["day", "kind", "value"]
    ids_in = all_ids.join(cand.select(key), on=key, nulls_equal=True)
    new = ids_in.filter(pl.col("partner").is_null())["shipment_id"].unique()
    sub = Batch(*(f.filter(pl.col("shipment_id").is_in(new.implode()))
                  for f in (batch.shipments, batch.items, batch.parties, batch.legs)))
    sub_parties = parties.filter(pl.col("shipment_id").is_in(new.implode()))
    ids_in = pl.concat([with_shown(ids_in.filter(pl.col("partner").is_null()), sub_parties),
                        ids_in.filter(pl.col("partner").is_not_null())])
    goods = pl.concat([shipment_goods(sub, sub_parties, located, border_km), day.goods])
    found = members(ids_in, goods, day.counts, cfg)
    if found.is_empty():
        return none
    reasons = found.filter(pl.col("partner").is_null()).drop("partner")
    grown = found.filter(pl.col("partner").is_not_null()).select("partner", "shipment_id").unique()
    return Clustered(reasons, grown)


def history_counts(history: pl.DataFrame) -> pl.DataFrame:
    """``COUNT_SCHEMA`` of the store's ``kind, raw, postal_code, country, names`` (raw identifiers), keyed as a
    batch's are; raw spellings of one identifier add up."""
    from interdictor.screen.parties.addresses import annotate
    from interdictor.screen.parties.hubs import add_counts
    from interdictor.screen.parties.part import COUNT_SCHEMA, email_key, phone_key

    if history.is_empty():
        return pl.DataFrame(schema=COUNT_SCHEMA)
    addr = history.filter(pl.col("kind").is_in(["address", "consignee"]))
    if addr.height:
        addr = annotate(addr.rename({"raw": "address"})).select(
            "kind", pl.col("addr_key").alias("value"), "names")
    other = history.filter(pl.col("kind").is_in(["phone", "email"])).select(
        "kind", pl.when(pl.col("kind") == "phone").then(phone_key(pl.col("raw")))
        .otherwise(email_key(pl.col("raw"))).alias("value"), "names")
    return add_counts(*(f.drop_nulls("value") for f in (addr, other) if f.height))


def stored_day(shipments: pl.DataFrame, items: pl.DataFrame, parties: pl.DataFrame, counts: pl.DataFrame,
               locate: object | None, border_km: float) -> DayHistory:
    """The ``DayHistory`` of stored shipments (``partner`` in ``shipments`` and ``parties``; ``filed_at`` the
    day's time) and the identifiers' name counts before them, keyed as a batch is."""
    from interdictor.model import ITEM_SCHEMA, PARTY_SCHEMA, SHIPMENT_SCHEMA, conform
    from interdictor.screen.parties.addresses import annotate

    if shipments.is_empty():
        return DayHistory(counts=counts)
    uid = pl.concat_str([pl.col("partner"), pl.col("shipment_id")], separator="\x1f")
    # partners may reuse an id: key the rows by partner and id while they go through the batch functions
    s = shipments.with_columns(uid.alias("_uid"))
    b = Batch(conform(s.with_columns(pl.col("_uid").alias("shipment_id")), SHIPMENT_SCHEMA),
              conform(items.with_columns(uid.alias("shipment_id")) if "partner" in items.columns else items, ITEM_SCHEMA),
              conform(parties.with_columns(uid.alias("shipment_id")), PARTY_SCHEMA),
              pl.DataFrame(schema={"shipment_id": pl.String}))
    ann = annotate(b.parties)
    located = (locate.locate_consignees(b.parties) if locate is not None and hasattr(locate, "locate_consignees")
               else pl.DataFrame(schema={"shipment_id": pl.String, "border_km": pl.Float64}))
    back = s.select("_uid", "partner", pl.col("shipment_id").alias("_sid"))
    ids = with_shown(shipment_ids(b.shipments, ann), ann).drop("partner").join(back, left_on="shipment_id", right_on="_uid").select(
        *[pl.col("_sid").alias("shipment_id") if c == "shipment_id" else pl.col(c) for c in ID_SCHEMA])
    goods = shipment_goods(b, ann, located, border_km).drop("partner").join(
        back, left_on="shipment_id", right_on="_uid").select(
        *[pl.col("_sid").alias("shipment_id") if c == "shipment_id" else pl.col(c) for c in GOODS_SCHEMA])
    return DayHistory(ids=ids, goods=goods, counts=counts)


def in_context(batch: Batch, ctx: Context, parties: pl.DataFrame | None = None) -> Clustered:
    """``cluster_batch`` with the parties part and geography of ``ctx`` (nothing without a parties part)."""
    from interdictor.screen.parties.addresses import annotate
    from interdictor.screen.parties.part import PartiesPart

    part = ctx.part("parties")
    if not isinstance(part, PartiesPart) or batch.parties.is_empty():
        return Clustered(empty(REASON_SCHEMA), pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String}))
    route = ctx.part("route")
    geo = getattr(route, "geo", None)
    area = float(getattr(route, "border_area_km", 100.0))
    return cluster_batch(batch, parties if parties is not None else annotate(batch.parties), part.day,
                         part.clusters, geo, area)


def grown(batch: Batch, ctx: Context) -> pl.DataFrame:
    """``partner, shipment_id`` of stored shipments of the day whose cluster this batch grew into one
    that fires: the shipments to re-assess once the batch is screened."""
    return in_context(batch, ctx).grown


GROWN = "clusters.grown"  # the context part a run sets to collect ``grown`` keys as its batches are screened


class GrownKeys:
    """``partner, shipment_id`` of stored shipments a run's batches grew into a cluster that fires, collected
    by the parties detector as it screens (from several threads), for the run to re-assess at its end."""

    def __init__(self) -> None:
        self._frames: list[pl.DataFrame] = []
        self._lock = threading.Lock()

    def add(self, keys: pl.DataFrame) -> None:
        if keys.height:
            with self._lock:
                self._frames.append(keys.select("partner", "shipment_id"))

    def keys(self) -> pl.DataFrame:
        with self._lock:
            frames = list(self._frames)
        if not frames:
            return pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String})
        return pl.concat(frames).unique(maintain_order=True)
