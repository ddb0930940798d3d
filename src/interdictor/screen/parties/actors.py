"""The same actor across shipments, and consignments split among parcels.

Name-and-address variants of a party are linked into one actor when:

* they share a street address and their names match (``similarity.compare``
  at the match threshold): "Hubei Guanlang Biotech" and "Hubei Guanleng
  Bio-Tech Co" at one return address;
* they share a phone number or an e-mail address;
* they are a company (a shipper) with the same folded name at another address —
  companies move; private persons with the same name usually are different people.

Every link carries its evidence.  The actor id is a hash of the smallest variant
in the group, so the same inputs always give the same id.

A consignment is split (or commingled) when one consignee actor receives
several parcels within a few days from shippers that are one actor under
several names, or from one shipper each below the de minimis value.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from interdictor.model import REASON_SCHEMA, empty
from interdictor.screen.parties.keys import name_key
from interdictor.screen.parties.part import PartiesConfig, email_key, phone_key
from interdictor.screen.parties.similarity import DEFAULT_THRESHOLD, compare_names
from interdictor.screen.parties.text import name_variants, normalise

MAX_GROUP = 40  # variants at one address compared pairwise at most (a bigger group is a hub)
SPLIT_WEIGHT = 20.0


@dataclass(frozen=True)
class Link:
    actor_id: str
    variant: str  # role|name key|address key
    name: str
    address: str | None
    evidence: str


def actor_id(variant: str) -> str:
    """An actor's id: a hash of its smallest variant, so the same inputs always give the same id."""
    return "A" + hashlib.sha256(variant.encode()).hexdigest()[:15]


EDGE_SCHEMA = pl.Schema({"a": pl.String, "b": pl.String, "why": pl.String})


def components(edges: pl.DataFrame) -> pl.DataFrame:
    """Connected groups of the nodes named in ``edges`` (EDGE_SCHEMA: two nodes and why they are one).

    One row per node: ``node``, ``root`` (the smallest node of its group, so the same inputs always give the
    same root) and ``why`` (the reason of the first edge, in ``edges``' order, that touches it and gives one).
    Union-find over integer ids (scipy's connected components): no Python call per node or edge."""
    edges = edges.select(pl.col(c).cast(t) for c, t in EDGE_SCHEMA.items()).with_row_index("_e")
    nodes = pl.concat([edges["a"], edges["b"]]).unique().sort()  # index order = string order
    if nodes.is_empty():
        return pl.DataFrame(schema={"node": pl.String, "root": pl.String, "why": pl.String})
    ix = pl.DataFrame({"node": nodes}).with_row_index("_i")
    e = edges.join(ix.rename({"node": "a", "_i": "ai"}), on="a").join(ix.rename({"node": "b", "_i": "bi"}), on="b")
    n = nodes.len()
    ai, bi = e["ai"].to_numpy().astype(np.int64), e["bi"].to_numpy().astype(np.int64)
    _, labels = connected_components(coo_matrix((np.ones(len(ai), dtype=bool), (ai, bi)), shape=(n, n)),
                                     directed=False)
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n, dtype=np.int64))  # a group's smallest node index
    touched = pl.concat([e.select("_e", pl.col("a").alias("node"), "why"), e.select("_e", pl.col("b").alias("node"), "why")])
    why = touched.filter(pl.col("why").is_not_null() & (pl.col("why") != "")).group_by("node").agg(
        pl.col("why").sort_by("_e").first())
    return pl.DataFrame({"node": nodes, "root": nodes.gather(first[labels])}).join(why, on="node", how="left")


