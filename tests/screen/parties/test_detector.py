from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import polars as pl
import pytest

from interdictor.model import Batch
from interdictor.reference.watchlists import curated_list, read_list
from interdictor.screen.context import Context
from interdictor.screen.parties import PartiesPart, build_part, detect
from interdictor.screen.parties.part import History
from interdictor.screen.parties.places import load_places
from interdictor.screen.registry import available

from .conftest import WATCHLIST_FIXTURES as FIXTURES
from .conftest import load_cases

CASES = load_cases("detector.yaml")


@cache
def part() -> PartiesPart:
    entries = list(curated_list().entries)
    entries += read_list(FIXTURES / "official" / "SDN.CSV").entries
    entries += read_list(FIXTURES / "lookouts.csv", list_id="lookout-internal").entries
    return build_part(entries, places=load_places(None))


def batch_of(cases: list[dict[str, Any]], start: datetime | None = None) -> Batch:
    ships, parties, items = [], [], []
    t0 = start or datetime(2026, 3, 1, tzinfo=UTC)
    for i, case in enumerate(cases):
        sid = case.get("id", f"S{i}")
        ships.append(
            {
                "shipment_id": sid,
                "filed_at": t0 + timedelta(hours=i),
                "declared_value": case.get("value", 40.0),
            }
        )
        for role in ("shipper", "consignee"):
            if role in case:
                parties.append({"shipment_id": sid, "party": role, **case[role]})
        for j, it in enumerate(case.get("items", [])):
            items.append({"shipment_id": sid, "item": j, **it})
    return Batch.build(
        pl.DataFrame(ships),
        pl.DataFrame(items) if items else None,
        pl.DataFrame(parties) if parties else None,
    )


def run(b: Batch, p: PartiesPart | None = None) -> pl.DataFrame:
    return detect(b, Context().with_part("parties", p or part()))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    out = run(batch_of([case]))
    codes = set(out["code"].to_list())
    for code in case.get("expect", []):
        assert code in codes, (code, out.to_dicts())
    for code in case.get("absent", []):
        assert code not in codes, (code, out.to_dicts())
    if case.get("evidence"):
        evidence = out.filter(pl.col("code") == case["expect"][0])["evidence"].to_list()
        assert any(all(w in ev for w in case["evidence"]) for ev in evidence), evidence


def test_no_part_no_reasons() -> None:
    b = batch_of([CASES[0]])
    assert detect(b, Context()).is_empty()


def test_registered() -> None:
    assert "parties" in available()


def test_shared_return_address_across_batch_and_history() -> None:
    addr = {"address": "Room 1801, No. 9 Jianshe Rd", "postal_code": "050000", "country": "CN"}
    names = ["Hebei Kaiyuan Trade", "Shijiazhuang Meida Co", "Green Leaf Biotech"]
    cases = [{"shipper": {"name": n, **addr}} for n in names]
    hist = pl.DataFrame(
        {"addr_key": ["RM 1801 NO 9 JIANSHE RD|050000|CN"], "hist_names": [["yuxin trading", "x y"]]}
    )
    p = part()
    with_hist = PartiesPart(**{**p.__dict__, "history": History(shared_addresses=hist)})
    out = run(batch_of(cases), with_hist)
    shared = out.filter(pl.col("code") == "ADDRESS_SHARED_BY_SHIPPERS")
    assert shared.height == 3 and "5 differently named shippers" in shared["evidence"][0]
    assert run(batch_of(cases)).filter(pl.col("code") == "ADDRESS_SHARED_BY_SHIPPERS").is_empty()


def test_first_seen_consignee_needs_history() -> None:
    case = {"consignee": {"name": "Rosa Diaz", "postal_code": "92154", "country": "US"}}
    assert "PARTY_FIRST_SEEN_CONSIGNEE" not in run(batch_of([case]))["code"].to_list()  # no history: silent
    p = part()
    known = pl.Series([0], dtype=pl.UInt64)
    with_hist = PartiesPart(**{**p.__dict__, "history": History(known_consignees=known, shipments_seen=10)})
    assert "PARTY_FIRST_SEEN_CONSIGNEE" in run(batch_of([case]), with_hist)["code"].to_list()


