"""One Aho-Corasick pass over many texts: every hit lands on its own text, at its own offsets."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdictor.screen.goods import scan
from interdictor.screen.goods.scan import KeySet, scan_column

KEYS = KeySet.build(pl.DataFrame({"text": [" npp ", " 4 ap ", "哌啶酮", " ap "], "gid": [0, 1, 2, 3]}))


def _naive(texts: list[str | None]) -> set[tuple[int, int, int, int]]:
    out = set()
    for did, t in enumerate(texts):
        for key, gid in zip(KEYS.texts, KEYS.table["gid"].to_list(), strict=True):
            start = (t or "").find(key)
            while start >= 0:
                out.add((did, gid, start, start + len(key) - 1))
                start = (t or "").find(key, start + 1)
    return out


def test_hits_land_on_their_own_text() -> None:
    texts = [" npp 99 ", None, "", " 4 ap powder ", " 4 哌啶酮盐酸盐 ", " snapper "]
    hits = scan_column(pl.Series(texts, dtype=pl.String), KEYS)
    got = {(r["did"], r["gid"], r["start"], r["end"]) for r in hits.iter_rows(named=True)}
    assert got == _naive(texts)
    assert (hits["local"] == hits["start"]).all()


def test_dids_are_passed_through() -> None:
    hits = scan_column(pl.Series([" x ", " npp "]), KEYS, pl.Series([7, 9], dtype=pl.Int32))
    assert hits["did"].to_list() == [9]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=" npa4哌啶酮", max_size=12), max_size=8))
def test_same_as_scanning_each_text_alone(texts: list[str]) -> None:
    hits = scan_column(pl.Series(texts, dtype=pl.String), KEYS)
    got = {(r["did"], r["gid"], r["start"], r["end"]) for r in hits.iter_rows(named=True)}
    assert got == _naive(list(texts))


def test_remembered_hits_are_the_same_and_bounded() -> None:
    keys = KeySet.build(KEYS.table)
    texts = pl.Series([" npp ", " 4 ap ", " x ", " npp "])
    first = scan_column(texts, keys)
    assert scan_column(texts, keys).equals(first)
    keys._seen.limit = 4
    more = pl.Series([" ap a ", " y ", " z "])
    assert scan_column(more, keys)["gid"].to_list() == [3]
    assert len(keys._seen) <= 4
    assert scan_column(texts, keys).equals(first)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=" npa4哌啶酮x", max_size=12), max_size=8))
def test_bulk_search_finds_the_same_hits_at_the_same_character_offsets(texts: list[str]) -> None:
    series = pl.Series(texts, dtype=pl.String)
    bulk = scan._hit_rows_bulk(series, KEYS)  # polars' search, byte offsets turned into characters
    small = scan._hit_rows(series, KEYS) if series.str.len_bytes().sum() < scan.BULK_CHARS else bulk
    as_set = lambda f: set(f.iter_rows())  # noqa: E731
    assert as_set(bulk) == as_set(small)
    got = {(r["did"], r["gid"], r["start"], r["end"]) for r in scan_column(series, KEYS, remember=False)
           .iter_rows(named=True)}
    assert got == _naive(list(texts))


def test_large_inputs_take_the_bulk_search(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [" 4 哌啶酮 npp ", " snapper ", " ap ap "] * 50
    expected = _naive(list(texts))
    monkeypatch.setattr(scan, "BULK_CHARS", 10)
    keys = KeySet.build(KEYS.table)
    hits = scan_column(pl.Series(texts, dtype=pl.String), keys)
    assert {(r["did"], r["gid"], r["start"], r["end"]) for r in hits.iter_rows(named=True)} == expected
    assert len(keys._seen) == 0  # large inputs are scanned, not remembered
