"""The description against its code (the HS nomenclature) and a line against its words' family profile."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest

from interdictor.model import Batch
from interdictor.reference.hs import nomenclature, text_of, texts_along
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.detector import detect_goods
from interdictor.screen.goods.loader import stored_profiles
from interdictor.screen.goods.profiles import learn_from_histograms


def _batch(lines: list[dict[str, Any]]) -> Batch:
    ids = [f"C{i}" for i in range(len(lines))]
    sh = pl.DataFrame({"shipment_id": ids, "gross_weight_kg": [ln["kg"] for ln in lines],
                       "pieces": [ln.get("pieces", 1) for ln in lines], "declared_value": [ln["usd"] for ln in lines]})
    it = pl.DataFrame({"shipment_id": ids, "item": [0] * len(lines), "description": [ln["d"] for ln in lines],
                       "hs_code": [ln.get("hs") for ln in lines], "quantity": [ln.get("qty", 1.0) for ln in lines]})
    pa = pl.DataFrame({"shipment_id": ids, "party": ["consignee"] * len(lines), "name": ["Lakeside Retail LLC"] * len(lines)})
    return Batch.build(sh, it, pa)


def _codes(lines: list[dict[str, Any]], g: GoodsContext) -> list[dict[str, str]]:
    reasons = detect_goods(_batch(lines), g)
    return [dict(reasons.filter(pl.col("shipment_id") == f"C{i}").select("code", "evidence").iter_rows())
            for i in range(len(lines))]


def test_the_nomenclature_ships_with_its_texts() -> None:
    codes = nomenclature()["code"]
    assert codes.str.len_chars().is_in([2, 4, 6]).all() and codes.n_unique() > 6000
    said = text_of("6110.20.2075")
    assert said is not None and said[0] == "611020" and "cotton" in said[1].lower()
    assert len(texts_along("9503000073")) == 3 and text_of("00") is None


def test_goods_under_a_code_of_another_nature_misfit(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "wireless mouse and keyboard combo", "hs": "950300", "kg": 1.0, "usd": 25},
        {"d": "lipstick set", "hs": "870899", "kg": 0.3, "usd": 12},
        {"d": "hoodie", "hs": "851712", "kg": 0.6, "usd": 18},
    ], gctx)
    for f in found:
        assert "GOODS_DESC_CODE_MISFIT" in f, found
    assert "HS 950300" in found[0]["GOODS_DESC_CODE_MISFIT"] and "computer peripherals" in found[0]["GOODS_DESC_CODE_MISFIT"]


def test_fitting_material_or_self_describing_codes_do_not(gctx: GoodsContext) -> None:
    found = _codes([
        {"d": "wireless mouse and keyboard combo", "hs": "847160", "kg": 1.0, "usd": 25},  # its own heading
        {"d": "phone case", "hs": "392690", "kg": 0.1, "usd": 3},  # an article classified by its plastics
        {"d": "led lights", "hs": "940540", "kg": 0.5, "usd": 9},  # the code's text names lighting itself
        {"d": "headphones", "hs": "900490", "kg": 0.3, "usd": 20},  # a chapter of the same section (XVIII)
        {"d": "household items", "hs": "950300", "kg": 1.0, "usd": 9},  # vague words fit any code
    ], gctx)
    assert all("GOODS_DESC_CODE_MISFIT" not in f for f in found), found


def _learned(family_desc: str, hs: str, kg: float, n: int = 60) -> pl.DataFrame:
    b = round(math.log10(kg) * 20)
    hist = pl.DataFrame({"hs_code": [hs] * 3, "description": [family_desc] * 3,
                         "metric": ["kg_per_piece", "usd_per_kg", "kg_per_unit"], "bucket": [b, 30, b], "n": [n] * 3})
    fams = pl.DataFrame({"description": [family_desc], "family": ["computer_peripherals"]})
    return learn_from_histograms(hist.with_columns(pl.col("bucket").cast(pl.Int64)), fams, min_n=30)


def test_a_heavy_carton_is_judged_by_its_words_where_its_code_does_not_speak_for_them(gctx: GoodsContext) -> None:
    g = GoodsContext(**{**gctx.__dict__, "profiles": stored_profiles(3, _learned("usb hub", "847160", 0.6))})
    found = _codes([
        # a keyboard carton of 55 kg under a code for toys: the toy heading's prior does not flag it, the words do
        {"d": "mechanical keyboard", "hs": "950300", "kg": 55.0, "usd": 40},
        # the same carton under the keyboard's own heading is judged by the code (learned 8471: 0.6 kg a piece)
        {"d": "mechanical keyboard", "hs": "847160", "kg": 55.0, "usd": 40},
        # an ordinary keyboard is neither
        {"d": "mechanical keyboard", "hs": "847160", "kg": 0.9, "usd": 35},
    ], g)
    words = found[0]["GOODS_WEIGHT_FOR_WORDS"]
    assert "computer peripherals" in words and "of 60" in words and "learned from past shipments" in words
    assert "GOODS_WEIGHT_FOR_WORDS" not in found[1] and "GOODS_WEIGHT_PROFILE" in found[1]
    assert "HS 8471" in found[1]["GOODS_WEIGHT_PROFILE"]
    assert not any(c.endswith(("_PROFILE", "_FOR_WORDS")) for c in found[2])


def test_learned_medians_come_from_the_counts() -> None:
    table = _learned("usb hub", "847160", 0.6)
    fam = table.filter((pl.col("kind") == "family") & (pl.col("metric") == "kg_per_piece"))
    assert fam["median"][0] == pytest.approx(math.log10(0.6), abs=0.03) and fam["n"][0] == 60
    assert set(table.filter(pl.col("kind") == "hs")["key"]) == {"84", "8471", "847160"}
    assert learn_from_histograms(pl.DataFrame(schema={"hs_code": pl.String, "description": pl.String, "metric": pl.String,
                                                      "bucket": pl.Int64, "n": pl.Int64})).is_empty()
