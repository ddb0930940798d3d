"""Building the goods part from values: a stored learned set laid over the priors."""

from __future__ import annotations

import math

import polars as pl
import pytest

from interdictor.screen.goods.loader import load_goods, stored_profiles
from interdictor.screen.goods.profiles import learn_from_histograms, load_priors


def _hist(hs: str, desc: str, metric: str, values: list[float]) -> pl.DataFrame:
    buckets = [round(math.log10(v) * 20) for v in values]
    return pl.DataFrame({"hs_code": [hs] * len(values), "description": [desc] * len(values),
                         "metric": [metric] * len(values), "bucket": buckets, "n": [1] * len(values)})


def test_a_stored_set_replaces_the_priors_of_its_keys_and_keeps_the_rest() -> None:
    learned = learn_from_histograms(_hist("950300", "plush rabbit", "usd_per_kg", [12.0] * 40), min_n=30)
    p = stored_profiles(4, learned)
    assert p.version == "learned-v4"
    rows = p.table.filter((pl.col("key") == "95") & (pl.col("metric") == "usd_per_kg"))
    assert rows["source"].to_list() == ["learned"] and rows["median"][0] == pytest.approx(math.log10(12.0), abs=0.03)
    # a prior of another key and the priors of this key's other metrics stay
    assert p.table.filter((pl.col("key") == "95") & (pl.col("metric") == "kg_per_unit"))["source"].to_list() == ["prior"]
    assert p.table.filter(pl.col("key") == "2933").height == load_priors().table.filter(pl.col("key") == "2933").height


def test_the_part_without_a_set_screens_on_the_priors_and_says_so_in_its_versions() -> None:
    part = load_goods(None)
    assert part.profiles.version == "prior"
    assert part.more_versions == {"profiles": "prior"}
    assert load_goods(None, profiles=stored_profiles(2, pl.DataFrame())).more_versions == {"profiles": "learned-v2"}
