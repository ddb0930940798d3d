"""Structure layer: designer relatives the knowledge base does not list, listed forms, decoys, EMPG."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from interdictor.reference.kb import load_kb
from interdictor.screen.goods.chem import StructureIndex, mol_from_smiles

from .conftest import load_cases, screen_lines

CASES = load_cases("structures.yaml")


@pytest.fixture(scope="module")
def listed_only() -> StructureIndex:
    """An index built without the designer entries: relatives must be found by structure alone."""
    kb = load_kb()
    keep = tuple(s for s in kb.substances if s.tier != "designer")
    ids = {s.id for s in keep}
    keep = tuple(dataclasses.replace(s, leads_to=tuple(t for t in s.leads_to if t in ids)) for s in keep)
    small = dataclasses.replace(kb, substances=keep, by_id={s.id: s for s in keep})
    return StructureIndex(small)


@pytest.mark.parametrize("case", CASES["relatives"], ids=lambda c: c["name"])
def test_designer_relative_is_flagged_with_what_it_leads_to(case: dict[str, Any], listed_only: StructureIndex) -> None:
    r = listed_only.analyse(mol_from_smiles(case["smiles"]))
    assert r is not None and r.exact is None
    strong = [a for a, _ in r.alerts if next(x for x in listed_only.kb.alerts if x.id == a).strength == "strong"]
    assert r.unmasks_to or r.shares_parent or strong, f"{case['name']}: nothing found"
    led = set()
    if r.unmasks_to:
        led.add(r.unmasks_to[0])
    if r.shares_parent:
        led.add(r.shares_parent[0])
    for a in strong:
        led |= set(next(x for x in listed_only.kb.alerts if x.id == a).leads_to)
    assert case["leads_to"] in led, f"{case['name']}: leads to {led}, expected {case['leads_to']}"


@pytest.mark.parametrize("case", CASES["listed"], ids=lambda c: c["name"])
def test_listed_forms_match_exactly(case: dict[str, Any], listed_only: StructureIndex) -> None:
    r = listed_only.analyse(mol_from_smiles(case["smiles"]))
    assert r is not None and (r.exact or r.stereo_of) == case["is"]


@pytest.mark.parametrize("case", CASES["decoys"], ids=lambda c: c["name"])
def test_ordinary_drugs_are_not_flagged(case: dict[str, Any], listed_only: StructureIndex) -> None:
    r = listed_only.analyse(mol_from_smiles(case["smiles"]))
    assert r is not None
    strong = [a for a, _ in r.alerts if next(x for x in listed_only.kb.alerts if x.id == a).strength == "strong"]
    benign = r.exact is None or listed_only.kb.substance(r.exact).tier in ("context", "lookalike")
    assert benign and not (r.stereo_of or r.unmasks_to or r.shares_parent or strong or r.similar), (
        f"{case['name']}: {r}"
    )


def test_empg_and_bmk_ethyl_glycidate_told_apart_by_structure() -> None:
    reasons, scores = screen_lines([
        {"description": "CCOC(=O)C1OC1(C)c1ccccc1", "weight_kg": 25.0, "value": 500.0},  # EMPG
        {"description": "CCOC(=O)C1(C)OC1c1ccccc1", "weight_kg": 25.0, "value": 500.0},  # BMK ethyl glycidate
    ])
    empg = reasons.filter(reasons["shipment_id"] == "S0")
    bmk = reasons.filter(reasons["shipment_id"] == "S1")
    assert empg["code"].to_list() == ["GOODS_FLAVOUR_LOOKALIKE"]
    assert "positional isomer" in empg["evidence"][0]
    assert scores.filter(scores["shipment_id"] == "S0")["disposition"][0] in ("clear", "review")
    assert "GOODS_DESIGNER_PRECURSOR" in bmk["code"].to_list()
    assert scores.filter(scores["shipment_id"] == "S1")["disposition"][0] in ("review", "exam", "hold")


def test_unparsable_smiles_like_tokens_never_fail() -> None:
    reasons, _ = screen_lines([{"description": "C1CC(((=N#N 99%"}, {"description": "model C100 N95 mask"}])
    assert reasons.filter(reasons["code"].str.starts_with("GOODS_STRUCTURE")).is_empty()
