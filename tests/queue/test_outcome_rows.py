"""Outcomes read from a file (``queue/outcomes.py``): every bad row a reject with its line and field."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from interdictor.queue.outcomes import OutcomeFileError, parse_time, problems, read_outcomes

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
HEADER = "partner,shipment_id,result,examined_at,what,agency,version,quantity,unit,note"
GOOD = "acme,EX1,seized,2026-11-27T15:00:00Z,NPP drum,,2,25,kg,found in a keyboard carton"

# (a CSV row after the header, the field it is rejected on, words of the reason)
BAD_ROWS = [
    ("acme,EX1,lost,2026-11-27,,,,,,", "result", "result must be one of"),
    ("acme,EX1,seized,2026-11-27,,,,,,", "what", "what was seized"),
    ("acme,EX1,referred,2026-11-27,,,,,,", "agency", "names the agency"),
    ("acme,EX1,nothing_found,27/11/2026,,,,,,", "examined_at", "not a time"),
    ("acme,EX1,nothing_found,2026-02-30,,,,,,", "examined_at", "not a time"),
    ("acme,EX1,nothing_found,2027-01-01,,,,,,", "examined_at", "in the future"),
    (",EX1,nothing_found,2026-11-27,,,,,,", "partner", "needed"),
    ("acme,,nothing_found,2026-11-27,,,,,,", "shipment_id", "needed"),
    ("acme,EX1,nothing_found,,,,,,,", "examined_at", "needed"),
    ("acme,EX1,nothing_found,2026-11-27,,,two,,,", "version", "whole number"),
    ("acme,EX1,nothing_found,2026-11-27,,,0,,,", "version", "from 1"),
    ("acme,EX1,seized,2026-11-27,pills,,,-3,,", "quantity", "between"),
    ("acme,EX1,seized,2026-11-27,pills,,,lots,,", "quantity", "not a number"),
    ("acme,EX1,seized,2026-11-27,pills,,,,kilograms-of-it-all,", "unit", "at most 16"),
]


@pytest.mark.parametrize(("row", "field", "words"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_its_line_and_field_and_its_neighbours_are_kept(row: str, field: str,
                                                                                   words: str) -> None:
    data = f"{HEADER}\n{GOOD}\n{row}\n{GOOD.replace('EX1', 'EX2')}\n".encode()
    rows, rejects = read_outcomes(data, "o.csv", now=NOW)
    assert [r.shipment_id for r in rows] == ["EX1", "EX2"]
    assert [(r.source, r.line, r.field) for r in rejects] == [("o.csv", 3, field)]
    assert words in rejects[0].reason


def test_a_good_row_is_read_whole() -> None:
    rows, rejects = read_outcomes(f"{HEADER}\n{GOOD}\n".encode(), "o.csv", now=NOW)
    assert not rejects
    r = rows[0]
    assert (r.line, r.partner, r.shipment_id, r.result, r.what, r.version, r.quantity, r.unit) == (
        2, "acme", "EX1", "seized", "NPP drum", 2, 25.0, "kg")
    assert r.examined_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert r.agency is None and r.note == "found in a keyboard carton"


def test_json_lines_give_the_same_rows_with_their_own_line_numbers() -> None:
    good = {"partner": "acme", "shipment_id": "EX1", "result": "referred", "agency": "DEA",
            "examined_at": "2026-11-27T10:00:00-08:00", "version": 1, "quantity": 3}
    text = "\n".join([json.dumps(good), "", "[1, 2]", "{not json", json.dumps({**good, "result": "seized"})]) + "\n"
    rows, rejects = read_outcomes(text.encode(), "o.jsonl", now=NOW)
    assert [(r.line, r.agency, r.examined_at.hour, r.version) for r in rows] == [(1, "DEA", 18, 1)]
    assert [(r.line, r.field) for r in rejects] == [(3, None), (4, None), (5, "what")]


def test_a_csv_row_with_more_cells_than_the_header_names_is_rejected() -> None:
    _, rejects = read_outcomes(f"{HEADER}\n{GOOD},extra\n".encode(), "o.csv", now=NOW)
    assert [(r.line, r.field) for r in rejects] == [(2, None)] and "cells" in rejects[0].reason


@pytest.mark.parametrize(("data", "words"), [
    (b"partner,shipment_id,result\nacme,EX1,seized\n", "no column examined_at"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"", "no column"),
])
def test_a_file_no_row_of_which_can_be_read_is_refused_whole(data: bytes, words: str) -> None:
    with pytest.raises(OutcomeFileError, match=words):
        read_outcomes(data, "o.csv", now=NOW)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
    ("2026-11-27T15:00:00Z", datetime(2026, 11, 27, 15, tzinfo=UTC)),
    ("2026-11-27 15:00", datetime(2026, 11, 27, 15, tzinfo=UTC)),  # no zone: UTC
    ("2026-11-27T23:30:00-02:00", datetime(2026, 11, 28, 1, 30, tzinfo=UTC)),
])
def test_times_are_read_in_utc(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(("result", "what", "agency", "field"), [
    ("nothing_found", None, None, None), ("seized", "pills", None, None), ("referred", None, "DEA", None),
    ("seized", "  ", None, "what"), ("referred", None, "", "agency"), ("found", "x", "y", "result"),
])
def test_the_rules_of_an_outcome_are_the_workspaces(result: str, what: str | None, agency: str | None,
                                                     field: str | None) -> None:
    assert [f for f, _ in problems(result, what, agency)] == ([field] if field else [])
