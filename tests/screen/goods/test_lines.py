"""Item lines: a lone line borrows its shipment's weight, value and weight per piece; others do not."""

from __future__ import annotations

import polars as pl

from interdictor.model import Batch
from interdictor.screen.goods.lines import hs_parts, item_lines, physical


def _batch() -> Batch:
    sh = pl.DataFrame({"shipment_id": ["A", "B"], "gross_weight_kg": [10.0, 4.0], "pieces": [2, 1],
                       "declared_value": [100.0, 30.0]})
    it = pl.DataFrame({"shipment_id": ["A", "B", "B"], "item": [0, 0, 1], "description": ["x", "y", "z"],
                       "hs_code": ["2933.39", "847989", None], "weight_kg": [None, None, 1.5],
                       "value": [None, 5.0, None]})
    return Batch.build(sh, it)


def test_lone_line_borrows_the_shipment_figures() -> None:
    b = _batch()
    it = item_lines(b)
    phys = physical(b, it).sort("row")
    a = phys.row(0, named=True)
    assert (a["w"], a["v"], a["kg_per_piece"]) == (10.0, 100.0, 5.0)
    b0, b1 = phys.row(1, named=True), phys.row(2, named=True)
    assert (b0["w"], b0["v"], b0["kg_per_piece"]) == (None, 5.0, None)
    assert (b1["w"], b1["v"], b1["kg_per_piece"]) == (1.5, None, None)


def test_subset_of_lines_still_knows_which_are_lone() -> None:
    b = _batch()
    it = item_lines(b)
    phys = physical(b, it.filter(pl.col("row") == 0))
    assert phys["w"].to_list() == [10.0]


def test_declared_code_split() -> None:
    parts = hs_parts(pl.Series(["2933.39.00", "8479", None, "84"])).sort("hs_code", nulls_last=True)
    rows = {r["hs_code"]: r for r in parts.iter_rows(named=True)}
    assert (rows["2933.39.00"]["hs6"], rows["2933.39.00"]["chapter"]) == ("2933.39", "29")
    assert (rows["8479"]["hs6"], rows["8479"]["chapter"]) == (None, "84")
    assert rows[None]["hs_digits"] == ""
