"""A value no field can hold rejects that field, never the file: out-of-range dates in a CSV or a
JSON manifest, NaN, Infinity, huge numbers and over-deep nesting in every JSON reader."""

from __future__ import annotations

import json

import pytest
from intake_helpers import run

from interdictor.intake import csv_manifest, json_manifest, jsonl, onerecord

BAD_DATES = ["+99999-01-01T00:00:00Z", "9999-12-31T23:59:60Z", "2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z",
             "9999-12-31T23:00:00-05:00"]


def _csv(read: object, data: bytes):  # type: ignore[no-untyped-def]
    return run(lambda s, o: csv_manifest.read_manifest_csv(s, o), data)


@pytest.mark.parametrize("when", BAD_DATES)
def test_a_date_no_database_holds_is_a_field_reject_in_a_csv(when: str) -> None:
    data = f"shipment_id,item_description,filed_at\nS1,lamp,2026-01-02T03:04:05Z\nS2,tea,{when}\nS3,cup,\n".encode()
    r = _csv(None, data)
    assert r.ids == ["S1", "S2", "S3"]
    (bad,) = r.rejects
    assert (bad.line, bad.field, bad.kind, bad.shipment_id) == (3, "filed_at", "field", "S2")
    assert r.shipment("S2")["filed_at"] is None and r.shipment("S1")["filed_at"] is not None


@pytest.mark.parametrize("when", BAD_DATES)
def test_a_date_no_database_holds_is_a_field_reject_in_json(when: str) -> None:
    doc = [{"shipment_id": "A", "filed_at": "2026-01-02T03:04:05Z", "description": "lamp"},
           {"shipment_id": "B", "filed_at": when, "description": "tea"}]
    for reader, data in ((json_manifest.read, json.dumps(doc).encode()),
                         (jsonl.read_manifest_jsonl, "\n".join(
                             json.dumps({"shipment_id": d["shipment_id"], "filed_at": d["filed_at"],
                                         "item_description": d["description"]}) for d in doc).encode())):
        r = run(reader, data)  # type: ignore[arg-type]
        assert r.ids == ["A", "B"], reader
        (bad,) = r.rejects
        assert bad.kind == "field" and "filed_at" in (bad.field or "") and bad.shipment_id == "B"
        assert r.shipment("B")["filed_at"] is None and r.shipment("A")["filed_at"] is not None


HOSTILE = {
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "1e999": "1e999",
    "5,000 digits": "1" * 5_000,
    "1,000-deep array": "[" * 1_000 + "]" * 1_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_json_value_rejects_its_field_only(name: str) -> None:
    bad = HOSTILE[name]
    manifest = ('[{"shipment_id": "A", "description": "lamp", "gross_weight_kg": 2},'
                f' {{"shipment_id": "B", "description": "tea", "gross_weight_kg": {bad}}},'
                ' {"shipment_id": "C", "description": "cup"}]').encode()
    lines = ('{"shipment_id": "A", "item_description": "lamp"}\n'
             f'{{"shipment_id": "B", "item_description": "tea", "gross_weight_kg": {bad}}}\n'
             '{"shipment_id": "C", "item_description": "cup"}\n').encode()
    for reader, data in ((json_manifest.read, manifest), (jsonl.read_manifest_jsonl, lines)):
        r = run(reader, data)  # type: ignore[arg-type]
        assert r.ids == ["A", "B", "C"], (reader, r.rejects)
        (reject,) = r.rejects
        assert reject.kind == "field" and reject.field and "gross_weight_kg" in reject.field
        assert reject.shipment_id == "B"
        assert r.shipment("B")["gross_weight_kg"] is None


def test_a_hostile_value_in_a_one_record_waybill_rejects_its_field_only() -> None:
    doc = {"@type": "cargo:Waybill", "cargo:waybillPrefix": "176", "cargo:waybillNumber": "12345675",
           "cargo:waybillType": "MASTER", "cargo:note": "__BAD__"}
    r = run(onerecord.read, json.dumps(doc).replace('"__BAD__"', "[" * 1_000 + "]" * 1_000).encode())
    assert r.ids == ["176-12345675"]
    assert [(x.kind, x.shipment_id) for x in r.rejects if "nested deeper" in x.reason] == [("field", "176-12345675")]
