"""The measure of a hub: how many distinct names use one identifier.

An identifier (a return address, a phone, an e-mail, a consignee's address) that many unrelated names
use is a *hub* — a consolidator's address, a courier's phone, a fulfilment centre.  The network links
no actors through a hub; a day's cluster at a hub is its ordinary business.  Both ask the same
question of the same keys (``identifier_uses``: ``addresses.annotate``, ``part.phone_key``,
``part.email_key``, ``keys.name_key``), so the measure is written once, here:

* ``identifier_uses`` — the long table ``kind, value, name_key`` of a table of parties;
* ``name_counts`` — distinct names per identifier, from such a table;
* ``add_counts`` — counts of separate periods (the store's history and a day) added together;
* ``hubs`` — the identifiers with at least ``min_names`` names.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from interdictor.screen.parties.keys import name_key
from interdictor.screen.parties.part import COUNT_SCHEMA, email_key, phone_key

__all__ = ["COUNT_SCHEMA", "KINDS", "add_counts", "hubs", "identifier_uses", "name_counts"]
KINDS = ("address", "phone", "email")


def _by_value(df: pl.DataFrame, col: str, key: pl.Expr, out: str) -> pl.DataFrame:
    """``out``: ``key`` of ``col``, computed once per distinct value (a day has far fewer names, phones
    and e-mails than parties) and joined back."""
    distinct = df.select(pl.col(col)).unique().drop_nulls().with_columns(key.alias(out))
    return df.join(distinct, on=col, how="left")


def identifier_uses(parties: pl.DataFrame, keep: tuple[str, ...] = (),
                    more: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``*keep, kind, value, name_key`` for every address, phone and e-mail a named party uses.

    ``parties`` is annotated (``addresses.annotate``: it has ``addr_key``) and has ``name``, ``phone``
    and ``email``; ``more`` names further columns of keys to use as kinds of their own (kind: column)."""
    extra = dict(more or {})
    p = parties.select(*keep, "name", "addr_key", "phone", "email", *extra.values())
    p = _by_value(p, "name", name_key(pl.col("name")), "name_key")
    p = _by_value(p, "phone", phone_key(pl.col("phone")), "_phone")
    p = _by_value(p, "email", email_key(pl.col("email")), "_email")
    p = p.filter(pl.col("name_key").is_not_null() & (pl.col("name_key") != "")).select(
        *keep, "name_key", pl.col("addr_key").alias("address"), pl.col("_phone").alias("phone"),
        pl.col("_email").alias("email"), *(pl.col(c).alias(k) for k, c in extra.items()))
    return (
        p.unpivot(index=[*keep, "name_key"], on=[*KINDS, *extra], variable_name="kind", value_name="value")
        .drop_nulls("value")
        .select(*keep, "kind", "value", "name_key")
    )


def name_counts(uses: pl.DataFrame) -> pl.DataFrame:
    """``kind, value, names``: distinct ``name_key`` per identifier of a ``kind, value, name_key`` table."""
    if uses.is_empty():
        return pl.DataFrame(schema=COUNT_SCHEMA)
    return uses.group_by("kind", "value").agg(pl.col("name_key").n_unique().cast(pl.Int64).alias("names"))


def add_counts(*counts: pl.DataFrame) -> pl.DataFrame:
    """Counts of separate periods added (a name in two periods counts in each: an upper bound)."""
    frames = [c.select(list(COUNT_SCHEMA)) for c in counts if c.height]
    if not frames:
        return pl.DataFrame(schema=COUNT_SCHEMA)
    return pl.concat(frames).group_by("kind", "value").agg(pl.col("names").sum())


def hubs(counts: pl.DataFrame, min_names: int) -> pl.DataFrame:
    """The identifiers used by ``min_names`` distinct names or more."""
    return counts.filter(pl.col("names") >= min_names)
