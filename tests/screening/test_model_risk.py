"""The risk model in a screening pass: ``MODEL_RISK`` is a reason of its own, added after the detectors,
weighed at most the rule's weight; it can raise a score, never lower one or remove a floor; the run
records the model's version; and a partner's answer never names it."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
import pytest

from interdictor.answers import answer_frame
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.learn.loop import CODE, Traffic
from interdictor.model import Batch
from interdictor.score.scorer import DISPOSITIONS
from interdictor.screening import Screening, assemble
from interdictor.screening.batch import screen_batch
from interdictor.settings import Settings

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"


@dataclass
class Proposes:
    """A stand-in model: proposes ``weight`` for every shipment, and keeps what it was handed."""

    weight: float
    version: str = "7"
    seen: list[Traffic] = field(default_factory=list)

    def prepare(self, traffic: Traffic) -> Traffic:
        self.seen.append(traffic)
        return traffic

    def finish(self, traffic: Traffic, later: pl.DataFrame | None = None) -> pl.DataFrame:
        ids = traffic.shipments["shipment_id"]
        return pl.DataFrame({"shipment_id": ids, "code": CODE, "weight": self.weight,
                             "evidence": "risk model v7 (90 % likely to be found): shipper has 2 earlier seizures"})


def batch() -> Batch:
    return next(iter(read_manifest_csv(io.BytesIO(SAMPLE.read_bytes()), ReadOptions(source_name="s.csv")))).batch


def screened(screening: Screening, b: Batch, extra: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    return screen_batch(b, screening.ctx, screening.ruleset, screening.corridors, extra, screening.detectors)


@pytest.fixture(scope="module")
def rules() -> Screening:
    return assemble(Settings(detectors="route,consistency"))


def with_model(rules: Screening, model: Proposes) -> Screening:
    return replace(rules, ctx=rules.ctx.with_part("model", model, model.version))


@pytest.mark.parametrize("proposed", [0.0, 12.5, 90.0])
def test_the_model_adds_a_reason_of_its_own_weighed_at_most_the_rule(rules: Screening, proposed: float) -> None:
    b = batch()
    floor = pl.DataFrame({"shipment_id": [b.shipments["shipment_id"][1]], "code": ["EQUIP_DIES"], "weight": [65.0],
                          "evidence": ["tablet dies"]})
    base, _ = screened(rules, b, floor)
    model = Proposes(proposed)
    scored, reasons = screened(with_model(rules, model), b, floor)
    mine = reasons.filter(pl.col("code") == CODE)
    assert mine.height == b.shipments.height
    assert mine["weight"].max() == min(proposed, rules.ruleset.rules[CODE].weight)
    assert mine["evidence"].str.contains("earlier seizures").all()
    both = base.join(scored, on="shipment_id", suffix="_model")
    assert (both["score_model"] >= both["score"]).all()
    rank = {d: i for i, d in enumerate(DISPOSITIONS)}
    assert all(rank[m] >= rank[r] for r, m in zip(both["disposition"], both["disposition_model"], strict=True))
    floored = both.filter(pl.col("shipment_id") == b.shipments["shipment_id"][1])
    assert rank[floored["disposition_model"][0]] >= rank["exam"]  # the floor stands
    if proposed > rules.ruleset.rules[CODE].weight:
        assert (both["score_model"] > both["score"]).any()
    traffic = model.seen[0]
    assert traffic.shipments["corridor"].null_count() == 0  # it sees the corridor and a time for history
    assert traffic.shipments["time"].null_count() == 0
    assert set(traffic.reasons["code"]) >= {"EQUIP_DIES"}  # and the detectors' reasons


def test_every_run_records_the_model_version(rules: Screening) -> None:
    assert rules.versions["model"] == "none"
    assert with_model(rules, Proposes(10.0)).versions["model"] == "7"


def test_a_partner_is_never_told_of_the_model(rules: Screening) -> None:
    b = batch()
    scored, reasons = screened(with_model(rules, Proposes(60.0)), b)
    answered = answer_frame(b.shipments, scored, reasons, rules.ruleset)
    codes = {c for row in answered["reason_codes"].to_list() for c in row}
    assert CODE not in codes and "SCREENING" in codes
    assert not any("model" in c.lower() for c in codes)


def test_with_no_model_screening_is_rules_alone(rules: Screening) -> None:
    b = batch()
    _, reasons = screened(rules, b)
    assert CODE not in set(reasons["code"])
