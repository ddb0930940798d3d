"""One broken record anywhere in a valid file rejects that record only: every other record is screened
(issue: nothing a partner sends is lost).  The manifest CSV's own property is in test_csv_manifest."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from intake_helpers import ReaderFn, run

from interdictor.intake.cargo_imp import read_fhl, read_fwb
from interdictor.intake.cargo_xml import read as read_cargo_xml
from interdictor.intake.jsonl import read_manifest_jsonl
from interdictor.intake.postal import read_csv as read_cn23_csv
from interdictor.intake.postal import read_json as read_cn23_json


def s10(n: int) -> str:
    """A valid UPU S10 item id with serial ``n``."""
    digits = f"{n:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return f"CP{digits}{ {10: 0, 11: 5}.get(check, check)}CN"


def awb(n: int) -> str:
    serial = 1000000 + n
    return f"784-{serial:07d}{serial % 7}"


XFHL_HEAD = ('<HouseManifest xmlns="iata:housemanifest:1" xmlns:ram="iata:datamodel:3">\n<MasterConsignment>\n'
             "<ram:TransportContractDocument><ram:ID>784-23456786</ram:ID></ram:TransportContractDocument>\n"
             "<ram:OriginLocation><ram:ID>PVG</ram:ID></ram:OriginLocation>\n"
             "<ram:FinalDestinationLocation><ram:ID>LAX</ram:ID></ram:FinalDestinationLocation>\n")
FOOTERS = {"xfhl": "</MasterConsignment>\n</HouseManifest>\n"}  # a format whose records sit inside one document

CN23_HEADER = "item_id,sender_name,sender_country,addressee_name,addressee_country,content_description,content_quantity"

# format -> (file header, a good record for id n, the broken record, the id of record n, extra reject lines)
FORMATS: dict[str, tuple[ReaderFn, str, Callable[[int], str], str, Callable[[int], str]]] = {
    "jsonl": (read_manifest_jsonl, "",
              lambda n: f'{{"shipment_id":"S{n}","item_description":"lamp","consignee_city":"Laredo"}}',
              '{"shipment_id":"BROKEN","item_description":"yoga mat', lambda n: f"S{n}"),
    "cn23-json": (read_cn23_json, "",
                  lambda n: f'{{"item_id":"{s10(n)}","sender":{{"name":"SHOP","country":"CN"}},'
                            f'"addressee":{{"name":"JO","country":"US"}},"contents":[{{"description":"tea"}}]}}',
                  '{"item_id":"CP999999995CN","sender":{"name":"SHOP", "contents":[', s10),
    "cn23-csv": (read_cn23_csv, CN23_HEADER + "\n",
                 lambda n: f"{s10(n)},SHOP,CN,JO,US,tea,1",
                 'CP999999995CN,SHOP,CN,"JO,US,yoga mat,1', s10),
    "fwb": (read_fwb, "",
            lambda n: f"FWB/16\n{awb(n)}PVGLAX/T1K2.5\nSHP\n/SHOP\n/1 ROAD\n/SHANGHAI\n/CN\nCNE\n/JO\n/1 AVE\n"
                      f"/LAREDO/TX\n/US\nCVD/USD//PP/NVD/NCV/XXX\nRTD/1/P1/K2.5\n/NG/LAMP",
            "FWB/16\n784-ZZZZZZZZPVG\nSHP\n/SHOP", awb),
    "fhl": (read_fhl, "FHL/4\nMBI/784-23456786PVGLAX/T99K500\n",
            lambda n: f"HBS/HK{n:04d}/PVGLAX/1/K2.5//LAMP\nTXT/DESK LAMP",
            "HBS/BAD HAWB!/PVG", lambda n: f"784-23456786/HK{n:04d}"),
    "xfhl": (read_cargo_xml, XFHL_HEAD,
             lambda n: f"<ram:IncludedHouseConsignment><ram:ID>HK{n:04d}</ram:ID>"
                       "<ram:SummaryDescription>LAMP</ram:SummaryDescription></ram:IncludedHouseConsignment>",
             "<ram:IncludedHouseConsignment><ram:ID>NOT/VALID</ram:ID></ram:IncludedHouseConsignment>",
             lambda n: f"784-23456786/HK{n:04d}"),
}


@given(st.sampled_from(sorted(FORMATS)), st.integers(1, 25), st.data())
@hyp_settings(max_examples=150, deadline=None)
def test_one_broken_record_anywhere_rejects_only_itself(fmt: str, count: int, data: st.DataObject) -> None:
    reader, header, good, broken, ident = FORMATS[fmt]
    at = data.draw(st.integers(0, count), label="broken at")
    records = [good(n) for n in range(count)]
    records.insert(at, broken)
    text = header + "\n".join(records) + "\n" + FOOTERS.get(fmt, "")
    got = run(reader, text.encode(), source="f")
    assert sorted(got.ids) == sorted(ident(n) for n in range(count)), got.rejects
    assert got.rejects, "the broken record must be rejected, not dropped"
    assert all(r.shipment_id is None or r.shipment_id not in got.ids for r in got.rejects if r.kind != "field")
    assert got.rows == count + 1 or fmt in ("fwb", "fhl", "xfhl")


def test_cn23_csv_a_quoted_field_over_two_lines_is_kept_and_a_quote_never_closed_rejected_alone() -> None:
    text = (f'{CN23_HEADER}\n{s10(1)},SHOP,CN,JO,US,"tea\nleaves, green",1\n'
            f'{s10(2)},SHOP,CN,"JO,US,mat,1\n{s10(3)},SHOP,CN,JO,US,lamp,1\n')
    got = run(read_cn23_csv, text.encode())
    assert got.ids == [s10(1), s10(3)]
    assert [(r.line, r.kind) for r in got.rejects] == [(4, "row")] and "unterminated" in got.rejects[0].reason
    assert got.batch.items["description"].to_list() == ["tea leaves, green", "lamp"]
    assert got.rows == 3
