from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from interdictor.model import Batch
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import load_ruleset
from interdictor.score.scorer import score, weigh
from interdictor.screen.goods import GoodsContext, build_goods_context, detect_goods
from interdictor.screen.goods.structure import find_opsin

CASES = Path(__file__).parent / "cases"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def load_cases(name: str) -> Any:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def goods_context() -> GoodsContext:
    """One compiled context for the whole session (OPSIN when this machine has Java and a jar)."""
    return dataclasses.replace(build_goods_context(), names=find_opsin(None))


@pytest.fixture(scope="session")
def gctx() -> GoodsContext:
    return goods_context()


def batch_of(lines: list[dict[str, Any]]) -> Batch:
    """One shipment per line: description, hs, weight_kg, value, quantity, pieces, consignee (and its country),
    shipper (and its country), filed_at."""
    n = len(lines)
    ids = [str(line.get("id", f"S{i}")) for i, line in enumerate(lines)]
    sh = pl.DataFrame(
        {
            "shipment_id": ids,
            "gross_weight_kg": [line.get("weight_kg") for line in lines],
            "pieces": [line.get("pieces", 1) for line in lines],
            "declared_value": [line.get("value") for line in lines],
            "filed_at": [line.get("filed_at") for line in lines],
        },
        schema_overrides={"gross_weight_kg": pl.Float64, "declared_value": pl.Float64},
    ).with_columns(pl.col("filed_at").cast(pl.String).str.to_datetime(time_zone="UTC", strict=False))
    it = pl.DataFrame(
        {
            "shipment_id": ids,
            "item": [0] * n,
            "description": [line.get("description") for line in lines],
            "hs_code": [str(line["hs"]).replace(".", "") if line.get("hs") else None for line in lines],
            "quantity": [line.get("quantity") for line in lines],
            "cas_number": [line.get("cas") for line in lines],
        },
        schema_overrides={"quantity": pl.Float64, "cas_number": pl.String},
    )
    # the consignee is a business by default: the case tables are about what the words say; who receives
    # the goods is weighed in test_receivers.py
    pa = pl.DataFrame({"shipment_id": ids, "party": ["consignee"] * n,
                       "name": [line.get("consignee", "Northgate Supply Co") for line in lines],
                       "country": [line.get("consignee_country") for line in lines]},
                      schema_overrides={"country": pl.String})
    shippers = [(i, line) for i, line in zip(ids, lines, strict=True) if line.get("shipper")]
    if shippers:
        pa = pl.concat([pa, pl.DataFrame({"shipment_id": [i for i, _ in shippers], "party": ["shipper"] * len(shippers),
                                          "name": [line["shipper"] for _, line in shippers],
                                          "country": [line.get("shipper_country") for _, line in shippers]},
                                         schema_overrides={"country": pl.String})])
    return Batch.build(sh, it, pa)


LEVELS = ("clear", "review", "exam", "hold")


def screen_lines(lines: list[dict[str, Any]], g: GoodsContext | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(reasons, scores) for one shipment per line, scored with the shipped rule set."""
    g = g or goods_context()
    batch = batch_of(lines)
    rs = load_ruleset()
    reasons = weigh(detect_goods(batch, g), rs)
    corridor = pl.DataFrame({"shipment_id": batch.shipments["shipment_id"], "corridor": ["default"] * len(batch)})
    scores = score(batch.shipments["shipment_id"], reasons, rs, corridor, {"default": Thresholds()})
    return reasons, scores