def test_split_consignment_from_one_shipper_under_several_names() -> None:
    cons = {"name": "Jose Ramirez", "address": "77 Elm St", "postal_code": "92154", "country": "US"}
    shipper_addr = {"address": "12 Jiefang Rd", "postal_code": "050000", "country": "CN"}
    names = ["Xiamen Boyu Trading", "Xiamen Boyu Trade Co", "Boyu Trading Ltd"]
    cases = [{"shipper": {"name": n, **shipper_addr}, "consignee": cons} for n in names]
    out = run(batch_of(cases))
    split = out.filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT")
    assert split.height == 3 and "3 names" in split["evidence"][0]
    # three different shippers to one consignee are ordinary, and so are parcels weeks apart
    others = [
        {
            "shipper": {"name": n, **shipper_addr, "address": f"{i} Other Rd"},
            "consignee": cons,
            "value": 900.0,
        }
        for i, n in enumerate(["Apex Toys", "Blue River Garments", "Kaili Lamps"])
    ]
    assert run(batch_of(others)).filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT").is_empty()


def test_dismissed_pair_is_silent_until_the_entry_changes() -> None:
    from interdictor.screen.parties.list_reasons import party_key

    case = {"shipper": {"name": "Changgen Du", "country": "CN"}}
    p = part()
    entry = p.entry("ofac-sdn", "90401")
    assert entry is not None
    key = party_key("Changgen Du", None)
    quiet = PartiesPart(
        **{**p.__dict__, "dismissed": frozenset({(key, "ofac-sdn", "90401", entry.fingerprint)})}
    )
    out = run(batch_of([case]), quiet)
    assert not out.filter(pl.col("evidence").str.contains("90401")).height
    stale = PartiesPart(
        **{**p.__dict__, "dismissed": frozenset({(key, "ofac-sdn", "90401", "old-fingerprint")})}
    )
    assert run(batch_of([case]), stale).filter(pl.col("evidence").str.contains("90401")).height


def test_every_code_is_in_the_rule_set() -> None:
    from interdictor.score.rules import load_ruleset
    from interdictor.screen.parties.address_reasons import WEIGHTS as ADDRESS
    from interdictor.screen.parties.list_reasons import WEIGHTS as LISTS

    rules = load_ruleset().rules
    for code in [*ADDRESS, *LISTS, "PARTY_SPLIT_CONSIGNMENT"]:
        assert code in rules and rules[code].description, code
    assert rules["PARTY_SANCTIONED"].floor == "exam" and rules["PARTY_SANCTIONED_CONFIRMED"].floor == "hold"
    assert rules["PARTY_FIRST_SEEN_CONSIGNEE"].weight < 10


def test_legal_form_spellings_are_one_name_not_a_split() -> None:
    cons = {"name": "Jose Ramirez", "address": "77 Elm St", "postal_code": "92154", "country": "US"}
    shipper_addr = {"address": "12 Jiefang Rd", "postal_code": "050000", "country": "CN"}
    names = ["Zhejiang Shengbo Import & Export Co., Ltd.", "Zhejiang Shengbo Import & Export Company Limited",
             "Zhejiang Shengbo Import & Export Co., Ltd."]
    # over de minimis, so only a change of name could make these a split: a change of legal form is not one
    cases = [{"shipper": {"name": n, **shipper_addr}, "consignee": cons, "value": 1500.0} for n in names]
    assert run(batch_of(cases)).filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT").is_empty()


def test_a_hub_receiving_from_many_shippers_is_not_split_by_one_of_them() -> None:
    hub = {"name": "Eastgate Warehousing LLC", "address": "900 Otay Center Dr", "postal_code": "92154", "country": "US"}
    regular = [{"shipper": {"name": "Shenzhen Mingda Electronics Co Ltd", "address": "8 Keji Rd", "postal_code": "518000",
                            "country": "CN"}, "consignee": hub, "value": 40.0} for _ in range(3)]
    others = [{"shipper": {"name": n, "address": f"{i} Other Rd", "postal_code": "510000", "country": "CN"},
               "consignee": hub, "value": 60.0}
              for i, n in enumerate(["Apex Toys", "Blue River Garments", "Kaili Lamps", "Nova Textiles"])]
    out = run(batch_of(regular + others))
    assert out.filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT").is_empty()
    # the same hub still sees a shipper that changes its name from parcel to parcel
    renamed = [{"shipper": {"name": n, "address": "8 Keji Rd", "postal_code": "518000", "country": "CN"},
                "consignee": hub, "value": 40.0}
               for n in ["Shenzhen Mingda Electronics Co Ltd", "Mingda Tech Trading Ltd", "Shenzhen Mingda Trade Co"]]
    split = run(batch_of(renamed + others)).filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT")
    assert split.height == 3
    # and a consignee with few shippers is still split by low-value parcels under one name
    few = run(batch_of(regular)).filter(pl.col("code") == "PARTY_SPLIT_CONSIGNMENT")
    assert few.height == 3
