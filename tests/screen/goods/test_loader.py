"""Building the goods part from values: profiles learned from stored lines over the priors."""

from __future__ import annotations

import math

import polars as pl
import pytest

from interdictor.screen.goods.loader import profiles_from
from interdictor.screen.goods.profiles import load_priors


def _lines(n: int, hs: str, per_shipment: int = 1) -> pl.DataFrame:
    return pl.DataFrame({
        "partner": ["p1"] * n, "shipment_id": [f"S{i // per_shipment}" for i in range(n)], "version": [1] * n,
        "hs_code": [hs] * n, "weight_kg": [2.0] * n, "value": [40.0] * n, "quantity": [4.0] * n,
        "gross_weight_kg": [8.0] * n, "pieces": [2] * n,
    })


def test_no_lines_give_the_priors() -> None:
    assert profiles_from(pl.DataFrame()).table.equals(load_priors().table)


def test_enough_lines_learn_a_profile_over_the_priors() -> None:
    learned = profiles_from(_lines(3, "847930"), min_n=3).table.filter(pl.col("source") == "learned")
    by = {(k, m): med for k, m, med in learned.select("key", "metric", "median").iter_rows()}
    assert by[("847930", "usd_per_kg")] == pytest.approx(math.log10(40 / 2))
    assert by[("8479", "kg_per_piece")] == pytest.approx(math.log10(8 / 2))  # one line a shipment


def test_kg_per_piece_is_only_learned_from_single_line_shipments() -> None:
    learned = profiles_from(_lines(4, "847930", per_shipment=2), min_n=2).table.filter(pl.col("source") == "learned")
    assert "kg_per_piece" not in set(learned["metric"])
    assert profiles_from(_lines(2, "847930"), min_n=3).table.equals(load_priors().table)
