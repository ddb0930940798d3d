"""Cargo-XML reader: XFWB, XFZB, XFHL mapping, element-path rejects, and hostile XML."""

from __future__ import annotations

import json

import pytest
from intake_helpers import run

from interdictor.intake.cargo_xml import read

XFZB = """<?xml version="1.0" encoding="UTF-8"?>
<hw:HouseWaybill xmlns:hw="iata:housewaybill:1" xmlns="iata:datamodel:3">
  <hw:MessageHeaderDocument><TypeCode>703</TypeCode><PurposeCode>Creation</PurposeCode></hw:MessageHeaderDocument>
  <hw:BusinessHeaderDocument><ID>HK0001</ID></hw:BusinessHeaderDocument>
  <hw:MasterConsignment>
    <TransportContractDocument><ID>{mawb}</ID></TransportContractDocument>
    <OriginLocation><ID>PVG</ID></OriginLocation>
    <FinalDestinationLocation><ID>LAX</ID></FinalDestinationLocation>
    <IncludedHouseConsignment>
      <DeclaredValueForCustomsAmount currencyID="USD">640.00</DeclaredValueForCustomsAmount>
      <IncludedTareGrossWeightMeasure unitCode="LBR">100</IncludedTareGrossWeightMeasure>
      <TotalPieceQuantity>3</TotalPieceQuantity>
      <ConsignorParty><Name>EXAMPLE TOOLING CO</Name>
        <PostalStructuredAddress><StreetName>2 SAMPLE ST</StreetName><CityName>DONGGUAN</CityName>
          <CountryID>{country}</CountryID></PostalStructuredAddress></ConsignorParty>
      <ConsigneeParty><Name>JOHN EXAMPLE</Name>
        <PostalStructuredAddress><StreetName>1 SAMPLE AVE</StreetName><CityName>CHULA VISTA</CityName>
          <CountrySubDivisionID>CA</CountrySubDivisionID><PostcodeCode>91910</PostcodeCode>
          <CountryID>US</CountryID></PostalStructuredAddress>
        <DefinedTradeContact><URIEmailCommunication><URIID>john@example.invalid</URIID></URIEmailCommunication>
        </DefinedTradeContact></ConsigneeParty>
      <SpecifiedLogisticsTransportMovement><SequenceNumeric>2</SequenceNumeric><ID>XX0002</ID>
        <DepartureEvent><OccurrenceDepartureLocation><ID>ANC</ID></OccurrenceDepartureLocation></DepartureEvent>
      </SpecifiedLogisticsTransportMovement>
      <SpecifiedLogisticsTransportMovement><SequenceNumeric>1</SequenceNumeric><ID>XX0001</ID>
        <ArrivalEvent><OccurrenceArrivalLocation><ID>ANC</ID></OccurrenceArrivalLocation></ArrivalEvent>
      </SpecifiedLogisticsTransportMovement>
      <IncludedCustomsNote><ContentCode>CT</ContentCode><Content>16195550100</Content>
        <SubjectCode>CNE</SubjectCode><CountryID>US</CountryID></IncludedCustomsNote>
      <IncludedHouseConsignmentItem><SequenceNumeric>1</SequenceNumeric><TypeCode>{hs}</TypeCode>
        <NatureIdentificationTransportCargo><Identification>TABLET PRESS PUNCHES</Identification>
        </NatureIdentificationTransportCargo><OriginCountry><ID>CN</ID></OriginCountry>
      </IncludedHouseConsignmentItem>
    </IncludedHouseConsignment>
  </hw:MasterConsignment>
</hw:HouseWaybill>
"""


def xfzb(mawb: str = "784-23456786", country: str = "CN", hs: str = "8207.30") -> bytes:
    return XFZB.format(mawb=mawb, country=country, hs=hs).encode()


def test_xfzb_house_with_any_prefix() -> None:
    r = run(read, xfzb())
    assert r.ids == ["784-23456786/HK0001"] and not r.rejects
    s = r.shipment("784-23456786/HK0001")
    assert (s["mawb"], s["hawb"], s["pieces"], s["declared_value"], s["currency"]) == (
        "784-23456786", "HK0001", 3, 640.0, "USD")
    assert s["gross_weight_kg"] == pytest.approx(45.359, abs=1e-3)  # LBR converted to kg
    assert (s["routing"], s["carrier"], s["origin_country"]) == ("PVG-ANC-LAX", "XX", "CN")
    cne = r.party("784-23456786/HK0001", "consignee")
    assert (cne["state"], cne["email"], cne["phone"]) == ("CA", "john@example.invalid", "16195550100")
    (item,) = r.items("784-23456786/HK0001")
    assert (item["hs_code"], item["origin_country"], item["description"]) == ("820730", "CN", "TABLET PRESS PUNCHES")
    assert r.raw[0].document_id == "784-23456786/HK0001"
    assert json.loads(str(s["extra"]))["type_code"] == "703"


