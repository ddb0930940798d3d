"""Cargo-IMP reader: FWB 16/17, FHL 4/5, FFM, envelopes, and rejects that name the line."""

from __future__ import annotations

import json

import pytest
from intake_helpers import fixture, run

from interdictor.intake.base import IntakeError
from interdictor.intake.cargo_imp import read, read_fhl, read_fwb


def test_fwb16_positional_parties_inside_a_type_b_envelope() -> None:
    r = run(read, fixture("fwb16_envelope.txt"))
    assert r.ids == ["784-23456786"] and not r.rejects
    s = r.shipment("784-23456786")
    assert s["mawb"] == "784-23456786" and s["hawb"] is None and s["mode"] == "air"
    assert (s["origin_port"], s["destination_port"], s["routing"]) == ("PVG", "LAX", "PVG-ANC-LAX")
    assert (s["pieces"], s["gross_weight_kg"], s["declared_value"], s["currency"]) == (3, 42.5, 640.0, "USD")
    assert s["carrier"] == "XX" and s["origin_country"] == "CN" and s["line"] == 3
    shp = r.party("784-23456786", "shipper")
    assert shp["name"] == "HEBEI EXAMPLE TRADING CO LTD" and shp["address"] == "NO 1 EXAMPLE ROAD"
    assert (shp["city"], shp["state"], shp["postal_code"], shp["country"]) == ("SHIJIAZHUANG", "HEBEI", "050000", "CN")
    assert shp["phone"] == "8631100000"
    cne = r.party("784-23456786", "consignee")
    assert (cne["name"], cne["city"], cne["state"], cne["postal_code"]) == (
        "BORDER EXAMPLE LOGISTICS LLC", "SAN DIEGO", "CA", "92154")
    assert cne["email"] == "ops@example.invalid"  # from the Enhanced ACAS OCI line
    items = r.items("784-23456786")
    assert [i["hs_code"] for i in items] == ["847930", "820730"]
    assert items[0]["description"] == "TABLET PRESS DIE SET AND PUNCHES"
    assert (items[0]["quantity"], items[0]["weight_kg"], items[0]["origin_country"]) == (3.0, 42.5, "CN")
    assert items[1]["weight_kg"] is None  # amounts are not counted twice
    extra = json.loads(str(s["extra"]))
    assert extra["parties"]["consignee"]["account"] == "ACCT99" and extra["special_handling"] == ["EAP"]
    assert {"info": "SHP", "code": "T"}.items() <= extra["oci"][1].items()
    (raw,) = r.raw
    assert raw.document_id == "784-23456786" and raw.first_line == 1 and raw.content == fixture("fwb16_envelope.txt")
    assert r.raw_of == {"784-23456786": raw.raw_id}


def test_fhl_houses_one_bad_house_does_not_hide_the_others() -> None:
    r = run(read, fixture("fhl4_houses.txt"))
    assert r.ids == ["784-23456786/HK0001", "784-23456786/HK0002"]
    h1 = r.shipment("784-23456786/HK0001")
    assert (h1["mawb"], h1["hawb"], h1["pieces"], h1["gross_weight_kg"]) == ("784-23456786", "HK0001", 3, 42.5)
    assert (h1["declared_value"], h1["currency"], h1["routing"]) == (320.0, "USD", "PVG-LAX")
    (item,) = r.items("784-23456786/HK0001")
    assert item["hs_code"] == "820730"  # found in the free text: no HTS line was sent
    assert "TABLET PRESS DIE SET" in str(item["description"])
    assert r.party("784-23456786/HK0001", "consignee")["city"] == "CHULA VISTA"
    h2 = r.shipment("784-23456786/HK0002")
    assert h2["gross_weight_kg"] == pytest.approx(12.474, abs=0.001)  # L = pounds
    assert h2["currency"] is None and r.items("784-23456786/HK0002")[0]["hs_code"] == "610910"
    (bad,) = r.rejects_of("row")
    assert (bad.line, bad.field) == (17, "hbs.hawb") and "BAD HAWB" in bad.reason
    (cur,) = [x for x in r.rejects if x.field == "cvd.currency"]
    assert (cur.line, cur.kind, cur.shipment_id) == (20, "field", "784-23456786/HK0002")
    assert r.raw[0].document_id == "784-23456786"  # several houses: the master names the message


def test_mixed_file_every_message_is_a_shipment_or_a_reject() -> None:
    r = run(read, fixture("cimp_mixed.txt"), source="mixed.txt")
    assert r.ids == ["176-12345670", "176-12345675"]
    by_line = {(x.line, x.field, x.kind) for x in r.rejects}
    assert (1, None, "message") in by_line  # text before any message
    assert (2, "smi", "message") in by_line  # FSU is not read
    assert (6, "awb", "field") in by_line  # wrong check digit: kept and flagged
    assert (16, "awb", "message") in by_line  # no AWB line: the message is rejected
    for fld in ("quantity.weight", "cvd.currency", "rtd.hs_code", "rtd.origin_country"):
        assert any(x.field == fld and x.shipment_id == "176-12345675" for x in r.rejects), fld
    assert all(x.source == "mixed.txt" for x in r.rejects)
    s = r.shipment("176-12345675")
    assert s["gross_weight_kg"] is None and s["pieces"] == 1 and s["currency"] is None
    assert r.items("176-12345675")[0]["description"] == "WHITE POWDER"
    # the payloads cover the file: every byte belongs to exactly one of them
    assert b"".join(p.content for p in r.raw) == fixture("cimp_mixed.txt")


def test_same_awb_twice_goes_to_separate_chunks_in_order() -> None:
    msg = fixture("fwb16_envelope.txt")
    r = run(read, msg + b"\n" + msg.replace(b"T3K42.5", b"T4K50"))
    assert r.ids == ["784-23456786", "784-23456786"] and r.chunks == 2
    assert r.batch.shipments.get_column("pieces").to_list() == [3, 4]


def test_missing_smi_line_is_assumed_from_the_format() -> None:
    body = b"176-12345675PVGLAX/T1K10\nRTD/1/P1/K10\n/NG/BOOKS\n176-00000011PVGJFK/T2K5\n"
    assert run(read, body).ids == []  # no type given: stray text, rejected
    r = run(read_fwb, body)
    assert r.ids == ["176-12345675", "176-00000011"] and not r.rejects
    assert run(read_fhl, b"MBI/176-12345675PVGLAX/T1K1\nHBS/A1/PVGLAX/1/K1//BOOKS\n").ids == ["176-12345675/A1"]


def test_long_lines_are_cut_and_reported() -> None:
    body = b"FWB/17\n176-12345675PVGLAX/T1K10\nRTD/1/P1/K10\n/NG/" + b"A" * 10_000 + b"\nSSR/OK\n"
    r = run(read, body)
    assert r.ids == ["176-12345675"]
    (cut,) = [x for x in r.rejects if x.field == "line"]
    assert cut.line == 4 and "longer than" in cut.reason
    assert len(str(r.items("176-12345675")[0]["description"])) <= 2048


def test_empty_input_is_an_intake_error() -> None:
    with pytest.raises(IntakeError):
        run(read, b"")
