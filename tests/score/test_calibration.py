"""Calibrated dispositions: exam thresholds learned from earlier traffic keep ordinary traffic under the share
to exam or hold whatever the weights; a shipment's disposition never depends on the batch it came in; with no
history the corridors' thresholds apply unchanged."""

from __future__ import annotations

import random
from dataclasses import replace

import polars as pl

from interdictor.reference.corridors import Thresholds
from interdictor.score.calibration import EXAM_SHARE, MIN_N, Calibration, from_learned, learn_exam_scores
from interdictor.score.rules import RuleSet, load_ruleset
from interdictor.score.scorer import score

FLOORED = "LICENCE_NOT_NOTIFIED"  # a floor (at least exam) in the shipped rule set
CONFIGURED = {"c": Thresholds(), "d": Thresholds(30.0, 50.0, 80.0)}


def _inflated() -> RuleSet:
    """The shipped rule set without its own weight for ROUTE_BORDER_AREA: the detector's (inflated) weight stands."""
    rs = load_ruleset()
    return replace(rs, rules={c: r for c, r in rs.rules.items() if c != "ROUTE_BORDER_AREA"})


def _day(n: int, seed: int, corridor: str = "c") -> tuple[pl.Series, pl.DataFrame, pl.DataFrame]:
    """``n`` ordinary shipments whose one reason has a heavily inflated weight (a third would be examined on
    the corridor's thresholds alone), and five with a hard finding."""
    rng = random.Random(seed)
    ids = [f"{corridor}{seed}-{i}" for i in range(n)]
    reasons = pl.DataFrame({"shipment_id": ids, "code": ["ROUTE_BORDER_AREA"] * n,
                            "weight": [rng.uniform(0, 100) for _ in range(n)]})
    floored = pl.DataFrame({"shipment_id": ids[:5], "code": [FLOORED] * 5, "weight": [10.0] * 5})
    return (pl.Series(ids), pl.concat([reasons, floored]),
            pl.DataFrame({"shipment_id": ids, "corridor": [corridor] * n}))


def _learned(rs: RuleSet, days: list[tuple[pl.Series, pl.DataFrame, pl.DataFrame]]) -> Calibration:
    """Score earlier days on the corridors' thresholds, learn from their unfloored scores (as the store does)."""
    scores = []
    for ids, reasons, cor in days:
        out = score(ids, reasons, rs, cor, CONFIGURED)
        floored = reasons.filter(pl.col("code") == FLOORED)["shipment_id"]
        scores.append(out.filter(~pl.col("shipment_id").is_in(floored.implode())).select("corridor", "score"))
    return from_learned(learn_exam_scores(pl.concat(scores)), "learned-v7")


def test_inflated_weights_on_ordinary_traffic_stay_under_the_share_after_learning() -> None:
    rs = _inflated()
    calib = _learned(rs, [_day(3000, 1, "c"), _day(3000, 2, "d")])
    assert calib.calibrated and calib.version == "learned-v7" and set(calib.exam_at) == {"c", "d"}
    for corridor, seed in (("c", 3), ("d", 4)):
        ids, reasons, cor = _day(4000, seed, corridor)
        plain = score(ids, reasons, rs, cor, CONFIGURED)
        out = score(ids, reasons, rs, cor, calib.thresholds(CONFIGURED))
        floors = set(ids[:5])
        high = out.filter(pl.col("disposition").is_in(["exam", "hold"]))
        ordinary_high = high.filter(~pl.col("shipment_id").is_in(list(floors))).height / (4000 - 5)
        uncalibrated = plain.filter(pl.col("disposition").is_in(["exam", "hold"])).height / 4000
        assert uncalibrated > 0.25  # the weights really are inflated
        assert 0.005 < ordinary_high < EXAM_SHARE  # a new day of the same traffic: under the share, not none
        assert floors <= set(high["shipment_id"])  # a hard finding keeps its level
        # only the threshold moved: every unfloored score is its raw score, so the ranking is unchanged
        raw = reasons.filter(pl.col("code") != FLOORED).select("shipment_id", pl.col("weight").round(2))
        joined = out.filter(~pl.col("shipment_id").is_in(list(floors))).join(raw, on="shipment_id")
        assert ((joined["score"] - joined["weight"]).abs() <= 0.011).all()
        # and the disposition agrees with the score: the lowest exam is above the highest review
        at = calib.thresholds(CONFIGURED)[corridor].exam
        assert at > CONFIGURED[corridor].exam
        assert joined.filter(pl.col("disposition") == "review")["score"].max() < at <= joined.filter(
            pl.col("disposition") == "exam")["score"].min()


