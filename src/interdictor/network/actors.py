"""Parties into actors, incrementally and explainably.

A party's *variant* is its folded name (``screen.parties.keys.name_key``, the party matcher's
folding) with its address key (``screen.parties.addresses``).  Variants join one actor when they
share a phone or an e-mail that is not a hub, or when they are a company (a legal form in the name)
under the same folded name at another address.  A shared address or e-mail domain alone does not make
one actor — people share buildings and mail providers — but it still links shipments in the graph.

An identifier used by ``hub_names`` distinct names or more is a hub (a consolidator's address, a
courier's phone, a mail provider): it joins no actors and the graph leaves it out.  The count comes
from the stored traffic, so an identifier becomes a hub when the traffic makes it one.

Incremental: a batch's variants are resolved against the stored variants they touch (same variant,
same non-hub phone or e-mail, same company name); stored actors that a batch joins are merged into
the smallest id, and nothing else is recomputed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
import rustworkx as rx

from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.keys import name_key
from interdictor.screen.parties.part import email_key, phone_key

STRONG = ("phone", "email")  # identifiers that make one actor (when not hubs)
LEGAL_FORM = r"\b(co|corp|corporation|company|ltd|limited|inc|llc|gmbh|sarl|srl|bv|pvt|plc|trading|industrial)\b"

OCCURRENCE_SCHEMA = pl.Schema({"partner": pl.String, "shipment_id": pl.String, "party": pl.String,
                               "version": pl.Int32, "variant": pl.String})
USE_SCHEMA = pl.Schema({"variant": pl.String, "kind": pl.String, "value": pl.String, "name_key": pl.String,
                        "shown": pl.String})
VARIANT_SCHEMA = pl.Schema({"variant": pl.String, "actor_id": pl.String, "name": pl.String,
                            "name_key": pl.String, "evidence": pl.String})


def actor_id(variant: str) -> str:
    return "A" + hashlib.sha256(variant.encode()).hexdigest()[:15]


def phone_shown(col: pl.Expr) -> pl.Expr:
    """E.164 (``+`` and digits) when the number was written with its country code (``+`` or ``00``),
    else its digits.  Matching uses the last ten digits (``phone_key``), so +1 555… and 555… agree."""
    raw = col.str.strip_chars()
    d = raw.str.replace_all(r"[^0-9]", "")
    return (pl.when(raw.str.starts_with("+")).then(pl.lit("+") + d)
            .when(d.str.starts_with("00")).then(pl.lit("+") + d.str.slice(2))
            .otherwise(d))


@dataclass(frozen=True)
class Keyed:
    """A batch's parties keyed: which variant each party is, the distinct variants, what they use."""

    occurrences: pl.DataFrame  # OCCURRENCE_SCHEMA
    variants: pl.DataFrame  # variant, name, name_key
    uses: pl.DataFrame  # USE_SCHEMA


def key_parties(parties: pl.DataFrame) -> Keyed:
    """``parties``: partner, shipment_id, version, party, name, address, postal_code, country, phone, email."""
    p = annotate(parties.with_columns(pl.col(c).cast(pl.String) for c in ("name", "phone", "email")))
    names = p.select(pl.col("name").unique())  # a shipper sends many parcels: each name folded once
    p = p.join(names.with_columns(name_key(pl.col("name")).alias("name_key")), on="name", how="left",
               maintain_order="left").filter(pl.col("name_key").is_not_null() & (pl.col("name_key") != ""))
    p = p.with_columns(
        (pl.col("name_key") + "|" + pl.col("addr_key").fill_null("")).alias("variant"),
        phone_key(pl.col("phone")).alias("_phone"),
        email_key(pl.col("email")).alias("_email"),
    )
    occurrences = p.select(pl.col(c).cast(t) for c, t in OCCURRENCE_SCHEMA.items()).unique(
        subset=["partner", "shipment_id", "party"], keep="first", maintain_order=True)
    variants = p.unique(subset=["variant"], keep="first", maintain_order=True).select("variant", "name", "name_key")
    base = ("variant", "name_key")
    shown_address = pl.concat_str([pl.col("address"), pl.col("postal_code"), pl.col("country")],
                                  separator=", ", ignore_nulls=True)
    uses = pl.concat([
        p.filter(pl.col("addr_key").is_not_null()).select(
            *base, pl.lit("address").alias("kind"), pl.col("addr_key").alias("value"), shown_address.alias("shown")),
        p.filter(pl.col("_phone").is_not_null()).select(
            *base, pl.lit("phone").alias("kind"), pl.col("_phone").alias("value"),
            phone_shown(pl.col("phone")).alias("shown")),
        p.filter(pl.col("_email").is_not_null()).select(
            *base, pl.lit("email").alias("kind"), pl.col("_email").alias("value"), pl.col("_email").alias("shown")),
        p.filter(pl.col("_email").is_not_null()).select(
            *base, pl.lit("domain").alias("kind"), pl.col("_email").str.split("@").list.last().alias("value"),
            (pl.lit("@") + pl.col("_email").str.split("@").list.last()).alias("shown")),
    ]).unique(subset=["variant", "kind", "value"], keep="first", maintain_order=True)
    return Keyed(occurrences, variants, uses.select(list(USE_SCHEMA)))


