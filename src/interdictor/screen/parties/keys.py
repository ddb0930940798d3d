"""Cheap column keys for parties, computed the same way on a batch and on the store's history.

``name_key``: the name's words, lower case, punctuation out, sorted — "WANG, Wei"
and "Wei Wang" agree.  ``consignee_hash``: 64-bit hash of name key, postal code
and country, the identity used to tell a first-seen consignee.
"""

from __future__ import annotations

import polars as pl


def name_key(col: pl.Expr) -> pl.Expr:
    return (
        col.str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.sort()
        .list.join(" ")
    )


def postal_short(col: pl.Expr) -> pl.Expr:
    return col.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "").str.slice(0, 5)


def consignee_hash(name: pl.Expr, postal: pl.Expr, country: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [
            name_key(name).fill_null(""),
            postal_short(postal).fill_null(""),
            country.str.to_uppercase().fill_null(""),
        ],
        separator="|",
    ).hash(seed=7)