def test_the_same_shipments_in_one_batch_or_many_small_ones_get_identical_dispositions() -> None:
    rs = _inflated()
    calib = _learned(rs, [_day(3000, 5)])
    ids, reasons, cor = _day(1200, 6)
    th = calib.thresholds(CONFIGURED)
    whole = score(ids, reasons, rs, cor, th).sort("shipment_id")
    for size in (1, 7, 999, 1000):
        parts = []
        for k in range(0, len(ids), size):
            chunk = ids[k:k + size]
            parts.append(score(chunk, reasons.filter(pl.col("shipment_id").is_in(chunk.implode())), rs,
                               cor.filter(pl.col("shipment_id").is_in(chunk.implode())), th))
        assert pl.concat(parts).sort("shipment_id").equals(whole), size
    assert whole.filter(pl.col("disposition").is_in(["exam", "hold"])).height > 5  # not all demoted


def test_no_history_means_the_corridors_thresholds() -> None:
    rs = _inflated()
    t_ids, t_reasons, t_cor = _day(MIN_N - 1, 8)
    thin = score(t_ids, t_reasons, rs, t_cor, CONFIGURED)
    assert learn_exam_scores(thin.select("corridor", "score")).is_empty()  # too few scores to learn from
    none = from_learned(learn_exam_scores(thin.select("corridor", "score")), "learned-v1")
    assert not none.calibrated and none.version == "none" and none == Calibration()
    assert none.thresholds(CONFIGURED) == CONFIGURED
    ids, reasons, cor = _day(2000, 9)
    assert score(ids, reasons, rs, cor, none.thresholds(CONFIGURED)).equals(score(ids, reasons, rs, cor, CONFIGURED))
    # a corridor that was not learned keeps its own thresholds beside one that was
    one = Calibration({"c": 91.0}, "learned-v2")
    assert one.thresholds(CONFIGURED)["d"] == CONFIGURED["d"] and one.thresholds(CONFIGURED)["c"].exam == 91.0


def test_calibration_only_ever_raises_the_exam_threshold_and_keeps_hold_above_it() -> None:
    quiet = Calibration({"c": 12.0, "d": 99.9}, "learned-v3").thresholds(CONFIGURED)
    assert quiet["c"] == CONFIGURED["c"]  # calmer traffic than the corridor expects: its thresholds stand
    assert quiet["d"].exam == 99.9 and quiet["d"].hold == 100.0 and quiet["d"].review == 30.0


def test_a_crowd_of_equal_scores_at_the_quantile_stays_below_the_threshold() -> None:
    # 97 % score 10, 3 % score exactly 70, 1 % score 90: taking the 70s would send 4 % to exam
    scores = pl.DataFrame({"corridor": ["c"] * 1000, "score": [10.0] * 960 + [70.0] * 30 + [90.0] * 10})
    learned = learn_exam_scores(scores)
    assert learned["median"].to_list() == [90.0] and learned["n"].to_list() == [1000]
    # when even the top score alone is over the share, nothing goes to exam on score alone
    flat = learn_exam_scores(pl.DataFrame({"corridor": ["c"] * 1000, "score": [42.0] * 1000}))
    assert flat["median"].to_list() == [42.01]
