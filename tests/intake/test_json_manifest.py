"""JSON manifests: shapes, synonyms, nested and flat parties/items, JSON-path rejects."""

from __future__ import annotations

import json

import pytest
from intake_helpers import run

from interdictor.intake.json_manifest import read

DOC = {"manifest_id": "M1", "shipments": [
    {"tracking_number": "EX000123", "mawb": "999-12345675", "mode": "courier", "routing": "PVG/ANC/LAX",
     "sender": {"name": "Example Trading", "address": "1 Example Rd", "city": "Shanghai", "country": "China"},
     "recipient": {"fullName": "John Example", "street": "100 Sample Ave", "city": "Calexico", "state": "CA",
                   "zip": "92231", "countryCode": "US"},
     "items": [{"description": "Tablet press die set", "hsCode": "8479.89", "qty": 1, "weight": 42.5, "value": 640,
                "originCountry": "CN"},
               {"description": "Shirts", "hs_code": "12AB", "quantity": "x"}],
     "declaredValue": 640, "currency": "USD", "pieces": 3, "weight": 93.7, "weightUnit": "lb",
     "marketplace": "EXAMPLEMARKET"},
    {"id": "EX000124", "shipper_name": "Example Apparel", "shipper_country": "CN", "consignee_name": "Jane",
     "consignee_country": "US", "description": "Cotton T-shirts", "hs_code": "610910"},
    {"id": "EX000124", "description": "Socks", "hs_code": "611595"},
    {"nothing": 1},
    5,
]}


def test_nested_and_flat_shipments() -> None:
    r = run(read, json.dumps(DOC).encode())
    assert r.ids == ["EX000123", "EX000124"]
    s = r.shipment("EX000123")
    assert (s["mode"], s["mawb"], s["routing"], s["pieces"], s["currency"]) == (
        "express", "999-12345675", "PVG-ANC-LAX", 3, "USD")
    assert s["gross_weight_kg"] == pytest.approx(42.502, abs=1e-3)  # pounds converted
    assert json.loads(str(s["extra"]))["attributes"] == {"marketplace": "EXAMPLEMARKET"}
    assert r.party("EX000123", "shipper")["country"] == "CN"
    assert r.party("EX000123", "consignee")["postal_code"] == "92231"
    items = r.items("EX000123")
    assert items[0]["hs_code"] == "847989" and items[0]["origin_country"] == "CN"
    assert [i["description"] for i in r.items("EX000124")] == ["Cotton T-shirts", "Socks"]
    assert r.party("EX000124", "consignee")["name"] == "Jane"
    fields = {x.field: x for x in r.rejects}
    assert fields["$.shipments[0].items[1].hs_code"].shipment_id == "EX000123"
    assert fields["$.shipments[3]"].kind == "row" and fields["$.shipments[4]"].kind == "row"


def test_single_shipment_object_and_wrappers() -> None:
    one = {"shipment_id": "S1", "items": [{"item_description": "BOOKS"}]}
    assert run(read, json.dumps(one).encode()).ids == ["S1"]
    wrapped = {"data": {"shipments": [one, {**one, "shipment_id": "S2"}]}}
    r = run(read, json.dumps(wrapped).encode())
    assert r.ids == ["S1", "S2"] and r.raw[0].document_id is None


def test_repeated_shipment_after_others_is_rejected() -> None:
    rows = [{"shipment_id": "A", "description": "X"}, {"shipment_id": "B", "description": "Y"},
            {"shipment_id": "A", "description": "Z"}]
    r = run(read, json.dumps(rows).encode())
    assert r.ids == ["A", "B"]
    (row,) = r.rejects_of("row")
    assert row.field == "$[2]" and "appears again" in row.reason


def test_not_json_is_one_message_reject() -> None:
    for data in (b"{not json", b"[" * 100_000, b"\xff\xfe\x00garbage"):
        r = run(read, data)
        assert r.ids == [] and len(r.rejects_of("message")) == 1, data[:20]


def test_a_large_manifest_spreads_over_chunks_and_loses_nothing() -> None:
    rows = [{"shipment_id": f"S{i}", "description": "BOOKS"} for i in range(12_000)]
    r = run(read, json.dumps(rows).encode())
    assert len(r.ids) == 12_000 and r.chunks >= 3
    assert len(r.raw) == 1 and set(r.raw_of) == set(r.ids)  # one payload, every shipment points at it
