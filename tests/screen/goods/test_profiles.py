"""Declared versus physical: robust profiles learned per heading, with priors at cold start."""

from __future__ import annotations

import random

import polars as pl

from interdictor.screen.goods.profiles import LINE_SCHEMA, check, learn, load_priors


def history(n: int = 200) -> pl.DataFrame:
    rng = random.Random(1)
    rows = []
    for _ in range(n):
        q = rng.randint(1, 5)
        w = q * rng.uniform(0.8, 1.3)  # keyboards: about a kilogram each
        rows.append({"hs_code": "847160", "weight_kg": w, "value": w * rng.uniform(25, 60), "quantity": float(q),
                     "kg_per_piece": w})
    return pl.DataFrame(rows, schema=LINE_SCHEMA)


def lines(**kw: float) -> pl.DataFrame:
    base = {"row": 0, "heading": "847160", "weight_kg": 1.0, "value": 40.0, "quantity": 1.0, "kg_per_piece": 1.0}
    base.update(kw)
    return pl.DataFrame([base])


def test_learned_profile_replaces_prior() -> None:
    p = learn(history(), load_priors(), min_n=30)
    learned = p.table.filter((pl.col("key") == "847160") & (pl.col("source") == "learned"))
    assert set(learned["metric"]) == {"usd_per_kg", "kg_per_unit", "kg_per_piece"}


def test_the_175_lb_box_of_keyboards_is_flagged() -> None:
    p = learn(history(), load_priors(), min_n=30)
    out = check(lines(weight_kg=79.4, quantity=1.0, kg_per_piece=79.4, value=30.0), p)
    assert {"kg_per_unit", "usd_per_kg"} <= set(out["metric"])


def test_an_ordinary_keyboard_is_not_flagged() -> None:
    p = learn(history(), load_priors(), min_n=30)
    assert check(lines(weight_kg=1.1, value=45.0), p).is_empty()


def test_cold_start_prior_flags_a_token_value_fine_chemical() -> None:
    out = check(lines(heading="293339", weight_kg=25.0, value=5.0, quantity=1.0, kg_per_piece=25.0), load_priors())
    assert "usd_per_kg" in out["metric"].to_list()


def test_heavier_than_usual_is_flagged_lighter_is_not() -> None:
    p = learn(history(), load_priors(), min_n=30)
    assert check(lines(weight_kg=0.05, value=2.0), p).filter(pl.col("metric") == "kg_per_unit").is_empty()


def test_missing_numbers_are_skipped() -> None:
    out = check(lines(weight_kg=None, value=None, quantity=None, kg_per_piece=None), load_priors())  # type: ignore[arg-type]
    assert out.is_empty()
