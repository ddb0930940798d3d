"""ONE Record JSON-LD waybills."""

from __future__ import annotations

import json

import pytest
from intake_helpers import run

from interdictor.intake.onerecord import read

WAYBILL = {
    "@context": {"cargo": "https://onerecord.iata.org/ns/cargo#"},
    "@type": "cargo:Waybill", "cargo:waybillPrefix": "784", "cargo:waybillNumber": "23456786",
    "cargo:waybillType": {"@id": "cargo:MASTER"},
    "cargo:departureLocation": {"cargo:locationCode": {"cargo:code": "PVG"}},
    "cargo:arrivalLocation": {"cargo:locationCode": {"cargo:code": "LAX"}},
    "cargo:shipment": {
        "cargo:totalGrossWeight": {"cargo:numericalValue": 100, "cargo:unit": {"@id": "https://x/MeasurementUnitCode#LBR"}},
        "cargo:involvedParties": [
            {"cargo:partyRole": {"@id": "https://x/ParticipantIdentifier#CNE"},
             "cargo:partyDetails": {"cargo:name": "BORDER EXAMPLE LLC", "cargo:basedAtLocation": {"cargo:address": {
                 "cargo:streetAddressLines": ["1 WAREHOUSE DR"], "cargo:cityCode": {"cargo:codeDescription": "OTAY MESA"},
                 "cargo:country": {"cargo:code": "US"}}}}}],
        "cargo:customsInformation": [{"cargo:contentCode": {"cargo:code": "CT"}, "cargo:note": "16195550100",
                                      "cargo:subjectCode": {"cargo:code": "CNE"}}],
        "cargo:pieces": [{"cargo:goodsDescription": "PUNCHES", "cargo:containedProducts": {"cargo:hsCode": {"cargo:code": "820730"}}},
                         {"cargo:goodsDescription": "PUNCHES", "cargo:containedProducts": {"cargo:hsCode": {"cargo:code": "820730"}}}],
    },
}


def test_waybill_mapping() -> None:
    r = run(read, json.dumps(WAYBILL).encode())
    assert r.ids == ["784-23456786"] and not r.rejects
    s = r.shipment("784-23456786")
    assert (s["routing"], s["pieces"], s["origin_country"]) == ("PVG-LAX", 2, "CN")
    assert s["gross_weight_kg"] == pytest.approx(45.359, abs=1e-3)
    cne = r.party("784-23456786", "consignee")
    assert (cne["city"], cne["country"], cne["phone"]) == ("OTAY MESA", "US", "16195550100")
    (item,) = r.items("784-23456786")
    assert (item["description"], item["hs_code"], item["quantity"]) == ("PUNCHES", "820730", 2.0)


def test_graph_without_a_waybill_is_rejected() -> None:
    r = run(read, json.dumps({"@graph": [{"@type": "cargo:Piece"}]}).encode())
    assert r.ids == [] and len(r.rejects_of("message")) == 1