def link_actors(
    parties: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD, evidence: bool = True
) -> tuple[pl.DataFrame, list[Link]]:
    """(shipment_id, party, actor_id, name, variant) for every named party, and the evidence of each link.

    ``parties`` is annotated (addresses.annotate)."""
    p = parties.with_columns(pl.col(c).cast(pl.String) for c in ("name", "phone", "email"))
    p = p.filter(pl.col("name").is_not_null()).with_columns(
        name_key(pl.col("name")).alias("nk"),
        phone_key(pl.col("phone")).alias("pk"),
        email_key(pl.col("email")).alias("ek"),
    )
    p = p.with_columns(
        pl.concat_str([pl.col("party"), pl.col("nk"), pl.col("addr_key").fill_null("")], separator="|").alias(
            "variant"
        )
    ).with_columns(
        # a company under the same name at another address is the same company: one group
        pl.when((pl.col("party") == "shipper") & (pl.col("nk").str.len_chars() >= 6))
        .then(pl.lit("shipper|") + pl.col("nk"))
        .otherwise(pl.col("variant"))
        .alias("group")
    )
    variants = p.unique(subset=["variant"]).select(
        "variant", "group", "party", "nk", "name", "addr_key", "address", "pk", "ek"
    )
    edges: list[tuple[str, str, str]] = []
    at_address = (
        variants.filter(pl.col("addr_key").is_not_null())
        .unique(subset=["party", "addr_key", "group"])
        .group_by("party", "addr_key")
        .agg("group", "name")
        .filter(pl.col("group").list.len().is_between(2, MAX_GROUP))
    )
    for g in at_address.iter_rows(named=True):
        for (ga, na), (gb, nb) in combinations(zip(g["group"], g["name"], strict=True), 2):
            c = compare_names(name_variants(na), name_variants(nb))
            if c.score >= threshold:
                edges.append((ga, gb, f"same address, names match ({c.score:.2f}: {c.explain()})"))
    for col, what in (("pk", "phone"), ("ek", "e-mail")):
        shared = (
            variants.filter(pl.col(col).is_not_null())
            .unique(subset=["party", col, "group"])
            .group_by("party", col)
            .agg("group")
            .filter(pl.col("group").list.len() >= 2)
        )
        for g in shared.iter_rows(named=True):
            for other in g["group"][1:MAX_GROUP]:
                edges.append((g["group"][0], other, f"same {what} {g[col]}"))
    moved = variants.filter(pl.col("group") != pl.col("variant")).group_by("group").agg(pl.len().alias("n"))
    multi = set(moved.filter(pl.col("n") >= 2)["group"].to_list())
    linked = components(pl.DataFrame(edges, schema=EDGE_SCHEMA, orient="row"))
    root = dict(zip(linked["node"].to_list(), linked["root"].to_list(), strict=True))
    reason = {k: v for k, v in zip(linked["node"].to_list(), linked["why"].to_list(), strict=True) if v}
    mapping = {grp: actor_id(root.get(grp, grp)) for grp in set(root) | multi}
    links: list[Link] = []
    if mapping and evidence:
        info = variants.filter(pl.col("group").is_in(pl.Series(list(mapping), dtype=pl.String).implode()))
        for r in info.iter_rows(named=True):
            why = reason.get(r["group"]) or (
                "same shipper name at another address" if r["group"] in multi else ""
            )
            links.append(
                Link(
                    mapping[r["group"]], r["variant"], r["name"], r["address"], why or "group representative"
                )
            )
    m = pl.DataFrame(
        {"group": list(mapping), "_linked": list(mapping.values())},
        schema={"group": pl.String, "_linked": pl.String},
    )
    out = p.join(m, on="group", how="left").with_columns(
        pl.coalesce("_linked", pl.lit("A") + pl.col("group").hash(seed=11).cast(pl.String)).alias("actor_id")
    )
    return out.select("shipment_id", "party", "actor_id", "name", "variant"), links


def repeat_consignees(parties: pl.DataFrame, cfg: PartiesConfig) -> pl.DataFrame:
    """The parties of shipments whose consignee (by address or by name) recurs often enough
    in the batch for a split consignment — the only ones the split rule needs actors for."""
    n = cfg.split_min_shipments
    if (parties.get_column("party") == "consignee").sum() < n:  # too few consignees for any to recur n times
        return parties.clear()
    cons = parties.filter(pl.col("party") == "consignee").with_columns(name_key(pl.col("name")).alias("_nk"))
    hot = cons.filter(
        (pl.len().over("addr_key") >= n) & pl.col("addr_key").is_not_null()
        | (pl.len().over("_nk") >= n) & pl.col("_nk").is_not_null()
    )["shipment_id"].unique()
    return parties.filter(pl.col("shipment_id").is_in(hot.implode()))


