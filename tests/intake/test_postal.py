"""CN 23 postal items, JSON and CSV: S10 ids, contents, parties, rejects."""

from __future__ import annotations

import json

from intake_helpers import fixture, run

from interdictor.intake.postal import read_csv, read_json

ITEM = {
    "item_id": "CP000000014CN", "mail_class": "E", "category_of_item": "GIFT",
    "posting": {"office_of_origin": "CNSHAA", "origin_country": "CN"}, "destination_country": "US",
    "sender": {"name": "EXAMPLE SHOP", "business": "EXAMPLE TRADING CO LTD", "street": "1 EXAMPLE ROAD",
               "city": "SHANGHAI", "country": "CN"},
    "addressee": {"name": "JOHN EXAMPLE", "street": "100 SAMPLE AVE", "city": "SAN YSIDRO", "state": "CA",
                  "postcode": "92173"},
    "contents": [{"description": "PHONE CASE", "quantity": 2, "net_weight_kg": 0.12, "value": 9.8, "currency": "USD",
                  "hs_code": "392690", "origin_country": "CN"},
                 {"description": "WHITE POWDER SAMPLE", "quantity": 1, "net_weight_kg": 0.5, "value": 5,
                  "hs_code": "29AB"}],
    "total_gross_weight_kg": 0.8, "total_declared_value": 14.8, "total_declared_currency": "USD",
}


def test_cn23_json_item() -> None:
    r = run(read_json, json.dumps(ITEM).encode())
    assert r.ids == ["CP000000014CN"]
    s = r.shipment("CP000000014CN")
    assert (s["mode"], s["postal_item_id"], s["pieces"], s["gross_weight_kg"]) == ("postal", "CP000000014CN", 1, 0.8)
    assert (s["declared_value"], s["currency"], s["origin_country"]) == (14.8, "USD", "CN")
    assert json.loads(str(s["extra"]))["category"] == "GIFT"
    assert r.party("CP000000014CN", "shipper")["name"] == "EXAMPLE SHOP / EXAMPLE TRADING CO LTD"
    assert r.party("CP000000014CN", "consignee")["country"] == "US"  # from the destination country
    items = r.items("CP000000014CN")
    assert [i["description"] for i in items] == ["PHONE CASE", "WHITE POWDER SAMPLE"]
    assert items[0]["hs_code"] == "392690" and items[1]["hs_code"] is None
    (bad,) = r.rejects
    assert bad.field == "$.contents[1].hs_code" and bad.shipment_id == "CP000000014CN" and bad.kind == "field"
    assert r.raw[0].document_id == "CP000000014CN"


def test_item_list_with_bad_ids() -> None:
    items = [ITEM, {**ITEM, "item_id": "CP000000010CN"}, {**ITEM, "item_id": "NOT-AN-ID"}, "junk"]
    r = run(read_json, json.dumps({"items": items}).encode())
    assert r.ids == ["CP000000014CN", "CP000000010CN"]  # wrong check digit: kept, flagged
    assert any(x.field == "$.items[1].item_id" and "check digit" in x.reason and x.kind == "field" for x in r.rejects)
    rows = r.rejects_of("row")
    assert {x.field for x in rows} == {"$.items[2].item_id", "$.items[3]"}


def test_json_lines_one_payload_per_line() -> None:
    line2 = {**ITEM, "item_id": "EE123456785US"}
    data = (json.dumps(ITEM) + "\n{broken\n" + json.dumps(line2) + "\n").encode()
    r = run(read_json, data)
    assert r.ids == ["CP000000014CN", "EE123456785US"]
    assert [p.first_line for p in r.raw] == [1, 2, 3]
    (broken,) = r.rejects_of("message")
    assert broken.line == 2


def test_cn23_csv_rows_grouped_by_item() -> None:
    r = run(read_csv, fixture("cn23_items.csv"))
    assert r.ids == ["CP000000014CN"] and not r.rejects
    items = r.items("CP000000014CN")
    assert [i["line"] for i in items] == [2, 3] and items[0]["hs_code"] == "392690"
    assert json.loads(str(r.shipment("CP000000014CN")["extra"]))["attributes"] == {"bag": "B1"}
    assert b"".join(p.content for p in r.raw) == fixture("cn23_items.csv")


def test_cn23_csv_bad_rows_are_named() -> None:
    data = (b"item_id;sender_name;addressee_country;description;hs_code\n"
            b"LX123456785CN;A;US;BOOKS;4901\n"
            b"LX123456785CN;A;US\n"
            b"BAD;B;US;TOYS;9503\n"
            b"EE123456785US;C;XX;TOYS;9503\n")
    r = run(read_csv, data)
    assert r.ids == ["LX123456785CN", "EE123456785US"]
    assert {(x.line, x.kind) for x in r.rejects_of("row")} == {(3, "row"), (4, "row")}
    (country,) = r.rejects_of("field")
    assert country.line == 5 and country.shipment_id == "EE123456785US"
