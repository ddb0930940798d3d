"""Nothing unverified reaches an officer: every knowledge-base fact evidence states has a source.

The load-time rules (a fact is sourced or unverified, its date parses and agrees with its citation)
are table-driven below; the walk renders every shipped substance and equipment entry through the
functions the goods detector uses and screens one line per substance with a CAS number.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import pytest

from interdictor.model import Batch
from interdictor.reference.kb import KnowledgeBaseError, load_kb, parse_kb
from interdictor.reference.kb.control import Control, source_years
from interdictor.screen.goods import build_goods_context, detect_goods
from interdictor.screen.goods.evidence import declared_instead, equipment_found, label, standing, why

KB = load_kb()
UNSURE = re.compile(r"memory|inferen|verif|todo|\?", re.I)
# a day, a month or a year ("2020-05-15", "2020-12", "2017"); a CAS number (5 digits first) is none
DATE = re.compile(r"\b(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?\b")


def sourced_dates(entry: Any) -> set[str]:
    return {d for c in entry.listings() for d in DATE.findall(c.text())}


def check_text(entry: Any, text: str, allowed: set[str]) -> None:
    assert not UNSURE.search(text), f"{entry.id}: evidence says something unchecked: {text}"
    stray = [d for d in DATE.findall(text) if d not in allowed]
    assert not stray, f"{entry.id}: evidence gives dates {stray} no sourced fact gives: {text}"


# ---------------------------------------------------------------------- every shipped entry
@pytest.mark.parametrize("sub", KB.substances, ids=lambda s: s.id)
def test_substance_evidence_states_only_sourced_facts(sub) -> None:  # type: ignore[no-untyped-def]
    allowed = sourced_dates(sub) | {d for t in sub.leads_to for d in sourced_dates(KB.substance(t))}
    if sub.tier == "lookalike" and sub.note:  # a lookalike's note is part of its evidence
        allowed |= set(DATE.findall(sub.note))
    for text in (why(KB, sub), standing(sub), label(sub)):
        check_text(sub, text, allowed)
    for c in sub.listings():  # and what is sourced is said
        assert c.text() in why(KB, sub)


@pytest.mark.parametrize("equip", KB.equipment, ids=lambda e: e.id)
def test_equipment_evidence_states_only_sourced_facts(equip) -> None:  # type: ignore[no-untyped-def]
    texts = [equipment_found(equip, "goods", "words", p, False) for p in equip.all_phrases()[:3]]
    texts.append(equipment_found(equip, "goods", "model", "X-1", True))
    texts += [declared_instead(equip, w, hs, "a heading", d.verified, "the line corroborates it")
              for d in equip.declared_as for w in d.words for hs in d.hs[:1]]
    for text in texts:
        check_text(equip, text, sourced_dates(equip))
    if equip.licence:  # the import rule it is screened under is stated, with its citation
        assert equip.listings() and all(c.text() in texts[0] for c in equip.listings())


def test_the_shipped_kb_keeps_unverified_facts_for_analysts_only() -> None:
    unverified = [(s, c) for s in KB.substances for c in s.control if not c.sourced]
    assert unverified, "the shipped knowledge base holds unverified facts; this test must see some"
    for s, c in unverified:
        assert c.unverified and c.source is None
        assert "unverified" in c.label()
        if c.since and c.since not in sourced_dates(s):
            assert c.since not in why(KB, s), f"{s.id}: the unsourced date {c.since} is shown"


# ---------------------------------------------------------------------- rendering a synthetic entry
def one_substance(control: list[dict[str, Any]], tier: str = "controlled") -> dict[str, dict[str, Any]]:
    sub = {"id": "x", "name": "Example", "family": "fentanyl", "tier": tier, "smiles": "C", "control": control}
    return {"substances.yaml": {"substances": [sub]}, "equipment.yaml": {}, "hs.yaml": {}, "lexicon.yaml": {},
            "structure.yaml": {}}


MEMORY = {"jurisdiction": "US", "list": "List I", "since": "2007-04-23", "unverified": "memory"}
UN = {"jurisdiction": "UN", "list": "1988 Convention Table I", "since": "2017", "source": "CND decision of March 2017"}


@pytest.mark.parametrize(
    ("control", "says", "never"),
    [
        ([MEMORY, UN], ["a listed precursor", "Table I since 2017 (CND decision of March 2017)"], ["2007", "List I ", "memory"]),
        ([MEMORY], ["a precursor"], ["listed", "2007", "memory", "List I"]),
        ([], ["a precursor"], ["listed"]),
    ],
    ids=["sourced-kept-unsourced-dropped", "only-unsourced", "none"],
)
def test_rendering_drops_unsourced_facts(control: list[dict[str, Any]], says: list[str], never: list[str]) -> None:
    kb = parse_kb(one_substance(control))
    text = why(kb, kb.substance("x"))
    for s in says:
        assert s in text, text
    for n in never:
        assert n not in text, text


# ---------------------------------------------------------------------- load-time rules
BAD = [
    ({"jurisdiction": "US", "list": "List I", "since": "2020-05-15"}, "has no source"),
    ({**MEMORY, "source": "72 FR 20039"}, "one or the other"),
    ({"jurisdiction": "US", "list": "List I", "since": "May 2020", "source": "85 FR 20822"}, "is not a date"),
    ({"jurisdiction": "US", "list": "List I", "since": "2020-13-01", "source": "85 FR 20822"}, "is not a date"),
    ({"jurisdiction": "US", "list": "List I", "since": "2020-05-15", "source": "87 FR 67550"}, "disagrees with its source"),
    ({"jurisdiction": "UN", "list": "1988 Convention Table I", "since": "2019", "source": "CND decision of March 2022"},
     "disagrees with its source"),
    ({"jurisdiction": "US", "list": "List I (specific listing 2022)", "since": "2020-05-15", "source": "85 FR 20822"},
     "a date belongs in `since:`"),
    ({"jurisdiction": "US", "list": "List I (final rule to verify)", "source": "88 FR 70610"}, "says the fact is unchecked"),
    ({"jurisdiction": "US", "list": "List I", "source": "notes (memory)"}, "says the fact is unchecked"),
    ({"jurisdiction": "US", "list": "List I", "since": "2007", "verify": "memory"},
     "substances[0 id=x].control[0]: unknown key 'verify' — did you mean 'unverified'?"),
    ({"list": "List I", "source": "85 FR 20822"}, "needs both a jurisdiction and a list"),
]


@pytest.mark.parametrize(("control", "problem"), BAD, ids=[p for _, p in BAD])
def test_a_bad_fact_is_a_load_error_naming_its_entry(control: dict[str, Any], problem: str) -> None:
    with pytest.raises(KnowledgeBaseError) as err:
        parse_kb(one_substance([control]))
    message = str(err.value)
    assert ("substance x" in message or "id=x]" in message) and problem in message, message


GOOD = [
    {"jurisdiction": "US", "list": "List I", "since": "2021-12-20", "source": "DEA final rule, FR Doc. 2021-24952"},
    {"jurisdiction": "US", "list": "List I", "since": "2022-01-03", "source": "86 FR 99999"},  # effective the next year
    {"jurisdiction": "UK", "list": "Category 1 drug precursor", "source": "UK Home Office precursor list"},
    {"jurisdiction": "US", "list": "List I proposal", "proposed": True, "since": "2020-12", "source": "DEA NPRM of Dec 2020"},
    MEMORY,
    {**UN, "since": 2017},  # YAML reads an unquoted year as a number
]


@pytest.mark.parametrize("control", GOOD, ids=[str(c.get("source", c.get("unverified"))) for c in GOOD])
def test_a_good_fact_loads(control: dict[str, Any]) -> None:
    (c,) = parse_kb(one_substance([control])).substance("x").control
    assert c.sourced == ("source" in control)


@pytest.mark.parametrize(("source", "years"), [("85 FR 20822", {2020}), ("72 FR 20039", {2007}),
                                                ("FR Doc. 2021-24952", {2021}), ("UK Home Office precursor list", set()),
                                                ("OMB 1117-0024", set())])
def test_source_years(source: str, years: set[int]) -> None:
    assert source_years(source) == years


def test_proposal_is_not_worded_as_a_listing() -> None:
    c = Control("US", "List I proposal", source="DEA NPRM of Dec 2020", since="2020-12", proposed=True)
    assert c.text() == "US List I proposal, 2020-12 (DEA NPRM of Dec 2020)"


# ---------------------------------------------------------------------- the screen itself
def test_screening_one_line_per_substance_shows_no_unchecked_fact() -> None:
    subs = [s for s in KB.substances if s.cas]
    ids = [f"S{i}" for i in range(len(subs))]
    shipments = pl.DataFrame({"shipment_id": ids, "gross_weight_kg": [5.0] * len(subs), "pieces": [1] * len(subs),
                              "declared_value": [50.0] * len(subs)})
    items = pl.DataFrame({"shipment_id": ids, "item": [0] * len(subs),
                          "description": [f"{s.name.upper()} 99%" for s in subs],
                          "hs_code": [(s.hs or "").replace(".", "") or None for s in subs],
                          "quantity": [1.0] * len(subs), "cas_number": [s.cas for s in subs]})
    parties = pl.DataFrame({"shipment_id": ids, "party": ["consignee"] * len(subs), "name": ["Jane Doe"] * len(subs)})
    reasons = detect_goods(Batch.build(shipments, items, parties), build_goods_context())
    by_id = dict(zip(ids, subs, strict=True))
    hit = set(reasons["shipment_id"].to_list())
    assert {i for i, s in by_id.items() if s.tier == "controlled"} <= hit  # the screen saw every controlled good
    for sid, code, text in reasons.select("shipment_id", "code", "evidence").iter_rows():
        assert not UNSURE.search(text), f"{by_id[sid].id} {code}: {text}"
