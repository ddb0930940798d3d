from __future__ import annotations

import polars as pl
import pytest

from interdictor.reference.watchlists import Alias, Entry, curated_list
from interdictor.screen.parties import index
from interdictor.screen.parties.index import WatchlistIndex
from interdictor.screen.parties.text import normalise

ENTRIES = [
    *curated_list().entries,
    Entry("t", "w1", "WHITE TIGER TRADING COMPANY", "entity", ("SDGT",)),
    Entry("t", "g1", "GARCIA GAXIOLA, Maria Elena", "individual", ("SDNTK",)),
    Entry("t", "z1", "ZHANG, Wei", "individual", ("SDNTK",)),
    Entry("t", "weak", "KOVALENKOVA, Olena", "individual", ("SDGT",), (Alias("LENA", weak=True),)),
    # enough Marias and Garcias for both to be common on the list
    *(
        Entry("t", f"m{i}", f"GARCIA {s}, Maria {g}", "individual", ("SDNTK",))
        for i, (s, g) in enumerate(
            (s, g)
            for s in ("LOPEZ", "RUIZ", "SOTO", "VEGA", "LUNA")
            for g in ("Ana", "Rosa", "Luz", "Paz", "Sol")
        )
    ),
]
INDEX = WatchlistIndex.build(ENTRIES)

QUERIES = [
    "Hubei Guanleng Bio-Tech Co Ltd",
    "HEBEIGUANLANG BIOTECH",
    "Xiuna Trading LLC",
    "杜长根",
    "Du Chang Gen",
    "TDP MOLDS",
    "Tdpmolds Ltd",
    "Olga White",
    "Maria Garcia",
    "Wei Zhang",
    "Global Trading Co Ltd",
    "Lena",
    "Amarvel Bio",
    "AmarvelBio",
    "Hanhong Pharma Tech",
]


def hits(q: str) -> set[str]:
    return {h.name.entry.uid for h in INDEX.match_one(q)}


def test_batch_and_single_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "FEW_NAMES", 0)  # the batch path, however few the names
    many = INDEX.match_many(pl.Series(QUERIES))
    by_query: dict[str, set[str]] = {}
    for h in many:
        by_query.setdefault(h.query, set()).add(h.name.entry.uid)
    for q in QUERIES:
        assert by_query.get(q, set()) == hits(q), q


def test_variants_are_found() -> None:
    assert "ofac-2023-10-hebei-guanlang" in hits("Hubei Guanleng Bio-Tech Co Ltd")
    assert "ofac-2023-10-du-changgen" in hits("杜长根")
    assert "ofac-2023-10-du-changgen" in hits("Du Chang Gen")
    assert "ofac-2023-05-tdpmolds" in hits("TDP MOLDS")
    assert "doj-2023-06-hubei-amarvel" in hits("AmarvelBio")


def test_what_blocking_leaves_out() -> None:
    assert not hits("Global Trading Co Ltd")  # generic words only
    assert "w1" not in hits("Olga White")  # one short word of a one-word list name
    assert "g1" not in hits("Maria Garcia")  # only common names, and the entry has more
    assert "weak" not in hits("Lena Smith")  # a weak alias counts only when (nearly) exact
    assert "z1" in hits("Wei Zhang")  # a full name of common tokens is still a name


def test_a_few_names_take_the_single_name_path_and_fold_multi_word_legal_forms() -> None:
    idx = WatchlistIndex.build([*ENTRIES, Entry("t", "jsc", "JOINT STOCK COMPANY KONAR", "entity", ("RUSSIA-EO14024",)),
                                Entry("t", "llc", "LIMITED LIABILITY COMPANY TVK", "entity", ("RUSSIA-EO14024",))])
    names = pl.Series(["Joint Stock Company Konar", "LIMITED LIABILITY COMPANY TVK", "Maria Garcia", None])
    got = {(h.query, h.name.entry.uid) for h in idx.match_many(names)}
    assert ("Joint Stock Company Konar", "jsc") in got
    assert ("LIMITED LIABILITY COMPANY TVK", "llc") in got
    one_by_one = {(q, h.name.entry.uid) for q in names.drop_nulls() for h in idx.match_one(q)}
    assert got == one_by_one


