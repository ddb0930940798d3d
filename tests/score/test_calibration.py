"""Calibrated dispositions: whatever the weights, a day's traffic sends at most a small share to exam or hold
on its score alone; hard findings (floors) always keep theirs."""

from __future__ import annotations

import random

import polars as pl

from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import load_ruleset
from interdictor.score.scorer import CALIBRATE_FROM, EXAM_SHARE_MAX, score


def _day(n: int, seed: int) -> tuple[pl.Series, pl.DataFrame, pl.DataFrame]:
    rng = random.Random(seed)
    ids = [f"D{i}" for i in range(n)]
    # heavily inflated weights: a third of the day would be examined on thresholds alone
    reasons = pl.DataFrame({"shipment_id": ids, "code": ["ROUTE_BORDER_AREA"] * n,
                            "weight": [rng.uniform(0, 100) for _ in range(n)]})
    floored = pl.DataFrame({"shipment_id": ids[:5], "code": ["LICENCE_NOT_NOTIFIED"] * 5, "weight": [80.0] * 5})
    return pl.Series(ids), pl.concat([reasons, floored]), pl.DataFrame({"shipment_id": ids, "corridor": ["c"] * n})


def test_inflated_weights_still_send_at_most_the_share_to_exam_or_hold() -> None:
    rs = load_ruleset()
    rs_rules = {**rs.rules}
    rs_rules.pop("ROUTE_BORDER_AREA")  # the detector's own (inflated) weight stands
    ids, reasons, cor = _day(4000, 3)
    out = score(ids, reasons, type(rs)(**{**rs.__dict__, "rules": rs_rules}), cor, {"c": Thresholds()})
    high = out.filter(pl.col("disposition").is_in(["exam", "hold"]))
    floors = {"D0", "D1", "D2", "D3", "D4"}
    assert floors <= set(high["shipment_id"])  # a hard finding is never calibrated away
    assert high.filter(~pl.col("shipment_id").is_in(list(floors))).height <= int(EXAM_SHARE_MAX * 4000)
    # the highest scores keep exam or hold, and every score still agrees with its disposition
    kept = out.join(reasons.group_by("shipment_id").agg(pl.col("weight").max()), on="shipment_id")
    assert kept.filter(pl.col("disposition") == "review")["weight"].max() <= kept.filter(
        pl.col("disposition").is_in(["exam", "hold"]) & ~pl.col("shipment_id").is_in(list(floors)))["weight"].min()
    assert out.filter(pl.col("disposition") == "review")["score"].max() < Thresholds().exam


def test_a_small_batch_is_not_calibrated() -> None:
    rs = load_ruleset()
    ids, reasons, cor = _day(CALIBRATE_FROM - 1, 4)
    out = score(ids, reasons, rs, cor, {"c": Thresholds()})
    uncal = score(ids, reasons, rs, cor, {"c": Thresholds()}, exam_share_max=None)
    assert out.equals(uncal)
