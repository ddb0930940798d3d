"""Backtesting a rule-set version on recorded days (``queue/backtest.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl

from interdictor.queue.backtest import backtest
from interdictor.queue.build import Budget
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import Rule, RuleSet

BASE = RuleSet("t", 1, {"PRESS": Rule("PRESS", 70, "pill press"), "ROUTE": Rule("ROUTE", 20, "route")})


def data() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ids = ["s1", "s2", "s3", "s4"]
    assessed = pl.DataFrame({"partner": ["p"] * 4, "shipment_id": ids, "version": [1] * 4,
                             "score": [76.0, 70.0, 20.0, 0.0], "disposition": ["exam", "exam", "clear", "clear"],
                             "corridor": ["san-diego"] * 4, "port": ["SAN"] * 4, "day": [date(2026, 11, 27)] * 4})
    reasons = pl.DataFrame({"partner": ["p"] * 4, "shipment_id": ["s1", "s1", "s2", "s3"], "version": [1] * 4,
                            "code": ["PRESS", "ROUTE", "PRESS", "ROUTE"], "weight": [70.0, 20.0, 70.0, 20.0]})
    found = pl.DataFrame({"partner": ["p"], "shipment_id": ["s1"], "what": ["dies"]})
    return assessed, reasons, found


def run(candidate: RuleSet) -> dict[str, object]:
    a, r, f = data()
    return backtest(a, r, f, candidate=candidate, baseline=BASE, thresholds={"san-diego": Thresholds(35, 60, 85)},
                    budget_of=lambda c, p: Budget(10, 0.0)).as_dict()


def test_same_rules_same_queue() -> None:
    res = run(BASE)
    assert res["changed"] == 0 and res["old_caught"] == res["new_caught"] == res["seizures"] == 1
    assert res["entered"] == res["left"] == 0 and res["weight_changes"] == []


def test_a_weaker_rule_loses_a_recorded_seizure() -> None:
    weaker = replace(BASE, version=2, rules={**BASE.rules, "PRESS": Rule("PRESS", 30, "pill press")})
    res = run(weaker)
    assert res["old_caught"] == 1 and res["new_caught"] == 0
    assert res["lost"] == [{"partner": "p", "shipment_id": "s1", "what": "dies"}]
    assert res["left"] == 2 and res["changed"] == 2
    assert res["weight_changes"] == [{"code": "PRESS", "before": 70.0, "after": 30.0}]


def test_a_stronger_rule_brings_shipments_into_the_picks() -> None:
    stronger = replace(BASE, version=3, rules={**BASE.rules, "ROUTE": Rule("ROUTE", 65, "route")})
    res = run(stronger)
    assert res["entered"] == 1 and res["new_picks"] == 3 and res["new_caught"] == 1
