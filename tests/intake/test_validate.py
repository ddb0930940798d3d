"""Field checks: table-driven cases in cases/validate.yaml, plus the check-digit rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from interdictor.intake import validate

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "validate.yaml").read_text(encoding="utf-8"))
CHECKS = {"awb": validate.awb, "s10": validate.s10, "hs_code": validate.hs_code,
          "country": validate.country, "currency": validate.currency}


@pytest.mark.parametrize(
    ("check", "case"),
    [(name, case) for name, cases in CASES.items() for case in cases],
    ids=lambda v: v if isinstance(v, str) else repr(v.get("input")),
)
def test_field_check(check: str, case: dict[str, Any]) -> None:
    value, problem = CHECKS[check](case["input"])
    assert value == case["value"]
    if case["problem"] is None:
        assert problem is None
    else:
        assert problem is not None and case["problem"] in problem


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_awb_with_its_check_digit_is_valid(serial7: str) -> None:
    digit = validate.awb_check_digit(serial7)
    assert validate.awb(f"176-{serial7}{digit}") == (f"176-{serial7}{digit}", None)
    wrong = (digit + 1) % 10
    value, problem = validate.awb(f"176-{serial7}{wrong}")
    assert value == f"176-{serial7}{wrong}" and problem is not None and "check digit" in problem


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_s10_with_its_check_digit_is_valid(digits: str) -> None:
    c = validate.s10_check_digit(digits)
    assert 0 <= c <= 9
    assert validate.s10(f"LX{digits}{c}CN") == (f"LX{digits}{c}CN", None)


@pytest.mark.parametrize(
    ("amount", "unit", "kg"),
    [("100", "K", 100.0), ("100", "L", 45.359), ("1,250.5", "KGM", 1250.5), ("12,5", "K", 12.5),
     (2.0, "LBR", 0.907), ("500", "G", 0.5)],
)
def test_weight_units(amount: str | float, unit: str, kg: float) -> None:
    value, problem = validate.weight_kg(amount, unit)
    assert problem is None and value == pytest.approx(kg, abs=1e-3)


@pytest.mark.parametrize(("amount", "unit", "word"),
                         [("100", "X", "unit"), ("-4", "K", "negative"), ("0", "K", "not positive"),
                          ("9999999", "K", "beyond"), ("abc", "K", "not a number")])
def test_bad_weights_are_emptied_with_a_reason(amount: str, unit: str, word: str) -> None:
    value, problem = validate.weight_kg(amount, unit)
    assert value is None and problem is not None and word in problem


@given(st.text(max_size=200))
def test_checks_never_raise_and_quote_at_most_a_little(text: str) -> None:
    for check in CHECKS.values():
        _, problem = check(text)
        assert problem is None or len(problem) < 300
    for fn in (lambda t: validate.weight_kg(t, "K"), lambda t: validate.number(t, "x"), validate.pieces):
        _, problem2 = fn(text)
        assert problem2 is None or len(problem2) < 300
