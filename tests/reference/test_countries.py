"""The one country table: what partners and lists write -> ISO alpha-2, the same for a value
and for a column."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdictor.reference import countries

CASES = [
    ("CN", "CN"), ("chn", "CN"), ("China", "CN"), ("PRC", "CN"), ("People's Republic of China", "CN"),
    ("TURKEY", "TR"), ("Türkiye", "TR"), ("TURKIYE", "TR"), ("KOREA", "KR"), ("South Korea", "KR"),
    ("Korea, Republic of", "KR"), ("DPRK", "KP"), ("HONG KONG", "HK"), ("  hong\tkong ", "HK"), ("UK", "GB"),
    ("United Kingdom", "GB"), ("USA", "US"), ("United States of America", "US"), ("VIET NAM", "VN"),
    ("Vietnam", "VN"), ("Cote d'Ivoire", "CI"), ("Côte d'Ivoire", "CI"), ("RUSSIA", "RU"), ("Taiwan", "TW"),
    ("XX", None), ("RUSSIA2", None), ("", None), ("   ", None), ("Guangdong", None),
]


@pytest.mark.parametrize(("text", "code"), CASES)
def test_code(text: str, code: str | None) -> None:
    assert countries.code(text) == code


def test_column_reads_as_the_value_does() -> None:
    texts = [t for t, _ in CASES]
    got = pl.DataFrame({"c": texts}).select(countries.column(pl.col("c")))["c"].to_list()
    assert got == [c for _, c in CASES]


@given(st.lists(st.one_of(st.sampled_from(sorted(countries.table())), st.text(max_size=12)), max_size=30))
def test_column_and_value_agree_and_fold_is_idempotent(texts: list[str]) -> None:
    got = pl.DataFrame({"c": texts}, schema={"c": pl.String}).select(countries.column(pl.col("c")))["c"].to_list()
    assert got == [countries.code(t) for t in texts]
    for t in texts:
        assert countries.fold(countries.fold(t)) == countries.fold(t)


def test_every_code_is_iso_and_lists_may_name_a_region() -> None:
    assert set(countries.table().values()) <= countries.codes()
    assert countries.guess("Guangdong") == "CN"  # lists' free text: pycountry's fuzzy search
    assert countries.guess("Hong Kong") == "HK" and countries.guess(None) is None
