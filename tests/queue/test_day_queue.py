"""One day's queue over several corridors and ports (``queue/build.day_queue``) and the pick kinds."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from interdictor.queue.build import PICK_KINDS, Budget, build_queue, day_queue, pick_kind
from interdictor.reference.corridors import Corridor, CorridorConfig, Thresholds

DAY = date(2026, 11, 27)
CFG = CorridorConfig(
    default=Corridor("national", thresholds=Thresholds(35, 60, 85)),
    corridors=(Corridor("san-diego", thresholds=Thresholds(35, 60, 85)),
               Corridor("portland", thresholds=Thresholds(20, 40, 85))),
)
BUDGETS = {("san-diego", "SAN"): Budget(4, 0.25), ("san-diego", "TIJ"): Budget(2, 0.0),
           ("portland", "PDX"): Budget(3, 1 / 3)}


def budgets(corridor: str, port: str | None) -> Budget:
    return BUDGETS[(corridor, port or "*")]


def disposition(score: float, th: Thresholds) -> str:
    return "hold" if score >= th.hold else "exam" if score >= th.exam else "review" if score >= th.review else "clear"


def candidates() -> pl.DataFrame:
    """Ten shipments to each (corridor, port), scores spread over every band."""
    rows = []
    for corridor, port in BUDGETS:
        th = CFG.get(corridor).thresholds
        for i, score in enumerate([95, 88, 75, 66, 61, 55, 45, 38, 30, 10]):
            rows.append({"partner": "p", "shipment_id": f"{corridor}-{port}-{i}", "version": 1,
                         "score": float(score) - (0.1 if port == "TIJ" else 0.0), "disposition": disposition(score, th),
                         "corridor": corridor, "port": port})
    return pl.DataFrame(rows)


def picked(q: pl.DataFrame) -> pl.DataFrame:
    return q.filter(pl.col("pick").is_in(["exam", "explore"]))


def test_each_port_keeps_its_budget_and_the_queue_is_their_ports_queues_together() -> None:
    q = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY)
    for (corridor, port), b in BUDGETS.items():
        mine = q.filter((pl.col("corridor") == corridor) & (pl.col("port") == port))
        assert mine.filter(pl.col("pick") == "exam").height == b.exploit
        assert mine.filter(pl.col("pick") == "explore").height == b.explore
        alone = build_queue(candidates().filter((pl.col("corridor") == corridor) & (pl.col("port") == port)),
                            budget=b, thresholds=CFG.get(corridor).thresholds, day=DAY, corridor=corridor, port=port)
        assert set(mine.select("shipment_id", "pick").rows()) == set(alone.select("shipment_id", "pick").rows())
    assert picked(q).height == sum(b.exams_per_day for b in BUDGETS.values())


def test_ranked_exam_picks_then_exploration_then_review_each_by_score() -> None:
    q = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY)
    assert q.get_column("rank").to_list() == list(range(1, q.height + 1))
    order = {"exam": 0, "explore": 1, "review": 2}
    keys = [(order[p], -s) for p, s in q.select("pick", "score").rows()]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("budget", "share", "exploit", "explore"), [
    (5, 0.4, 3, 2), (6, 0.0, 6, 0), (4, 1.0, 0, 4), (10, 0.2, 8, 2), (0, 0.5, 0, 0),
])
def test_one_budget_caps_the_whole_queue_with_its_exploration_share(budget: int, share: float, exploit: int,
                                                                     explore: int) -> None:
    q = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY, budget=budget, exploration=share)
    assert q.filter(pl.col("pick") == "exam").height == exploit
    assert q.filter(pl.col("pick") == "explore").height == explore
    exam_scores = q.filter(pl.col("pick") == "exam").get_column("score").to_list()
    hot = candidates().filter(pl.col("disposition").is_in(["exam", "hold"])).get_column("score")
    assert exam_scores == sorted(hot.to_list(), reverse=True)[:exploit]  # the best of every corridor and port


def test_a_pooled_uncertain_pick_is_under_its_own_corridors_exam_threshold() -> None:
    # portland examines from 40: its 50, kept at review by a rule's cap, is no grey-zone shipment there,
    # though it would be under san-diego's 60
    cand = pl.DataFrame({"partner": "p", "shipment_id": ["pdx-capped", "sd-45", "sd-44", "sd-90"], "version": 1,
                         "score": [50.0, 45.0, 44.0, 90.0], "disposition": ["review", "review", "review", "hold"],
                         "corridor": ["portland", "san-diego", "san-diego", "san-diego"],
                         "port": ["PDX", "SAN", "SAN", "SAN"]})
    q = day_queue(cand, cfg=CFG, budgets=budgets, day=DAY, budget=4, exploration=0.75)  # 1 exploit, 2 + 1 explore
    uncertain = q.filter(pl.col("explore_kind") == "uncertain")
    assert set(uncertain.get_column("shipment_id").to_list()) == {"sd-45", "sd-44"}
    assert q.filter(pl.col("explore_kind") == "random").get_column("shipment_id").to_list() == ["pdx-capped"]


def test_the_share_given_alone_replaces_each_ports_share() -> None:
    q = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY, exploration=0.5)
    for (corridor, port), b in BUDGETS.items():
        mine = q.filter((pl.col("corridor") == corridor) & (pl.col("port") == port))
        assert mine.filter(pl.col("pick") == "explore").height == Budget(b.exams_per_day, 0.5).explore


def test_a_pooled_budget_without_a_share_takes_the_ports_shares_weighted_by_budget() -> None:
    # shares 0.25 of 4, 0 of 2, 1/3 of 3: (1 + 0 + 1) / 9 -> 2 of 9 exams explore
    q = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY, budget=9)
    assert q.filter(pl.col("pick") == "explore").height == Budget(9, 2 / 9).explore == 2


def test_the_pooled_queue_is_the_same_on_every_refresh() -> None:
    a = day_queue(candidates(), cfg=CFG, budgets=budgets, day=DAY, budget=7, exploration=0.5)
    b = day_queue(candidates().sample(fraction=1.0, shuffle=True, seed=3), cfg=CFG, budgets=budgets, day=DAY,
                  budget=7, exploration=0.5)
    assert a.equals(b)


def test_no_candidates_no_queue() -> None:
    empty = candidates().clear()
    assert day_queue(empty, cfg=CFG, budgets=budgets, day=DAY).height == 0
    assert day_queue(empty, cfg=CFG, budgets=budgets, day=DAY, budget=5).height == 0


@pytest.mark.parametrize(("pick", "explore_kind", "otherwise", "kind"), [
    ("exam", None, "manual", "exploit"),
    ("explore", "uncertain", "manual", "explore_uncertain"),
    ("explore", "random", "imported", "explore_random"),
    ("review", None, "manual", "manual"),
    ("review", None, "imported", "imported"),
    (None, None, "imported", "imported"),
])
def test_pick_kind(pick: str | None, explore_kind: str | None, otherwise: str, kind: str) -> None:
    assert pick_kind(pick, explore_kind, otherwise) == kind
    assert kind in PICK_KINDS