def company_keys(name_keys: pl.Series) -> pl.Series:
    """The folded names that are a company's (a legal form among the words): same name, same actor."""
    return name_keys.filter(name_keys.str.contains(LEGAL_FORM) & (name_keys.str.len_chars() >= 6)).unique()


@dataclass(frozen=True)
class Resolution:
    variants: pl.DataFrame  # VARIANT_SCHEMA: the batch's new variants with their actor
    merges: dict[str, str]  # stored actor id -> the actor it is now part of


def resolve(keyed: Keyed, known: pl.DataFrame, known_uses: pl.DataFrame, hubs: pl.DataFrame) -> Resolution:
    """Actors for a batch's new variants.

    ``known``: stored variants the batch touches (variant, actor_id, name_key) — the batch's own, those
    with a company name of the batch; ``known_uses``: stored (variant, actor_id, kind, value) for the
    batch's phones and e-mails; ``hubs``: (kind, value) of identifiers that are hubs (after the batch).

    Columnar: the ties (a stored actor's variants, a shared non-hub phone or e-mail, one company name)
    are edges of a graph whose connected components (rustworkx) are the actors."""
    hub = hubs.select("kind", "value")
    strong = keyed.uses.filter(pl.col("kind").is_in(STRONG)).join(hub, on=["kind", "value"], how="anti")
    stored_strong = known_uses.join(hub, on=["kind", "value"], how="anti")
    all_known = pl.concat([known.select("variant", "actor_id"), stored_strong.select("variant", "actor_id")]).unique()
    shared = pl.concat([strong.select("variant", "kind", "value"),
                        stored_strong.select("variant", "kind", "value")]).unique()
    names = pl.concat([keyed.variants.select("variant", "name_key"), known.select("variant", "name_key")]).unique()
    companies = names.filter(pl.col("name_key").is_in(company_keys(keyed.variants["name_key"]).implode()))
    label = pl.when(pl.col("kind") == "email").then(pl.lit("e-mail")).otherwise(pl.col("kind"))
    # why a variant joined: a shared phone or e-mail first (rank 0), then a company name (rank 1)
    ties = pl.concat([
        all_known.select(pl.col("variant").alias("a"), ("@" + pl.col("actor_id")).alias("b"),
                         pl.lit(None, pl.String).alias("why"), pl.lit(2).alias("rank")),
        shared.select(pl.col("variant").alias("a"), pl.col("variant").min().over("kind", "value").alias("b"),
                      pl.format("same {} {}", label, pl.col("value")).alias("why"), pl.lit(0).alias("rank")),
        companies.select(pl.col("variant").alias("a"), pl.col("variant").min().over("name_key").alias("b"),
                         pl.format("same company name '{}' at another address", pl.col("name_key")).alias("why"),
                         pl.lit(1).alias("rank")),
    ]).filter(pl.col("a") != pl.col("b"))
    nodes = pl.concat([keyed.variants["variant"], ties["a"], ties["b"]]).unique(maintain_order=True)
    ix = pl.DataFrame({"node": nodes}).with_row_index("i")
    edges = ties.join(ix.rename({"node": "a", "i": "ai"}), on="a").join(ix.rename({"node": "b", "i": "bi"}), on="b")
    g = rx.PyGraph(multigraph=False)
    g.add_nodes_from(range(ix.height))
    g.extend_from_edge_list(list(zip(edges["ai"].to_list(), edges["bi"].to_list(), strict=True)))
    comp = [0] * ix.height
    for c, members in enumerate(rx.connected_components(g)):
        for m in members:
            comp[m] = c
    nodes_c = ix.with_columns(pl.Series("c", comp, dtype=pl.Int64))
    # a component's actor: the smallest stored actor id in it, else a hash of its smallest variant
    stored = pl.concat([
        nodes_c.filter(pl.col("node").str.starts_with("@")).select("c", pl.col("node").str.slice(1).alias("actor_id")),
        all_known.join(nodes_c.rename({"node": "variant"}), on="variant").select("c", "actor_id"),
    ]).unique()
    chosen = stored.group_by("c").agg(pl.col("actor_id").min().alias("chosen"))
    merges = stored.join(chosen, on="c").filter(pl.col("actor_id") != pl.col("chosen")).unique("actor_id")
    new = keyed.variants.join(known.select("variant"), on="variant", how="anti").join(
        nodes_c.rename({"node": "variant"}), on="variant", how="left")
    fresh = new.join(chosen, on="c", how="anti").group_by("c").agg(pl.col("variant").min().alias("first"))
    fresh = fresh.with_columns(pl.Series("fresh", [actor_id(v) for v in fresh["first"].to_list()], dtype=pl.String))
    why = pl.concat([ties.select(pl.col("a").alias("variant"), "why", "rank"),
                     ties.select(pl.col("b").alias("variant"), "why", "rank")]).filter(
        pl.col("why").is_not_null()).sort("rank", "why").unique("variant", keep="first")
    out = (new.join(chosen, on="c", how="left").join(fresh.select("c", "fresh"), on="c", how="left")
           .join(why.select("variant", pl.col("why").alias("evidence")), on="variant", how="left")
           .with_columns(pl.coalesce("chosen", "fresh").alias("actor_id")))
    return Resolution(out.select(list(VARIANT_SCHEMA)),
                      dict(zip(merges["actor_id"].to_list(), merges["chosen"].to_list(), strict=True)))
