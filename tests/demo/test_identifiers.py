"""Document numbers: UPU S10 and IATA AWB check digits, serial uniqueness, house-bill patterns."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdictor.demo.identifiers import (
    SerialBook,
    awb_numbers,
    from_pattern,
    s10_check_digits,
    s10_ids,
    tracking_numbers,
    valid_awb,
    valid_s10,
)


@pytest.mark.parametrize(
    ("item_id", "ok"),
    [
        ("LX123456785CN", True),  # the example in the issue
        ("RB473124829CN", True),
        ("EE123456785US", True),
        ("LX123456784CN", False),  # wrong check digit
        ("LX12345678CN", False),  # too short
        ("123456785CN", False),
    ],
)
def test_valid_s10(item_id: str, ok: bool) -> None:
    assert valid_s10(item_id) is ok


@pytest.mark.parametrize(
    ("awb", "ok"),
    [
        ("784-12345675", True),
        ("78412345675", True),
        ("160-76543213", True),
        ("784-12345674", False),
        ("784-1234567", False),
    ],
)
def test_valid_awb(awb: str, ok: bool) -> None:
    assert valid_awb(awb) is ok


def test_s10_check_digit_rule() -> None:
    # sum 8*1+6*2+4*3+2*4+3*5+5*6+9*7+7*8 = 204; 204 % 11 = 6; 11 - 6 = 5
    assert s10_check_digits(np.array([12345678]))[0] == 5
    # remainders 1 and 0 map to 0 and 5
    assert set(s10_check_digits(np.arange(10_000_000, 10_000_300)).tolist()) <= set(range(10))


@given(
    st.lists(st.integers(0, 99_999_999), min_size=1, max_size=50),
    st.sampled_from(["CN", "HK", "VN", "US"]),
    st.sampled_from(["LX", "RB", "EA", "CP"]),
)
def test_generated_s10_ids_are_valid(serials: list[int], country: str, service: str) -> None:
    ids = s10_ids(pl.Series([service] * len(serials)), np.array(serials), pl.Series([country] * len(serials)))
    assert all(valid_s10(i) and i.endswith(country) and i.startswith(service) for i in ids)


@given(
    st.lists(st.integers(0, 9_999_999), min_size=1, max_size=50),
    st.sampled_from(["784", "160", "023", "999"]),
)
def test_generated_awbs_are_valid(serials: list[int], prefix: str) -> None:
    awbs = awb_numbers(pl.Series([prefix] * len(serials)), np.array(serials))
    assert all(valid_awb(a) and a.startswith(prefix + "-") for a in awbs)


def test_serials_never_repeat_across_takes() -> None:
    book, rng = SerialBook(), np.random.default_rng(0)
    first = book.take("s10", 1000, rng, (1000, 2000))
    second = book.take("s10", 1000, rng, (1000, 2000))
    both = np.concatenate([first, second])
    assert len(np.unique(both)) == 2000 and (np.diff(both) > 0).all()
    assert len(book.take("other", 0, rng, (1, 2))) == 0


def test_dhl_numbers_carry_a_mod7_check_digit() -> None:
    numbers = tracking_numbers("dhl", np.array([123456789, 5, 987654321]), np.random.default_rng(0))
    assert all(len(x) == 10 and int(x[:9]) % 7 == int(x[9]) for x in numbers)


def test_house_bill_pattern() -> None:
    out = from_pattern(
        "{code}{orig}{n:07d}", {"code": "PBL", "orig": pl.Series(["SZX", "PVG"])}, np.array([5, 1234567])
    )
    assert out.to_list() == ["PBLSZX0000005", "PBLPVG1234567"]
    assert from_pattern("SR{n:010d}", {}, np.array([42])).to_list() == ["SR0000000042"]
