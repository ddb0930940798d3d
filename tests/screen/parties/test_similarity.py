from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.parties.evaluate import held_out, read_pairs, split
from interdictor.screen.parties.similarity import DEFAULT_POSSIBLE, DEFAULT_THRESHOLD, compare, compare_names
from interdictor.screen.parties.text import name_variants, normalise

from .conftest import SHARED, load_cases

MATCH = load_cases("names.yaml")["match"]


@pytest.mark.parametrize("case", MATCH, ids=[f"{c['party']} ~ {c['entry']}" for c in MATCH])
def test_match_cases(case: dict[str, Any]) -> None:
    c = compare_names(name_variants(case["party"]), name_variants(case["entry"]))
    if case["match"] == "possible":
        assert DEFAULT_POSSIBLE <= c.score < DEFAULT_THRESHOLD, c
    else:
        assert (c.score >= DEFAULT_THRESHOLD) == case["match"], c


def test_generic_words_alone_never_match() -> None:
    c = compare(normalise("Trading Co., Ltd"), normalise("TRADING COMPANY LIMITED"))
    assert c.score == 0.0 and not c.distinctive


def test_explanation_names_matched_tokens() -> None:
    c = compare(normalise("Hubei Guanleng Biotech Co"), normalise("HEBEI GUANLANG BIOTECHNOLOGY CO., LTD."))
    text = c.explain()
    assert "guanleng~guanlang" in text and "biotech" in text


def test_conflicting_token_costs_more_than_an_extra_one() -> None:
    extra = compare(normalise("Boris Johnson"), normalise("Alexandre Boris de Pfeffel Johnson")).score
    conflict = compare(
        normalise("Geoffrey Boris Johnson"), normalise("Alexandre Boris de Pfeffel Johnson")
    ).score
    assert conflict < extra


words = st.lists(
    st.sampled_from(["wang", "hebei", "guanlang", "trading", "co", "ltd", "du", "li", "xiuna"]), max_size=6
)


@given(words, words)
def test_score_is_bounded_and_identity_is_full(a: list[str], b: list[str]) -> None:
    left, right = normalise(" ".join(a)), normalise(" ".join(b))
    s = compare(left, right).score
    assert 0.0 <= s <= 1.0
    if left.distinctive:
        assert compare(left, left).score == pytest.approx(1.0)


def test_name_bench_held_out_f1() -> None:
    """F1 on the held-out half, threshold chosen on the other half (nomenklatura's pairs)."""
    path = SHARED / "names" / "nomenklatura_name_bench" / "cases.csv"
    if not path.exists():
        pytest.skip(f"name bench absent ({path})")
    a, b = split(read_pairs(path))
    result = held_out(a, b)
    assert result.held_out.f1 >= 0.85, result
