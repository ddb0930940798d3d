"""``load_goods(settings, ...)``: the goods part, built before screening.

Pure: it takes the licence registry and the profiles as values.  ``stored_profiles`` lays a learned set
the store hands in (``store.learned.latest_set``, learned by ``interdictor profiles learn``) over the
built-in priors; with none (or no store) the shipped knowledge base and the priors make a working cold
start.  The glue that reads the
store is ``screening.loaders.goods_part``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from interdictor.screen.goods.context import GoodsContext, build_goods_context
from interdictor.screen.goods.licence import Registry
from interdictor.screen.goods.profiles import Profiles, from_learned, load_priors
from interdictor.screen.goods.structure import find_opsin

PROFILE_MIN_N = 30


def stored_profiles(version: int, table: pl.DataFrame) -> Profiles:
    """A stored learned set (``store.learned.latest_set``) over the built-in priors, labelled with its version."""
    return from_learned(table, load_priors(), f"learned-v{version}")


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
