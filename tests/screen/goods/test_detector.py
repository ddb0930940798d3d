"""The detector reaches Python only for the lines some layer flagged, fetched in bulk — never one by one
(a line fetched alone costs three filters over the whole batch)."""

from __future__ import annotations

from typing import Any

import pytest

from interdictor.screen.goods import detect_goods
from interdictor.screen.goods.itemreasons import Emitter

from .conftest import batch_of, goods_context, load_cases


def test_flagged_lines_are_fetched_in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = (load_cases("positives.yaml")["cases"] + load_cases("negatives.yaml")["cases"]
             + load_cases("weak_signals.yaml")["cases"])
    lines: list[dict[str, Any]] = [
        {"description": c["d"], "hs": c.get("hs"), "weight_kg": c.get("kg", 1.0), "value": c.get("usd", 50.0),
         "quantity": c.get("qty"), "cas": c.get("cas")} for c in cases
    ]
    calls: list[int] = []
    original = Emitter.prepare

    def counting(self: Emitter, rows: set[int]) -> None:
        calls.append(len([r for r in rows if r not in self._rows]))
        original(self, rows)

    monkeypatch.setattr(Emitter, "prepare", counting)
    reasons = detect_goods(batch_of(lines), goods_context())
    assert reasons.height > 100
    # the flagged lines, then a few small sets (lines some code check or the profiles flag): a fetch per
    # line would be dozens of calls here
    assert len([c for c in calls if c > 0]) <= 5, calls