def core_name(raw: str) -> str:
    """A name folded and without its legal form: "X Co., Ltd." and "X Company Limited" are one name."""
    form = normalise(raw)
    return " ".join(t for t, k in zip(form.tokens, form.kinds, strict=True) if k != "legal")


def _max_in_window(times: list[datetime | None], window: timedelta) -> tuple[int, timedelta]:
    ts = sorted(t for t in times if t is not None)
    if len(ts) < len(times):  # undated parcels count as part of the batch's window
        return len(times), timedelta(0)
    best, span, j = 0, timedelta(0), 0
    for i, t in enumerate(ts):
        while t - ts[j] > window:
            j += 1
        if i - j + 1 > best:
            best, span = i - j + 1, t - ts[j]
    return best, span


def split_reasons(actors: pl.DataFrame, shipments: pl.DataFrame, cfg: PartiesConfig) -> pl.DataFrame:
    cons = actors.filter(pl.col("party") == "consignee").select(
        "shipment_id", pl.col("actor_id").alias("consignee_actor"), pl.col("name").alias("consignee")
    )
    ship = actors.filter(pl.col("party") == "shipper").select(
        "shipment_id", pl.col("actor_id").alias("shipper_actor"), pl.col("name").alias("shipper")
    )
    j = cons.join(ship, on="shipment_id").join(
        shipments.select("shipment_id", "filed_at", "declared_value"), on="shipment_id", how="left"
    )
    groups = (
        j.group_by("consignee_actor")
        .agg(
            "shipment_id",
            "filed_at",
            "declared_value",
            "shipper_actor",
            "shipper",
            pl.col("consignee").first(),
        )
        .filter(pl.col("shipment_id").list.len() >= cfg.split_min_shipments)
    )
    window = timedelta(days=cfg.split_window_days)
    rows: list[dict[str, Any]] = []
    for g in groups.iter_rows(named=True):
        by_shipper: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(g["shipper_actor"]):
            by_shipper[a].append(i)
        hub = len(by_shipper) >= cfg.split_hub_shippers
        for idx in by_shipper.values():
            names = sorted({g["shipper"][i] for i in idx})
            # "Co., Ltd." and "Company Limited" are one name written twice, not two names
            distinct = len({core_name(n) for n in names})
            values = [g["declared_value"][i] for i in idx]
            low = all(v is not None and v <= cfg.de_minimis_value for v in values)
            if len(idx) < cfg.split_min_shipments or not (distinct >= 2 or low):
                continue
            if hub and distinct < 2:
                continue  # a hub's parcels from one shipper under one name are its ordinary business
            count, span = _max_in_window([g["filed_at"][i] for i in idx], window)
            if count < cfg.split_min_shipments:
                continue
            how = f"one shipper under {len(names)} names" if distinct >= 2 else "one shipper"
            value_note = f", each declared at or under {cfg.de_minimis_value:.0f}" if low else ""
            ev = (
                f"consignee '{g['consignee']}' received {count} parcels within {span.days + span.seconds / 86400:.1f} "
                f"days from {how} ({'; '.join(names[:4])}){value_note}"
            )
            for i in idx:
                rows.append(
                    {
                        "shipment_id": g["shipment_id"][i],
                        "code": "PARTY_SPLIT_CONSIGNMENT",
                        "weight": SPLIT_WEIGHT,
                        "evidence": ev,
                        "item": None,
                        "party": "consignee",
                    }
                )
    if not rows:
        return empty(REASON_SCHEMA)
    return pl.DataFrame(rows, schema=REASON_SCHEMA).unique(subset=["shipment_id", "code"])
