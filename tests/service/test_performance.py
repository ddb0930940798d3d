"""Rule and score performance from recorded outcomes (``queue/performance.py``)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from interdictor.queue import performance as perf


def facts() -> perf.Facts:
    ships = pl.DataFrame({"partner": ["p"] * 5, "shipment_id": ["a", "b", "c", "d", "e"], "version": [1] * 5,
                          "score": [92.0, 71.0, 55.0, 20.0, 5.0],
                          "day": [date(2026, 11, 20)] * 3 + [date(2026, 11, 27)] * 2})
    fired = pl.DataFrame({"partner": ["p"] * 6, "shipment_id": ["a", "a", "b", "c", "c", "d"],
                          "code": ["GOODS", "ROUTE", "GOODS", "ROUTE", "ROUTE", "ROUTE"]})
    t = datetime(2026, 11, 27, 10)
    decisions = pl.DataFrame({"partner": ["p"] * 4, "shipment_id": ["a", "b", "c", "d"],
                              "decision": ["exam", "exam", "release", "exam"], "exploration": [False, False, False, True],
                              "decided_at": [t, t, t, t]})
    outcomes = pl.DataFrame({"partner": ["p"] * 3, "shipment_id": ["a", "b", "d"],
                             "result": ["seized", "nothing_found", "referred"]})
    return perf.Facts(ships, fired, decisions, outcomes)


def test_by_rule_counts_fired_examined_found() -> None:
    rows = {r["code"]: r for r in perf.by_rule(facts()).to_dicts()}
    assert rows["GOODS"] == {"code": "GOODS", "fired": 2, "examined": 2, "resolved": 2, "found": 1, "yield": 0.5,
                             "exam_rate": 1.0}
    # a reason firing twice on one shipment counts once
    assert rows["ROUTE"]["fired"] == 3 and rows["ROUTE"]["examined"] == 2 and rows["ROUTE"]["found"] == 2


def test_by_band_and_exploration() -> None:
    bands = {r["band"]: r for r in perf.by_band(facts()).to_dicts()}
    assert bands["90–100"]["found"] == 1 and bands["70–80"]["found"] == 0 and bands["50–60"]["examined"] == 0
    ex = {r["exploration"]: r for r in perf.by_exploration(facts()).to_dicts()}
    assert ex[True]["examined"] == 1 and ex[True]["yield"] == 1.0
    assert ex[False]["examined"] == 2 and ex[False]["yield"] == 0.5


def test_trend_and_totals() -> None:
    tr = perf.trend(facts(), "1w", ["GOODS"])
    assert set(tr.get_column("code")) == {"*", "GOODS"}
    assert perf.totals(facts()) == {"shipments": 5, "examined": 3, "resolved": 3, "found": 2, "yield": 2 / 3}


def test_an_outcome_without_an_exam_does_not_count_as_yield() -> None:
    f = facts()
    f2 = perf.Facts(f.shipments, f.fired, f.decisions.filter(pl.col("shipment_id") != "a"), f.outcomes)
    goods = {r["code"]: r for r in perf.by_rule(f2).to_dicts()}["GOODS"]
    assert goods["examined"] == 1 and goods["found"] == 0
