"""The case table: positives (names, synonyms, misspellings, CAS, systematic names, designer
relatives, equipment under other names) and negatives (ordinary commodity text and known traps)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from interdictor.reference.kb import load_kb

from .conftest import LEVELS, load_cases, screen_lines

POSITIVES = load_cases("positives.yaml")["cases"]
NEGATIVES = load_cases("negatives.yaml")["cases"]


def _line(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": case["d"], "hs": case.get("hs"), "weight_kg": case.get("kg", 1.0),
        "value": case.get("usd", 50.0), "quantity": case.get("qty"), "cas": case.get("cas"),
        "filed_at": "2025-03-01T00:00:00",
    }


def _names(target: str) -> list[str]:
    kb = load_kb()
    if target in kb.by_id:
        s = kb.by_id[target]
        return [s.short.lower(), s.name.lower().split(" (")[0]]
    return [kb.equipment_by_id(target).name.lower().split(" (")[0]]


@pytest.fixture(scope="module")
def screened() -> dict[str, tuple[pl.DataFrame, dict[str, Any]]]:
    cases = POSITIVES + NEGATIVES
    reasons, scores = screen_lines([_line(c) for c in cases])
    out = {}
    for i, c in enumerate(cases):
        sid = f"S{i}"
        out[c["d"] + "|" + str(c.get("hs")) + "|" + str(c.get("kg"))] = (
            reasons.filter(pl.col("shipment_id") == sid),
            scores.filter(pl.col("shipment_id") == sid).row(0, named=True),
        )
    return out


def _key(c: dict[str, Any]) -> str:
    return c["d"] + "|" + str(c.get("hs")) + "|" + str(c.get("kg"))


def test_there_are_enough_cases() -> None:
    assert len(POSITIVES) >= 150
    assert len(NEGATIVES) >= 80


@pytest.mark.parametrize("case", POSITIVES, ids=[c["d"][:40] for c in POSITIVES])
def test_positive(case: dict[str, Any], screened: dict[str, Any]) -> None:
    reasons, sc = screened[_key(case)]
    want = case.get("min", "review")
    got = sc["disposition"]
    explain = "\n".join(f"{c} {w}: {e}" for c, w, e in reasons.select("code", "weight", "evidence").iter_rows())
    assert LEVELS.index(got) >= LEVELS.index(want), f"{case['d']!r} is {got} ({sc['score']}), wanted {want}\n{explain}"
    for code in case.get("codes", []):
        assert code in reasons["code"].to_list(), f"{case['d']!r} lacks {code}\n{explain}"
    if case.get("is"):
        text = " ".join(reasons["evidence"].to_list()).lower()
        assert any(n in text for n in _names(case["is"])), f"{case['d']!r}: evidence does not name {case['is']}\n{explain}"


@pytest.mark.parametrize("case", NEGATIVES, ids=[c["d"][:40] for c in NEGATIVES])
def test_negative(case: dict[str, Any], screened: dict[str, Any]) -> None:
    reasons, sc = screened[_key(case)]
    limit = case.get("max", "clear")
    explain = "\n".join(f"{c} {w}: {e}" for c, w, e in reasons.select("code", "weight", "evidence").iter_rows())
    assert LEVELS.index(sc["disposition"]) <= LEVELS.index(limit), (
        f"{case['d']!r} is {sc['disposition']} ({sc['score']}), at most {limit}\n{explain}"
    )
    for code in case.get("not", []):
        assert code not in reasons["code"].to_list(), f"{case['d']!r} has {code}\n{explain}"
    for code in case.get("codes", []):
        assert code in reasons["code"].to_list(), f"{case['d']!r} lacks {code}\n{explain}"
