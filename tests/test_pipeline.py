from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from interdictor.model import REASON_SCHEMA
from interdictor.screening.batch import reasons_lists, reasons_text

reason = st.fixed_dictionaries({
    "shipment_id": st.sampled_from(["S1", "S2"]),
    "code": st.sampled_from(["GOODS_VAGUE_DESCRIPTION", "ROUTE_BORDER_AREA"]),
    "weight": st.sampled_from([15.0, 8.0]),
    "evidence": st.sampled_from(["line 1 names no goods", "line 2 names no goods", None]),
    "item": st.sampled_from([0, 1, None]),
    "party": st.none(),
})


@settings(max_examples=80, deadline=None)
@given(st.lists(reason, min_size=1, max_size=8), st.randoms())
def test_a_shipment_lists_its_reasons_alike_whatever_order_they_come_in(rows: list[dict], rnd) -> None:  # type: ignore[no-untyped-def]
    frame = pl.DataFrame(rows, schema=REASON_SCHEMA)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(1 << 30))
    assert reasons_lists(shuffled).sort("shipment_id").equals(reasons_lists(frame).sort("shipment_id"))
    assert reasons_text(shuffled).sort("shipment_id").equals(reasons_text(frame).sort("shipment_id"))
    first = reasons_lists(frame).row(0, named=True)["reasons"]
    assert [r["weight"] for r in first] == sorted((r["weight"] for r in first), reverse=True)  # strongest first
