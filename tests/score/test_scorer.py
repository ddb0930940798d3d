from __future__ import annotations

import polars as pl
import pytest

from interdictor.model import reasons_frame
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import Rule, RuleSet, RuleSetError, parse_ruleset
from interdictor.score.scorer import score, weigh

RS = RuleSet("t", 1, {
    "A": Rule("A", 40, "a"),
    "B": Rule("B", 40, "b"),
    "FLOOR": Rule("FLOOR", 5, "hard finding", floor="exam"),
    "CAP": Rule("CAP", 1, "notified", cap="review"),
    "BIG": Rule("BIG", 90, "big"),
})
TH = {"c": Thresholds(35, 60, 85)}


def run(rows: list[tuple[str, str, float]], ids: list[str]) -> dict[str, tuple[float, str]]:
    reasons = weigh(reasons_frame([{"shipment_id": s, "code": c, "weight": w, "evidence": "e"} for s, c, w in rows]), RS)
    corridor = pl.DataFrame({"shipment_id": ids, "corridor": ["c"] * len(ids)})
    out = score(pl.Series(ids), reasons, RS, corridor, TH)
    return {r["shipment_id"]: (r["score"], r["disposition"]) for r in out.iter_rows(named=True)}


def test_noisy_or_and_one_count_per_code() -> None:
    got = run([("s1", "A", 0), ("s1", "B", 0), ("s2", "A", 0), ("s2", "A", 0), ("s3", "Z", 7)], ["s1", "s2", "s3", "s4"])
    assert got["s1"] == (64.0, "exam")  # 1 - 0.6 * 0.6
    assert got["s2"] == (40.0, "review")  # the same code twice counts once
    assert got["s3"] == (7.0, "clear")  # unknown code keeps the detector's weight
    assert got["s4"] == (0.0, "clear")


def test_floor_raises_and_clamps_score_into_band() -> None:
    got = run([("s1", "FLOOR", 0)], ["s1"])
    assert got["s1"] == (60.0, "exam")


def test_cap_limits_and_floor_beats_cap() -> None:
    got = run([("s1", "BIG", 0), ("s1", "CAP", 0), ("s2", "BIG", 0), ("s2", "CAP", 0), ("s2", "FLOOR", 0)], ["s1", "s2"])
    assert got["s1"][1] == "review" and got["s1"][0] < 60
    assert got["s2"][1] == "exam"


def test_ranking_agrees_with_disposition() -> None:
    rows = [("h", "BIG", 0), ("e", "A", 0), ("e", "B", 0), ("f", "FLOOR", 0), ("r", "A", 0), ("c", "Z", 3)]
    got = run(rows, ["h", "e", "f", "r", "c"])
    order = sorted(got, key=lambda k: -got[k][0])
    levels = {"clear": 0, "review": 1, "exam": 2, "hold": 3}
    ranks = [levels[got[k][1]] for k in order]
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x", "version": 0}, "version"),
        ({"name": "x", "version": 1, "rules": {"A": {"weight": 120}}}, r"rules\.A\.weight: .*100 \(got 120\)"),
        ({"name": "x", "version": 1, "rules": {"A": {"weight": 5, "floor": "jail"}}}, r"rules\.A\.floor: .*'hold' \(got 'jail'\)"),
        ({"version": 1}, "name"),
    ],
)
def test_invalid_rulesets_say_what_is_wrong(raw: dict, message: str) -> None:
    with pytest.raises(RuleSetError, match=message):
        parse_ruleset(raw)
