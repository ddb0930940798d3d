"""Systematic-name candidates: a CAS reference is no part of the name sent to OPSIN."""

from __future__ import annotations

import re

import pytest

from interdictor.screen.goods.structure import name_spans

CASES = [
    ("1-Boc-4-hydroxypiperidine (CAS 109384-19-2)", "1-Boc-4-hydroxypiperidine"),
    ("Propinoyl chloride CAS: 79-03-8", "Propinoyl chloride"),
    ("N-phenethyl-4-piperidone 99% cas no. 39742-60-4", "N-phenethyl-4-piperidone"),
    ("Ethyl isonipecotate 1126-09-6", "Ethyl isonipecotate"),
    ("tert-butyl 4-oxopiperidine-1-carboxylate", "tert-butyl 4-oxopiperidine-1-carboxylate"),
]


@pytest.mark.parametrize(("description", "name"), CASES)
def test_longest_candidate_is_the_name_without_its_cas(description: str, name: str) -> None:
    spans = name_spans(description)
    assert spans and spans[0] == name
    assert not any(re.search(r"\bcas\b|\d{2,7}-\d{2}-\d", s, re.I) for s in spans)


@pytest.mark.parametrize("description", ["casual shirt 2-pack", "USB-C cable 2m", "phone case"])
def test_ordinary_goods_send_nothing(description: str) -> None:
    assert name_spans(description) == []
