from __future__ import annotations

import polars as pl
import pytest

from interdictor.model import Batch
from interdictor.screen.consistency import ConsistencyPart, detect
from interdictor.screen.context import Context

CTX = Context().with_part("consistency", ConsistencyPart())


def run(ship: dict, items: list[dict] | None = None, parties: bool = True) -> set[str]:
    s = {"shipment_id": "S1", **ship}
    its = [{"shipment_id": "S1", "item": i, "description": "x", **it} for i, it in enumerate(items or [{}])]
    ps = [{"shipment_id": "S1", "party": "shipper", "name": "A"}, {"shipment_id": "S1", "party": "consignee", "name": "B"}]
    b = Batch.build(pl.DataFrame([s]), pl.DataFrame(its), pl.DataFrame(ps) if parties else None)
    return set(detect(b, CTX)["code"].to_list())


@pytest.mark.parametrize(
    ("ship", "items", "expected"),
    [
        ({"mode": "express", "gross_weight_kg": 80.0, "declared_value": 5.0, "currency": "USD", "pieces": 2}, None, {"VALUE_TOKEN_FOR_WEIGHT"}),
        ({"mode": "express", "gross_weight_kg": 80.0, "declared_value": 900.0, "currency": "USD", "pieces": 2}, None, set()),
        ({"mode": "express", "gross_weight_kg": 80.0, "declared_value": 300.0, "currency": "CNY", "pieces": 2}, None, {"VALUE_TOKEN_FOR_WEIGHT"}),
        ({"mode": "postal", "gross_weight_kg": 2.0, "declared_value": 0.5, "pieces": 1}, None, set()),
        ({"mode": "postal", "gross_weight_kg": 45.0, "declared_value": 500.0, "pieces": 1}, None, {"WEIGHT_PER_PIECE_UNUSUAL"}),
        ({"mode": "air", "gross_weight_kg": 45.0, "declared_value": 500.0, "pieces": 1}, None, set()),
        ({"mode": "express", "gross_weight_kg": 40.0, "declared_value": 100.0, "pieces": 1},
         [{"weight_kg": 2.0, "value": 50.0}, {"weight_kg": 3.0, "value": 50.0}], {"WEIGHT_ITEMS_MISMATCH"}),
        ({"mode": "express", "gross_weight_kg": 5.0, "declared_value": 900.0, "pieces": 1},
         [{"weight_kg": 2.0, "value": 50.0}, {"weight_kg": 3.0, "value": 50.0}], {"VALUE_ITEMS_MISMATCH"}),
        ({"mode": None, "gross_weight_kg": None, "declared_value": None}, None, set()),
    ],
)
def test_consistency(ship: dict, items: list[dict] | None, expected: set[str]) -> None:
    assert run(ship, items) == expected


def test_missing_parties_is_a_data_reason() -> None:
    assert run({"mode": "express"}, parties=False) == {"DATA_MISSING_CRITICAL"}


def test_no_part_no_reasons() -> None:
    b = Batch.build(pl.DataFrame([{"shipment_id": "S1", "gross_weight_kg": 80.0, "declared_value": 1.0}]))
    assert detect(b, Context()).is_empty()
