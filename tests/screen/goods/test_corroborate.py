"""Weak goods signals count only when the line corroborates them (cases/weak_signals.yaml)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from interdictor.reference.kb import load_kb
from interdictor.screen.goods.corroborate import Signals, declared_as_support, unit_kg, watched_support

from .conftest import load_cases, screen_lines

CASES = load_cases("weak_signals.yaml")["cases"]


@pytest.fixture(scope="module")
def screened() -> list[pl.DataFrame]:
    lines = [{"description": c["d"], "hs": c.get("hs"), "weight_kg": c.get("kg"), "value": c.get("usd", 50.0),
              "quantity": c.get("qty"), "cas": c.get("cas"), "filed_at": "2025-03-01T00:00:00"} for c in CASES]
    reasons, _ = screen_lines(lines)
    return [reasons.filter(pl.col("shipment_id") == f"S{i}") for i in range(len(CASES))]


@pytest.mark.parametrize("i", range(len(CASES)), ids=[f"{c['d'][:40]}|{c.get('hs')}" for c in CASES])
def test_weak_signal(i: int, screened: list[pl.DataFrame]) -> None:
    case: dict[str, Any] = CASES[i]
    reasons = screened[i]
    codes = reasons["code"].to_list()
    explain = "\n".join(f"{c}: {e}" for c, e in reasons.select("code", "evidence").iter_rows())
    for code in case.get("emits", []):
        assert code in codes, f"{case['d']!r} lacks {code}\n{explain}"
    for code in case.get("not", []):
        assert code not in codes, f"{case['d']!r} has {code}\n{explain}"


def test_unit_weight() -> None:
    assert unit_kg({"w": 3.0, "quantity": 4.0}) == 0.75
    assert unit_kg({"w": 3.0, "quantity": None}) == 3.0
    assert unit_kg({"w": None, "quantity": 2.0, "kg_per_piece": 1.5}) == 1.5
    assert unit_kg({"w": 0.0, "quantity": 1.0}) is None


def test_ordinary_use_outweighs_tool_words_but_not_tablet_words() -> None:
    kb = load_kb()
    dies = kb.equipment_by_id("punches_dies")
    mould = next(d for d in dies.declared_as if "mould" in d.words)
    line = {"w": 1.0, "quantity": 1.0}
    assert declared_as_support(dies, mould, line, Signals(tool_words=True, ordinary_use=True)) is None
    assert declared_as_support(dies, mould, line, Signals(tablet_words=True, ordinary_use=True)) is not None
    assert declared_as_support(dies, mould, line, Signals()) is not None  # 1 kg fits a die set
    assert declared_as_support(dies, mould, {"w": 60.0, "quantity": 1.0}, Signals()) is None
    press = kb.headings["8479.89"]
    assert watched_support(press, kb.equipment_by_id("tablet_press"), {"w": 40.0, "quantity": 1.0},
                           Signals(generic=True)) is not None
    parts = kb.headings["8479.90"]
    assert watched_support(parts, kb.equipment_by_id("press_parts"), line, Signals(generic=True)) is None
