"""Structure analyses are remembered: a second run reads them back without building the index (or
importing RDKit for it), and what it reads is what the index said."""

from __future__ import annotations

from pathlib import Path

from interdictor.reference.kb import load_kb
from interdictor.screen.goods.structure_index import LazyStructureIndex, StructureResult, results_file

NPP = "O=C1CCN(CCc2ccccc2)CC1"
BENZYL_PIPERIDONE = "O=C1CCN(Cc2ccccc2)CC1"


def test_analyses_are_read_back_without_building_the_index(tmp_path: Path) -> None:
    kb = load_kb()
    where = results_file(kb, tmp_path)
    first = LazyStructureIndex(kb, where)
    fresh = {s: first.analyse_smiles(s) for s in (NPP, BENZYL_PIPERIDONE, "not a smiles((")}
    assert first.built
    assert fresh[NPP] is not None and fresh[NPP].exact == "npp"
    assert fresh["not a smiles(("] is None
    second = LazyStructureIndex(kb, where)
    again = {s: second.analyse_smiles(s) for s in fresh}
    assert again == fresh
    assert not second.built


def test_result_round_trips_through_json() -> None:
    r = StructureResult(smiles="C", key="K", unmasks_to=("npp", ("boc", "ketal")), shares_parent=("npp", "CC"),
                        alerts=[("a1", ("boc",))], similar=("npp", 0.71))
    assert StructureResult.from_json(r.to_json()) == r


def test_a_changed_knowledge_base_is_another_file(tmp_path: Path) -> None:
    import dataclasses

    kb = load_kb()
    other = dataclasses.replace(kb, similarity_review=kb.similarity_review + 0.05)
    assert results_file(kb, tmp_path) != results_file(other, tmp_path)
