from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.parties.addresses import address_key, annotate, describe_us, parse_us


def test_variants_of_one_address_share_a_key() -> None:
    a = address_key("1234 West Main Street, Apartment 5B", "78040-1111", "us")
    b = address_key("1234 W. MAIN ST APT 5B", "78040", "US")
    assert a == b == "1234 W MAIN ST APT 5B|78040|US"
    assert address_key("1234 W Main St Apt 6B", "78040", "US") != a
    assert address_key(None, "78040", "US") is None


def test_marks() -> None:
    df = pl.DataFrame(
        {
            "address": [
                "PO Box 12",
                "Post Office Box 9",
                "PMB 7, 1 Main St",
                "Regus, 8 Queens Rd",
                "12 Elm St Apt 3",
                "500 Industrial Blvd",
                "Apartado Postal 45",
            ],
            "postal_code": ["92154", "92154", "92154", None, "60601", "ABCDE", None],
            "country": ["US", "US", "US", "HK", "US", "US", "MX"],
        }
    )
    a = annotate(df)
    assert a["po_box"].to_list() == [True, True, True, False, False, False, True]
    assert a["virtual_office"].to_list()[3] is True
    assert a["residential_mark"].to_list()[4] is True and a["residential_mark"].to_list()[5] is False
    assert not any(a["residential_weak"].to_list()[:6])
    assert a["postal_ok"].to_list() == [True, True, True, None, True, False, None]


def test_us_parser_reads_components() -> None:
    p = parse_us("1234 W Main St Apt 5B, Laredo, TX 78040")
    assert p["StreetName"] == "Main" and p["OccupancyIdentifier"] == "5B" and p["ZipCode"] == "78040"
    assert describe_us("PO Box 1234") == "PO Box 1234"
    assert parse_us("Room 2914, Bldg. B, No. 108 West Zhongshan Road") == {}  # ambiguous: no crash


@given(st.text(max_size=80), st.text(max_size=12), st.sampled_from(["US", "CN", "MX", None]))
def test_key_is_stable_and_never_raises(addr: str, postal: str, country: str | None) -> None:
    k = address_key(addr, postal, country)
    assert k == address_key(addr, postal, country)
    assert k is None or k.count("|") >= 2


def test_unit_and_suite_numbers_are_weak_signs_of_a_dwelling() -> None:
    df = pl.DataFrame({"address": ["77 Elm St Unit 3", "583 Airway Rd #289", "12 Elm St Apt 3", "500 Industrial Blvd"],
                       "postal_code": ["60601", "92154", "60601", "78040"], "country": ["US"] * 4})
    a = annotate(df)
    assert a["residential_weak"].to_list() == [True, True, False, False]
    assert a["residential_mark"].to_list() == [False, False, True, False]


_WORDS = ["STREET", "ST", "STR", "AVENUE", "AV", "ROAD", "SUITE", "NORTH", "N", "NO", "NUMBER", "MAIN", "PARK",
          "STREETS", "XSTREET", "12", "5B"]


@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(alphabet="abc STREET,.#-_&/\t", max_size=8)), max_size=8)
       .map(" ".join))
def test_word_by_word_abbreviations_are_the_patterns_one_after_another(text: str) -> None:
    from dataclasses import replace

    from interdictor.screen.parties.addresses import default_rules, street_key

    rules = default_rules()
    assert rules.words, "the shipped abbreviations are plain words: the one-pass path is the one in use"
    df = pl.DataFrame({"a": [text, text.lower()]})
    one_pass = df.select(street_key(pl.col("a"), rules))
    one_by_one = df.select(street_key(pl.col("a"), replace(rules, words=())))
    assert one_pass.equals(one_by_one)


def test_abbreviations_that_are_not_plain_words_run_as_patterns() -> None:
    from interdictor.screen.parties.addresses import AddressRules, street_key

    rules = AddressRules.from_raw({"abbreviations": {"PO": ["P.O."], "ST": ["STREET"]}})
    assert rules.words == ()
    got = pl.DataFrame({"a": ["1 Main Street", "P.O. Box"]}).select(street_key(pl.col("a"), rules))["a"].to_list()
    assert got == ["1 MAIN ST", "P O BOX"]  # punctuation goes first: the long form 'P.O.' never meets the line
    chained = AddressRules.from_raw({"abbreviations": {"X": ["Y"], "Y": ["Z"]}})
    assert chained.words == ()  # a short form that is another's long form: order matters, patterns it is
