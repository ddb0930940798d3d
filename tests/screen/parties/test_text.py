from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.parties.text import NAME, fold_tokens, name_variants, normalise

from .conftest import load_cases

FOLD = load_cases("names.yaml")["fold"]


@pytest.mark.parametrize("case", FOLD, ids=[c["raw"][:40] or "<empty>" for c in FOLD])
def test_fold(case: dict[str, Any]) -> None:
    form = normalise(case["raw"])
    assert list(form.distinctive) == case["distinctive"]
    vocab_tokens = {t: k for t, k in zip(form.tokens, form.kinds, strict=True) if k != NAME}
    for token, kind in (case.get("vocab") or {}).items():
        assert vocab_tokens.get(token) == kind, (token, form)


def test_chinese_personal_name_has_family_name_first_and_polyphone_readings() -> None:
    readings = {f.key for f in name_variants("杜长根")}
    assert "du changgen" in readings


def test_reordered_and_punctuated_forms_fold_alike() -> None:
    assert normalise("S.A.R.L.").tokens == normalise("SARL").tokens
    assert normalise("AT&T Inc.").tokens == normalise("AT and T Inc").tokens
    assert normalise("Crédit Agricole").tokens == normalise("CREDIT AGRICOLE").tokens


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(names)
def test_fold_is_idempotent_and_ascii(raw: str) -> None:
    form = normalise(raw)
    assert all(t.isascii() and t == t.lower() for t in form.tokens)
    again = normalise(" ".join(form.tokens))
    assert again.distinctive == form.distinctive


@given(names)
def test_fold_tokens_never_empty_strings(raw: str) -> None:
    assert all(fold_tokens(raw))
