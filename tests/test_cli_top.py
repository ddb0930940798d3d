"""The demo's and screen's console table of top targets: one line per target, reasons in brief."""

from __future__ import annotations

import io

import polars as pl
from rich.console import Console

from interdictor.cli import show_top

CITATION = ("(US List I (with its acetals, amides, carbamates and salts) since 2023-05-12 (88 FR 21902), UN 1988 "
            "Convention Table I since 2024 (CND-67 decision of March 2024), UK Category 1 drug precursor)")


def _results(n: int, as_text: bool) -> pl.DataFrame:
    rows = []
    for i in range(n):
        reasons = [
            {"code": "GOODS_CAS_MATCH", "weight": 75.0, "item": 1,
             "evidence": f"description 'PIPERIDONE {i}' is 4-Piperidone (CAS 41661-47-6), a listed precursor; "
                         f"{CITATION}; leads to NPP, ANPP; matched synonym 'piperidone {i}'"},
            {"code": "ROUTE_BORDER_AREA", "weight": 8.0, "item": None,
             "evidence": "consignee in San Diego, CA is 4 km from the US–Mexico border (located by postal code)"},
            {"code": "ROUTE_ORIGIN_CONCERN", "weight": 4.0, "item": None, "evidence": "goods originate in CN"},
        ]
        text = " | ".join(f"{r['code']}:{r['weight']:.0f}:{r['evidence']}" for r in reasons)
        rows.append({"shipment_id": f"SHIP{i:04d}", "score": 99.0 - i, "disposition": "hold",
                     "reasons": text if as_text else reasons})
    return pl.DataFrame(rows)


def test_fifteen_targets_take_one_line_each() -> None:
    for as_text in (True, False):
        out = io.StringIO()
        show_top(_results(15, as_text), 15, Console(file=out, width=160, force_terminal=False), "Top 15")
        lines = out.getvalue().splitlines()
        assert len(lines) <= 15 + 6, "\n".join(lines)
        for i in range(15):
            line = next(line for line in lines if f"SHIP{i:04d}" in line)
            assert "GOODS_CAS_MATCH" in line and "4-Piperidone" in line  # the code and what matched
            assert "ROUTE_BORDER_AREA" in line  # the other codes beside it
            assert "88 FR" not in line  # no regulatory citations
