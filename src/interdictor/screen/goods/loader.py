"""``load_goods(settings, ...)``: the goods part, built before screening.

Pure: it takes the licence registry and the HS profiles as values.  ``profiles_from`` learns profiles
from the recent item lines the store hands in (``store.goods.profile_lines``); with none (or no store)
the shipped knowledge base and the built-in priors make a working cold start.  The glue that reads the
store is ``screening.loaders.goods_part``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from interdictor.screen.goods.context import GoodsContext, build_goods_context
from interdictor.screen.goods.licence import Registry
from interdictor.screen.goods.profiles import LINE_SCHEMA, Profiles, learn, load_priors
from interdictor.screen.goods.structure import find_opsin

PROFILE_MIN_N = 30


def profiles_from(raw: pl.DataFrame, min_n: int = PROFILE_MIN_N) -> Profiles:
    """Profiles learned from stored item lines (``store.goods.profile_lines``) over the priors."""
    if raw.is_empty():
        return load_priors()
    n = pl.len().over("partner", "shipment_id", "version")
    # weight per piece is the line's only when the shipment has one line (as in detection)
    lines = raw.with_columns(
        pl.when((n == 1) & (pl.col("pieces").cast(pl.Float64) > 0))
        .then(pl.col("gross_weight_kg").cast(pl.Float64) / pl.col("pieces").cast(pl.Float64))
        .alias("kg_per_piece")
    ).cast({k: v for k, v in LINE_SCHEMA.items()}, strict=False).select(list(LINE_SCHEMA))
    return learn(lines, load_priors(), min_n=min_n)


def load_goods(settings: Any, *, registry: Registry | None = None, profiles: Profiles | None = None,
               notes: Sequence[str] = ()) -> GoodsContext:
    """The part: ``registry`` (None: empty, every controlled good unnotified), ``profiles`` (None: the
    built-in priors), ``notes`` on what could not be loaded."""
    said = list(notes)
    names = find_opsin(getattr(settings, "opsin_jar", None))
    if names is None:
        said.append("OPSIN unavailable: systematic names are not resolved to structures")
    return build_goods_context(
        profiles=profiles if profiles is not None else load_priors(),
        registry=registry if registry is not None else Registry(), names=names,
        sample_max_kg=float(getattr(settings, "goods_sample_max_kg", 2.0)), notes=tuple(said),
    )
