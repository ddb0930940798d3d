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

from dataclasses import dataclass

import polars as pl

from interdictor.screen.parties.actors import EDGE_SCHEMA, actor_id, components
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
    # a variant's uses come from its distinct (phone, e-mail) pairs: a shipper's many parcels are a few rows
    p = p.unique(subset=["variant", "_phone", "_email"], keep="first", maintain_order=True)
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
    ]).unique(subset=["variant", "kind", "value"], keep="first", maintain_order=True)
    return Keyed(occurrences, variants, with_domains(uses.select(list(USE_SCHEMA))))


def with_domains(uses: pl.DataFrame) -> pl.DataFrame:
    """``uses`` (USE_SCHEMA) and the mail domain of each e-mail use (kind ``domain``, shown ``@domain``).  A
    domain follows from its e-mail, so the network stores the e-mails and derives the domains when read."""
    domain = pl.col("value").str.split("@").list.last()
    mail = uses.filter(pl.col("kind") == "email").with_columns(
        pl.lit("domain").alias("kind"), domain.alias("value"), (pl.lit("@") + domain).alias("shown"))
    return pl.concat([uses, mail.unique(subset=["variant", "value"], keep="first", maintain_order=True)])


def company_keys(name_keys: pl.Series) -> pl.Series:
    """The folded names that are a company's (a legal form among the words): same name, same actor."""
    return name_keys.filter(name_keys.str.contains(LEGAL_FORM) & (name_keys.str.len_chars() >= 6)).unique()


@dataclass(frozen=True)
class Resolution:
    variants: pl.DataFrame  # VARIANT_SCHEMA: the batch's new variants with their actor
    merges: dict[str, str]  # stored actor id -> the actor it is now part of


def _stars(members: pl.DataFrame, by: list[str], why: pl.Expr) -> pl.DataFrame:
    """Edges tying every variant of a group (``by``) to the group's smallest variant, with ``why``."""
    first = members.group_by(by).agg(pl.col("variant").min().alias("a"), pl.len().alias("_n")).filter(
        pl.col("_n") >= 2)
    return members.join(first, on=by).filter(pl.col("variant") != pl.col("a")).sort(*by, "variant").select(
        "a", pl.col("variant").alias("b"), why.alias("why"))


def resolve(keyed: Keyed, known: pl.DataFrame, known_uses: pl.DataFrame, hubs: pl.DataFrame) -> Resolution:
    """Actors for a batch's new variants.

    ``known``: stored variants the batch touches (variant, actor_id, name_key) — the batch's own, those
    with a company name of the batch; ``known_uses``: stored (variant, actor_id, kind, value) for the
    batch's phones and e-mails; ``hubs``: (kind, value) of identifiers that are hubs (after the batch).

    The variants and what ties them are edges of one union-find over the whole batch (``components``),
    so a million parties resolve without a Python call per party."""
    hub = hubs.select("kind", "value")
    strong = keyed.uses.filter(pl.col("kind").is_in(STRONG)).join(hub, on=["kind", "value"], how="anti")
    stored_strong = known_uses.join(hub, on=["kind", "value"], how="anti")
    all_known = pl.concat([known.select("variant", "actor_id"), stored_strong.select("variant", "actor_id")]).unique(
        subset=["variant"], keep="first", maintain_order=True)
    shared = pl.concat([strong.select("variant", "kind", "value"),
                        stored_strong.select("variant", "kind", "value")]).unique()
    names = pl.concat([keyed.variants.select("variant", "name_key"), known.select("variant", "name_key")]).unique()
    companies = company_keys(keyed.variants["name_key"])
    edges = pl.concat([
        # one stored actor stays one actor: its variants meet at the actor
        all_known.select((pl.lit("@") + pl.col("actor_id")).alias("a"), pl.col("variant").alias("b"),
                         pl.lit(None, pl.String).alias("why")),
        _stars(shared, ["kind", "value"], pl.concat_str([
            pl.lit("same "), pl.when(pl.col("kind") == "email").then(pl.lit("e-mail")).otherwise(pl.col("kind")),
            pl.lit(" "), pl.col("value")])),
        _stars(names.filter(pl.col("name_key").is_in(companies.implode())), ["name_key"],
               pl.concat_str([pl.lit("same company name '"), pl.col("name_key"), pl.lit("' at another address")])),
    ]).select(list(EDGE_SCHEMA))
    groups = components(edges).join(all_known, left_on="node", right_on="variant", how="left").with_columns(
        pl.when(pl.col("node").str.starts_with("@")).then(pl.col("node").str.slice(1))
        .otherwise(pl.col("actor_id")).alias("stored"))
    # a group's actor: the smallest stored actor id in it, else a hash of its smallest variant (its root: no
    # stored actor means no "@" node in it); the other stored actors in it are merged into that one
    per_root = groups.group_by("root").agg(pl.col("stored").drop_nulls().unique().sort().alias("stored"))
    merges = {old: ids[0] for ids in per_root["stored"].to_list() for old in ids[1:]}
    fresh = per_root.filter(pl.col("stored").list.len() == 0)["root"]
    chosen = pl.concat([
        per_root.filter(pl.col("stored").list.len() > 0).select("root", pl.col("stored").list.first().alias("chosen")),
        pl.DataFrame({"root": fresh, "chosen": pl.Series([actor_id(v) for v in fresh.to_list()], dtype=pl.String)}),
    ])
    new = keyed.variants.join(known.select("variant"), on="variant", how="anti")
    out = new.join(groups.select(pl.col("node").alias("variant"), "root", pl.col("why").alias("evidence")),
                   on="variant", how="left", maintain_order="left").join(chosen, on="root", how="left",
                                                                         maintain_order="left")
    lone = out.filter(pl.col("chosen").is_null())["variant"]  # tied to nothing: an actor of its own
    own = pl.DataFrame({"variant": lone, "_own": [actor_id(v) for v in lone.to_list()]},
                       schema={"variant": pl.String, "_own": pl.String})
    out = out.join(own, on="variant", how="left", maintain_order="left").with_columns(
        pl.coalesce("chosen", "_own").alias("actor_id"))
    return Resolution(out.select(list(VARIANT_SCHEMA)), merges)
