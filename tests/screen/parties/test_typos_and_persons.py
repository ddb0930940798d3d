"""Party matching: a legal form, trade word or place written with one edit is still read as that word, and
a name that reads as a person's never matches an organisation's name on personal-name tokens (common on the
list, or in a listed person's name) — on both the batch and the single-name path."""

from __future__ import annotations

import polars as pl
import pytest

from interdictor.reference.watchlists import Alias, Entry, curated_list
from interdictor.screen.parties import index
from interdictor.screen.parties.index import WatchlistIndex
from interdictor.screen.parties.text import normalise, party_kind

ENTRIES = [
    *curated_list().entries,
    Entry("t", "kelvant", "NINGBO KELVANT CHEMICAL TRADING CO., LTD", "entity", ("SDNTK",)),
    Entry("t", "orvelis", "SHANDONG ORVELIS INDUSTRIAL CO LTD", "entity", ("SDNTK",)),
    Entry("t", "quimera", "QUIMERA PHARMACEUTICAL TECHNOLOGY LIMITED", "entity", ("SDNTK",)),
    # an organisation with an alias made of two common personal-name tokens and a legal form
    Entry("t", "delta", "DELTA RIVERA LOGISTICA S.A.", "entity", ("SDNTK",), (Alias("JORGE RIVERA LTD"),)),
    Entry("t", "person", "RIVERA, Jorge", "individual", ("SDNTK",)),
    # enough listed people named Jorge and Rivera for both to be common on the list
    *(Entry("t", f"r{i}", f"RIVERA {s}, Jorge {g}", "individual", ("SDNTK",)) for i, (s, g) in enumerate(
        (s, g) for s in ("PENA", "SALAS", "MORA", "CRUZ", "LARA") for g in ("Ivan", "Raul", "Saul", "Noe", "Eli"))),
    # an organisation whose name is two rare words and a legal form
    Entry("t", "veltoria", "VELTORIA MARQUENZA LLC", "entity", ("SDNTK",)),
    # a listed person, and a company with an alias of that person's rare given name and surname
    Entry("t", "kovran", "KOVRAN, Teodor", "individual", ("SDNTK",)),
    Entry("t", "tk-ltd", "NORDVEX SHIPPING LIMITED", "entity", ("SDNTK",), (Alias("TEODOR KOVRAN LTD"),)),
]
INDEX = WatchlistIndex.build(ENTRIES)

SLIPS = [  # (party name, list entry): one letter dropped, added, changed or two swapped in a vocabulary word
    ("Ningbo Kelvant Chemcal Trading Co Ltd", "kelvant"),
    ("NINGBO KELVANT CHEMICAL TRADNG CO", "kelvant"),
    ("Ningpo Kelvant Chemical Trading Co., Ltd.", "kelvant"),
    ("Shangdong Orvelis Industrial Co Ltd", "orvelis"),
    ("Shandong Orvelis Indsutrial Co., Ltd", "orvelis"),
    ("Quimera Pharmaceutcal Tecnology Ltd", "quimera"),
]
PERSONS = ["Jorge Rivera", "JORGE RIVERA", "Sharon Stone", "Maria Lopez", "Teodor Kovran"]


def uids(q: str) -> set[str]:
    return {h.name.entry.uid for h in INDEX.match_one(q)}


@pytest.mark.parametrize(("party", "uid"), SLIPS)
def test_a_slip_in_a_trade_word_or_place_is_still_the_listed_supplier(party: str, uid: str) -> None:
    assert uid in uids(party)


def test_a_slip_is_read_as_the_vocabulary_word_only_in_a_name_that_has_others() -> None:
    assert normalise("Kelvant Chemcal Co").tokens == normalise("Kelvant Chemical Co").tokens
    assert normalise("Shangdong Orvelis Trading").tokens == normalise("Shandong Orvelis Trading").tokens
    # a person's name has no word of the vocabulary: its surname stays a name ("stone" is one edit from "store")
    assert normalise("Sharon Stone").distinctive == ("sharon", "stone")
    # the one distinctive word of a name is never read away
    assert normalise("Stone Trading Co").distinctive == ("stone",)
    # a short token is left alone ("Hunt" is one edit from "hunan")
    assert normalise("Hunt Chemical Co").distinctive == ("hunt",)


def test_what_kind_of_party_a_name_is() -> None:
    assert party_kind(normalise("Jorge Rivera")) == "person"
    assert party_kind(normalise("JORGE RIVERA LTD")) == "org"
    assert party_kind(normalise("Xiuna Trding")) == "unknown"  # maybe a trade word with a slip
    assert party_kind(normalise("Orvelis")) == "unknown"  # one word: could be either


def test_a_persons_name_never_matches_an_organisations_alias_on_personal_name_tokens() -> None:
    assert INDEX.common >= {"jorge", "rivera"}
    assert "delta" not in uids("Jorge Rivera")  # the alias shares both tokens, but they are common names
    assert "person" in uids("Jorge Rivera")  # a listed person of that name still is compared
    assert "delta" in uids("Jorge Rivera Ltd")  # and a company of that name is the company
    # tokens of a listed person's name count as personal names however rare on the list
    assert uids("Teodor Kovran") == {"kovran"}
    assert "tk-ltd" in uids("Teodor Kovran Ltd")
    # other words: a company written without its legal form still is the company
    assert "veltoria" in uids("Veltoria Marquenza")


def test_batch_and_single_paths_agree_on_slips_and_persons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "FEW_NAMES", 0)  # the batch path, however few the names
    names = [q for q, _u in SLIPS] + PERSONS + ["Jorge Rivera Ltd", "Stone Trading Co", "Veltoria Marquenza"]
    got = {(h.query, h.name.entry.uid) for h in INDEX.match_many(pl.Series(names))}
    assert got == {(q, h.name.entry.uid) for q in names for h in INDEX.match_one(q)}
    assert set(SLIPS) <= got
    careful = set(INDEX.careful_queries(pl.Series(names)))
    assert {q for q, _u in SLIPS if "Chemcal" in q or "Shangdong" in q} <= careful
    assert not careful & set(PERSONS)  # a person's name is not looked up twice
