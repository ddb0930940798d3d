"""Outputs: every CSV cell a spreadsheet would run as a formula is neutralised; numbers stay numbers."""

from __future__ import annotations

import polars as pl
import pytest

from interdictor.output import csv_safe


@pytest.mark.parametrize(("cell", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("EX100001", "EX100001"),
    ("a=b", "a=b"),
    ("", ""),
    (None, None),
])
def test_text_cells_that_start_a_formula_get_a_leading_quote(cell: str | None, written: str | None) -> None:
    df = pl.DataFrame({"shipment_id": [cell]}, schema={"shipment_id": pl.String})
    assert csv_safe(df)["shipment_id"][0] == written


def test_numbers_are_not_text_cells() -> None:
    df = pl.DataFrame({"score": [-1.5, 2.0], "line": [-3, 4], "id": ["-x", "y"]})
    safe = csv_safe(df)
    assert safe.schema == df.schema
    assert safe["score"].to_list() == [-1.5, 2.0] and safe["line"].to_list() == [-3, 4]
    assert safe["id"].to_list() == ["'-x", "y"]