def test_the_batch_path_folds_multi_word_phrases_as_the_single_path_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "FEW_NAMES", 0)
    idx = WatchlistIndex.build([*ENTRIES, Entry("t", "jsc", "JOINT STOCK COMPANY KONAR", "entity", ("RUSSIA-EO14024",)),
                                Entry("t", "llc", "LIMITED LIABILITY COMPANY TVK", "entity", ("RUSSIA-EO14024",))])
    names = ["Joint Stock Company Konar", "LIMITED LIABILITY COMPANY TVK", "Konar JSC", "Tvk Co Ltd Co Ltd"]
    got = {(h.query, h.name.entry.uid) for h in idx.match_many(pl.Series(names))}
    assert {("Joint Stock Company Konar", "jsc"), ("LIMITED LIABILITY COMPANY TVK", "llc"), ("Konar JSC", "jsc"),
            ("Tvk Co Ltd Co Ltd", "llc")} <= got


CAREFUL = [
    Entry("t", "slip", "QUORVANE ELECTRONIC CO., LTD", "entity", ("SDGT",)),
    Entry("t", "first", "FIRST VORANTIC INVESTMENT BANK", "entity", ("SDGT",)),
    Entry("t", "forty", "46TH ZELMARK RESEARCH INSTITUTE", "entity", ("SDGT",)),
    Entry("t", "dots", "VELMORA, S.P.R. DE R.L. DE C.V.", "entity", ("SDNTK",)),
    Entry("t", "cut", "OOO VELTRANO GRUPP", "entity", ("RUSSIA-EO14024",)),
    Entry("t", "person", "MBOKANI, Thomas", "individual", ("SDGT",)),
]


def test_the_batch_path_reads_slips_numbers_initials_and_cut_words_as_the_single_path_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Names the cheap fold would read otherwise than the full one are looked up name by name."""
    monkeypatch.setattr(index, "FEW_NAMES", 0)
    idx = WatchlistIndex.build([*ENTRIES, *CAREFUL])
    expected = {
        ("QUORVANE ELCTRONIC CO., LTD", "slip"),  # a slip in a trade word
        ("1st Vorantic Investment Bank", "first"),  # an ordinal as digits
        ("Forty Six Zelmark Research Institute", "forty"),  # number words
        ("Velmora S.P.R. de R.L. de C.V.", "dots"),  # dotted initials
        ("OOO Veltrano Grupp", "cut"),  # a trade word cut short at the end
    }
    names = [q for q, _uid in expected] + ["Thomas L. Tran", "Guangzhou Lianfa Trading Co"]
    got = {(h.query, h.name.entry.uid) for h in idx.match_many(pl.Series(names))}
    assert expected <= got
    assert got == {(q, h.name.entry.uid) for q in names for h in idx.match_one(q)}
    careful = set(idx.careful_queries(pl.Series([*names, None])))
    assert {"1st Vorantic Investment Bank", "Forty Six Zelmark Research Institute", "OOO Veltrano Grupp"} <= careful
    assert not careful & {"Thomas L. Tran", "Guangzhou Lianfa Trading Co"}  # the cheap fold reads these alike


def test_a_surname_at_the_end_of_a_persons_name_is_not_a_cut_trade_word() -> None:
    """'Tran' begins 'transport', but a person's name has no legal form or trade word before it."""
    assert normalise("Thomas L. Tran").distinctive == ("thomas", "l", "tran")
    assert "tran" not in normalise("OOO Veltrano Tran").distinctive  # a company's name: a cut word
    idx = WatchlistIndex.build([*ENTRIES, *CAREFUL])
    assert not {h.name.entry.uid for h in idx.match_one("Thomas L. Tran")} & {"person"}
