"""Limits on a submission's width: a clear reject naming the limit and the line."""

from __future__ import annotations

import json

import pytest
from intake_helpers import run

from interdictor.intake.base import IntakeError
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.intake.jsonl import read_manifest_jsonl
from interdictor.intake.limits import MAX_COLUMNS


def _csv(columns: int, value: str = "v") -> bytes:
    extra = [f"x{i}" for i in range(columns - 2)]
    head = ",".join(["shipment_id", "item_description", *extra])
    row = ",".join(["S1", "aspirin", *[value] * len(extra)])
    return f"{head}\n{row}\n".encode()


@pytest.mark.parametrize("columns", [MAX_COLUMNS, MAX_COLUMNS + 1])
def test_a_csv_header_over_the_column_limit_is_refused_naming_line_1(columns: int) -> None:
    if columns <= MAX_COLUMNS:
        r = run(read_manifest_csv, _csv(columns))
        assert r.ids == ["S1"] and not r.rejects
        assert len(json.loads(str(r.shipment("S1")["extra"]))) == columns - 2
        return
    with pytest.raises(IntakeError, match=rf"line 1: the header has {columns:,} columns; at most {MAX_COLUMNS:,}"):
        run(read_manifest_csv, _csv(columns))


def test_extra_columns_are_cleaned_and_a_long_one_is_emptied_with_a_reject_naming_line_and_column() -> None:
    data = b"shipment_id,item_description,colour,note\nS1,aspirin, red ,\nS2,tea,blue," + b"n" * 50 + b"\n"
    r = run(read_manifest_csv, data, max_field_chars=40)
    assert json.loads(str(r.shipment("S1")["extra"])) == {"colour": "red", "note": None}
    assert json.loads(str(r.shipment("S2")["extra"])) == {"colour": "blue", "note": None}  # emptied
    (rej,) = r.rejects
    assert (rej.line, rej.field, rej.shipment_id, rej.kind) == (3, "note", "S2", "field")
    assert "longer than 40 characters" in rej.reason


def test_a_json_lines_record_that_widens_the_table_over_the_limit_is_rejected_and_its_neighbours_read() -> None:
    lines = [
        {"shipment_id": "S1", "item_description": "tea", **{f"a{i}": 1 for i in range(MAX_COLUMNS - 10)}},
        {"shipment_id": "S2", "item_description": "tea", **{f"b{i}": 1 for i in range(20)}},
        {"shipment_id": "S3", "item_description": "tea"},
    ]
    r = run(read_manifest_jsonl, b"\n".join(json.dumps(o).encode() for o in lines))
    assert r.ids == ["S1", "S3"]
    (rej,) = r.rejects
    assert rej.line == 2 and f"at most {MAX_COLUMNS:,} are read" in rej.reason
