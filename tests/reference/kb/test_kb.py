"""The knowledge base: every CAS check digit, every SMILES, every HS code, every structure rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdkit import Chem
from rdkit.Chem import rdChemReactions

from interdictor.reference.kb import hs_dotted, load_kb
from interdictor.reference.kb.cas import cas_check_digit, format_cas, is_valid_cas

KB = load_kb()
HS_FILE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "hs" / "harmonized-system.csv"


def all_hs_codes() -> set[str]:
    codes = {h for h in KB.headings}
    codes |= {s.hs for s in KB.substances if s.hs}
    for e in KB.equipment:
        codes |= set(e.hs)
        for d in e.declared_as:
            codes |= set(d.hs)
    return codes


@pytest.mark.parametrize("sub", KB.substances, ids=lambda s: s.id)
def test_every_cas_check_digit(sub) -> None:  # type: ignore[no-untyped-def]
    for cas in sub.all_cas():
        assert is_valid_cas(cas), f"{sub.id}: CAS {cas} fails its check digit"


@pytest.mark.parametrize("sub", KB.substances, ids=lambda s: s.id)
def test_every_smiles_parses(sub) -> None:  # type: ignore[no-untyped-def]
    assert Chem.MolFromSmiles(sub.smiles) is not None, f"{sub.id}: SMILES {sub.smiles} does not parse"
    for other in sub.other_cas:
        if other.smiles:
            assert Chem.MolFromSmiles(other.smiles) is not None


def test_cas_numbers_are_unique() -> None:
    seen: dict[str, str] = {}
    for s in KB.substances:
        for cas in s.all_cas():
            assert cas not in seen, f"CAS {cas} is both {seen[cas]} and {s.id}"
            seen[cas] = s.id


def test_hs_codes_are_well_formed() -> None:
    for code in all_hs_codes():
        assert hs_dotted(code) == code, f"HS {code} is not NNNN.NN"


@pytest.mark.shared_data
def test_hs_codes_exist_in_the_nomenclature() -> None:
    if not HS_FILE.is_file():
        pytest.skip("HS nomenclature absent (../shared/data/hs/harmonized-system.csv)")
    with HS_FILE.open(encoding="utf-8") as f:
        known = {row["hscode"] for row in csv.DictReader(f) if row["level"] == "6"}
    missing = sorted(c for c in all_hs_codes() if c.replace(".", "") not in known)
    assert not missing, f"HS codes not in the HS 2022 nomenclature: {missing}"


def test_structure_rules_compile() -> None:
    for a in KB.alerts:
        assert Chem.MolFromSmarts(a.smarts) is not None, a.id
    for r in KB.rewrites:
        assert rdChemReactions.ReactionFromSmarts(r.smarts).GetNumReactantTemplates() == 1, r.id


# chemistry.md §5.2: the alerts hit the listed families and none of the decoys
INTENDED = {
    "ANILINOPIPERIDINE_4": ["anpp", "4ap", "boc_4ap", "norfentanyl", "benzylfentanyl", "benzyl_4ap", "boc_norfentanyl", "fentanyl"],
    "PIPERIDIN_4_ONE": ["4_piperidone", "npp", "boc_4_piperidone", "benzyl_4_piperidone"],
    "PIPERIDIN_4_ONE_MASKED": ["piperidone_ethylene_ketal"],
    "ARYL_GLYCIDATE": ["bmk_methyl_glycidate", "bmk_ethyl_glycidate", "pmk_methyl_glycidate", "pmk_ethyl_glycidate"],
    "ALPHA_PHENYLACETOACETYL": ["apaan", "apaa", "mapa", "eapa"],
    "EPHEDRINE_LIKE": ["ephedrine", "pseudoephedrine", "norephedrine", "methylephedrine"],
    "ARYL_2_PROPANONE": ["p2p", "pmk"],
}
DECOYS = {
    "piperidine": "C1CCNCC1",
    "paracetamol": "CC(=O)Nc1ccc(O)cc1",
    "haloperidol": "OC1(CCN(CCCC(=O)c2ccc(F)cc2)CC1)c1ccc(Cl)cc1",
    "loperamide": "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1",
    "donepezil": "COc1cc2c(cc1OC)C(=O)C(CC1CCN(Cc3ccccc3)CC1)C2",
}


@pytest.mark.parametrize("alert_id", sorted(INTENDED))
def test_alert_hits_its_family(alert_id: str) -> None:
    alert = next(a for a in KB.alerts if a.id == alert_id)
    patt = Chem.MolFromSmarts(alert.smarts)
    for sid in INTENDED[alert_id]:
        assert Chem.MolFromSmiles(KB.substance(sid).smiles).HasSubstructMatch(patt), f"{alert_id} misses {sid}"


@pytest.mark.parametrize("decoy", sorted(DECOYS))
def test_no_alert_hits_a_decoy(decoy: str) -> None:
    mol = Chem.MolFromSmiles(DECOYS[decoy])
    hits = [a.id for a in KB.alerts if a.strength == "strong" and mol.HasSubstructMatch(Chem.MolFromSmarts(a.smarts))]
    assert not hits, f"{decoy} hits {hits}"


def test_empg_is_not_a_glycidate_alert_but_bmk_ethyl_glycidate_is() -> None:
    patt = Chem.MolFromSmarts(next(a for a in KB.alerts if a.id == "ARYL_GLYCIDATE").smarts)
    assert not Chem.MolFromSmiles(KB.substance("empg").smiles).HasSubstructMatch(patt)
    assert Chem.MolFromSmiles(KB.substance("bmk_ethyl_glycidate").smiles).HasSubstructMatch(patt)


def test_equipment_phrases_compose() -> None:
    press = KB.equipment_by_id("tablet_press").all_phrases()
    assert "pill press" in press and "rotary tablet press" in press


def test_specific_headings_name_listed_substances() -> None:
    for code, h in KB.headings.items():
        if h.role == "specific":
            assert h.substance is not None and KB.substance(h.substance).tier == "controlled", code


@given(st.integers(min_value=10_000, max_value=99_999_999))
def test_cas_check_digit_roundtrip(body: int) -> None:
    digits = str(body)
    cas = format_cas(digits + str(cas_check_digit(digits)))
    assert cas is not None and is_valid_cas(cas)
    wrong = (cas_check_digit(digits) + 1) % 10
    bad = format_cas(digits + str(wrong))
    assert bad is not None and not is_valid_cas(bad)


def test_malformed_cas_is_invalid() -> None:
    for text in ("", "39742604", "3-60-4", "39742-6-4", "abc-de-f", "39742-60-44"):
        assert not is_valid_cas(text)
