"""Goods weighed by who receives them: tooling and presses to private persons, glycidates forwarded abroad."""

from __future__ import annotations

from typing import Any

import polars as pl

from interdictor.model import Batch
from interdictor.score.rules import load_ruleset
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.detector import detect_goods


def _batch(lines: list[dict[str, Any]]) -> Batch:
    ids = [f"R{i}" for i in range(len(lines))]
    sh = pl.DataFrame({"shipment_id": ids, "gross_weight_kg": [ln["kg"] for ln in lines],
                       "pieces": [ln.get("pieces", 1) for ln in lines], "declared_value": [ln.get("usd", 80.0) for ln in lines]})
    it = pl.DataFrame({"shipment_id": ids, "item": [0] * len(lines), "description": [ln["d"] for ln in lines],
                       "hs_code": [ln.get("hs") for ln in lines], "quantity": [1.0] * len(lines)})
    pa = pl.DataFrame({"shipment_id": ids, "party": ["consignee"] * len(lines), "name": [ln["to"] for ln in lines],
                       "address": [ln.get("at", "1 Main St") for ln in lines], "city": [ln.get("city") for ln in lines],
                       "country": [ln.get("cc", "US") for ln in lines]})
    return Batch.build(sh, it, pa)


def _codes(lines: list[dict[str, Any]], g: GoodsContext) -> dict[str, dict[str, str]]:
    reasons = detect_goods(_batch(lines), g)
    out: dict[str, dict[str, str]] = {f"R{i}": {} for i in range(len(lines))}
    for sid, code, ev in reasons.select("shipment_id", "code", "evidence").iter_rows():
        out[sid][code] = ev
    return out


TOOLING = "EQUIP_TOOLING_TO_PRIVATE"


def test_tooling_and_presses_under_plain_names_to_a_person_or_a_dwelling(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "round die 12 mm with upper punch", "kg": 0.8, "to": "Oliver Brandt", "at": "55 Willow Way"},
        {"d": "steel mould", "hs": "848041", "kg": 2.2, "to": "Kim Sorensen", "at": "903 Aspen Ct"},
        {"d": "machine", "hs": "847989", "kg": 30.0, "to": "Ferris Logistic Partners", "at": "12 Dock Rd Apt 4B"},
        {"d": "sugar press", "kg": 45.0, "to": "Maya Quintero", "at": "8 Ridge Rd"},
    ], gctx)
    assert all(TOOLING in f for f in found.values()), found
    assert "a private person" in found["R0"][TOOLING] and "'Oliver Brandt'" in found["R0"][TOOLING]
    assert "HS 8480.41" in found["R1"][TOOLING]
    assert "a dwelling" in found["R2"][TOOLING]
    # a sugar press is read as a tablet press: it gets what a tablet press gets
    assert "EQUIP_PRESS" in found["R3"]


def test_the_same_goods_to_a_business_or_with_an_ordinary_use_are_not_weighed_by_receiver(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "round die 12 mm with upper punch", "kg": 0.8, "to": "Brandt Precision Tooling Inc", "at": "400 Commerce Dr"},
        {"d": "silicone soap mould", "kg": 0.4, "to": "Lena Fischer", "at": "17 Beech St"},
        {"d": "hole punch", "kg": 0.3, "to": "Arjun Mehta", "at": "2 Lake View"},
        {"d": "bluetooth speaker", "hs": "851822", "kg": 0.9, "to": "Arjun Mehta", "at": "2 Lake View"},
        {"d": "ultrasonic jewellery cleaner", "hs": "847989", "kg": 1.5, "to": "Nora Blake", "at": "6 Elm Row"},
    ], gctx)
    assert all(TOOLING not in f for f in found.values()), found


def test_a_glycidate_in_bulk_forwarded_abroad_to_a_trader_is_a_reason(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "ethyl methylphenylglycidate food additive", "hs": "291899", "kg": 140.0, "to": "Distribuidora Omega SA de CV",
         "city": "Hermosillo", "cc": "MX"},
        {"d": "methyl phenylglycidate aroma", "kg": 60.0, "to": "Vantage Trade Holdings Ltd", "city": "Guatemala", "cc": "GT"},
        {"d": "glycidic acid ester, flavour grade", "kg": 90.0, "to": "Crest Import Export", "city": "Tijuana", "cc": "MX"},
    ], gctx)
    for f in found.values():
        assert "GOODS_GLYCIDATE_BULK" in f, found
    assert "Hermosillo, MX" in found["R0"]["GOODS_GLYCIDATE_BULK"] and "140 kg" in found["R0"]["GOODS_GLYCIDATE_BULK"]


def test_a_flavour_trade_a_small_lot_or_a_domestic_consignee_is_not(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "ethyl methylphenylglycidate", "kg": 150.0, "to": "Aromas y Sabores del Bajio SA de CV", "cc": "MX"},
        {"d": "ethyl methylphenylglycidate", "kg": 3.0, "to": "Vantage Trade Holdings Ltd", "cc": "MX"},
        {"d": "ethyl methylphenylglycidate", "kg": 150.0, "to": "Vantage Trade Holdings Ltd", "cc": "US"},
        {"d": "epoxy resin glycidyl ether", "kg": 150.0, "to": "Vantage Trade Holdings Ltd", "cc": "MX"},
    ], gctx)
    assert all("GOODS_GLYCIDATE_BULK" not in f for f in found.values()), found


def test_the_new_codes_are_rules_of_the_shipped_set() -> None:
    rules = load_ruleset().rules
    assert rules[TOOLING].floor == "review"
    assert rules["GOODS_GLYCIDATE_BULK"].weight >= 35 and rules["GOODS_GLYCIDATE_BULK"].partner_code