def test_bad_fields_name_their_element_and_line() -> None:
    r = run(read, xfzb(mawb="784-23456780", country="XX", hs="12AB"))
    assert r.ids == ["784-23456780/HK0001"]  # a wrong check digit keeps the house, flagged
    fields = {x.field: x for x in r.rejects}
    assert fields["HouseWaybill/MasterConsignment/TransportContractDocument/ID"].line == 6
    assert "check digit" in fields["HouseWaybill/MasterConsignment/TransportContractDocument/ID"].reason
    country = fields["HouseWaybill/MasterConsignment/IncludedHouseConsignment/ConsignorParty/"
                     "PostalStructuredAddress/CountryID"]
    assert country.line == 15 and country.shipment_id == "784-23456780/HK0001"
    assert any(f.endswith("IncludedHouseConsignmentItem/TypeCode") for f in fields)
    assert all(x.kind == "field" for x in r.rejects)
    assert r.party("784-23456780/HK0001", "shipper")["country"] is None


XFHL = b"""<HouseManifest xmlns="iata:housemanifest:1" xmlns:ram="iata:datamodel:3">
<MasterConsignment>
<ram:TransportContractDocument><ram:ID>784-23456786</ram:ID></ram:TransportContractDocument>
<ram:OriginLocation><ram:ID>PVG</ram:ID></ram:OriginLocation>
<ram:FinalDestinationLocation><ram:ID>LAX</ram:ID></ram:FinalDestinationLocation>
<ram:IncludedHouseConsignment><ram:ID>A1</ram:ID><ram:SummaryDescription>BOOKS</ram:SummaryDescription>
</ram:IncludedHouseConsignment>
<ram:IncludedHouseConsignment><ram:ID>NOT/VALID</ram:ID></ram:IncludedHouseConsignment>
<ram:IncludedHouseConsignment><ram:ID>A2</ram:ID><ram:SummaryDescription>TOYS</ram:SummaryDescription>
<ram:IncludedTareGrossWeightMeasure unitCode="STONE">3</ram:IncludedTareGrossWeightMeasure>
</ram:IncludedHouseConsignment>
</MasterConsignment>
</HouseManifest>"""


def test_xfhl_a_bad_house_is_rejected_alone() -> None:
    r = run(read, XFHL)
    assert r.ids == ["784-23456786/A1", "784-23456786/A2"]
    (row,) = r.rejects_of("row")
    assert row.field == "HouseManifest/MasterConsignment/IncludedHouseConsignment[2]/ID" and row.line == 8
    (unit,) = r.rejects_of("field")
    assert "unit" in unit.reason and unit.shipment_id == "784-23456786/A2"
    assert r.items("784-23456786/A2")[0]["description"] == "TOYS"
    assert r.raw[0].document_id == "784-23456786"


HOSTILE = {
    "billion laughs": b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Waybill>&lol2;</Waybill>""",
    "external entity": b"""<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Waybill><MasterConsignment>&x;</MasterConsignment></Waybill>""",
    "utf-16 doctype": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY x "y">]><Waybill/>'.encode(
        "utf-16"),
    "deep": b"<Waybill>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</Waybill>",
    "malformed": b"<Waybill><MasterConsignment>\n<ID>1</Wrong></Waybill>",
    "truncated": xfzb()[:700],
    "wrong root": b"<Invoice><ID>1</ID></Invoice>",
    "not xml": b"\x00\x01\x02 binary junk",
}


def test_hostile_documents_are_one_message_reject_each() -> None:
    for name, data in HOSTILE.items():
        r = run(read, data, source=name)
        assert r.ids == [], name
        assert len(r.rejects_of("message")) == 1, (name, r.rejects)
        assert len(r.raw) == 1 and r.raw[0].content == data, name
    deep = run(read, HOSTILE["deep"]).rejects_of("message")[0]
    assert "deeper" in deep.reason
    bad = run(read, HOSTILE["malformed"]).rejects_of("message")[0]
    assert bad.line == 2 and "well-formed" in bad.reason
    assert "DOCTYPE" in run(read, HOSTILE["external entity"]).rejects_of("message")[0].reason
