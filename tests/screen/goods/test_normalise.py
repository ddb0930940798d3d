"""Normalisers: idempotent, padded, and the ASCII fast path equals the full path."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.goods.normalise import normalise_many, token_views

ascii_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=60)
any_text = st.text(max_size=40)


@given(any_text)
def test_token_view_is_idempotent_and_padded(text: str) -> None:
    once = normalise_many([text])[0]
    assert normalise_many([once])[0] == once
    assert once.startswith(" ") and once.endswith(" ") and "  " not in once.strip()


@given(st.lists(ascii_text, min_size=1, max_size=8))
def test_ascii_fast_path_equals_full_path(texts: list[str]) -> None:
    fast = token_views(pl.DataFrame({"d": texts}), "d").to_list()
    assert fast == normalise_many(texts)


@given(st.lists(any_text, min_size=1, max_size=8))
def test_mixed_batches_keep_their_order(texts: list[str]) -> None:
    assert token_views(pl.DataFrame({"d": texts}), "d").to_list() == normalise_many(texts)


def test_spacing_and_punctuation_tricks_meet() -> None:
    a, b, c = normalise_many(["4-A.P", "4 a p", "4_A_P"])
    assert a == b == c == " 4 a p "
