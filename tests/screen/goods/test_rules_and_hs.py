"""Every goods code is in the rule set with the detector's weight; HS nomenclature text stays quiet."""

from __future__ import annotations

import csv

import pytest

from interdictor.reference.kb import load_kb
from interdictor.score.rules import load_ruleset
from interdictor.screen.goods.evidence import FLOOR_CODES, WEIGHTS

from .conftest import SHARED, screen_lines


def test_every_goods_code_is_a_documented_rule() -> None:
    rs = load_ruleset()
    for code, weight in WEIGHTS.items():
        assert code in rs.rules, f"{code} missing from the rule set"
        assert rs.rules[code].description, f"{code} has no description"
        assert rs.rules[code].weight == weight, f"{code}: detector proposes {weight}, rule set says {rs.rules[code].weight}"
    assert {c for c in WEIGHTS if rs.rules[c].floor} == FLOOR_CODES
    assert rs.rules["LICENCE_NOTIFIED"].cap == "review" and rs.rules["LICENCE_NOT_NOTIFIED"].floor == "hold"
    assert rs.rules["GOODS_VAGUE_DESCRIPTION"].weight < 35 and rs.rules["GOODS_VAGUE_CHEMICAL"].weight < 35


@pytest.mark.shared_data
def test_hs_nomenclature_descriptions_are_not_flagged() -> None:
    path = SHARED / "hs" / "harmonized-system.csv"
    if not path.is_file():
        pytest.skip("HS nomenclature absent (../shared/data/hs/harmonized-system.csv)")
    kb = load_kb()
    listed = [n.lower() for s in kb.substances if s.tier in ("controlled", "drug", "designer", "watch")
              for n in (*s.synonyms, s.name.split(" (")[0]) if len(n) >= 5]
    named = {c.replace(".", "") for c, h in kb.headings.items() if h.role in ("specific", "drug")}
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == "6" and r["hscode"] not in named]
    rows = [r for r in rows if not any(n in r["description"].lower() for n in listed)]
    lines = [{"description": r["description"], "hs": r["hscode"], "weight_kg": 1.0, "value": 50.0} for r in rows]
    _, scores = screen_lines(lines)
    flagged = scores.filter(scores["disposition"] != "clear").height
    assert flagged / len(lines) < 0.005, f"{flagged} of {len(lines)} HS descriptions reach review"
