"""Answers to filers: statuses, partner-safe codes, consolidations, JSON and text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from interdictor.answers import (
    HouseAnswer,
    Status,
    answer_frame,
    answers,
    consolidate,
    to_cimp_text,
    to_json,
    to_jsonable,
)
from interdictor.model import REASON_SCHEMA, SHIPMENT_SCHEMA, conform
from interdictor.score.rules import load_ruleset

RULES = load_ruleset("default")
CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))


def frames(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    ships = conform(pl.DataFrame([{k: r.get(k) for k in ("shipment_id", "mawb", "hawb", "postal_item_id")}
                                  for r in rows]), SHIPMENT_SCHEMA)
    assess = pl.DataFrame({"shipment_id": [r["shipment_id"] for r in rows],
                           "disposition": [r["disposition"] for r in rows]})
    reasons = []
    for r in rows:
        for spec in r.get("reasons", []):
            code, weight, *evidence = spec.split(":", 2)
            reasons.append({"shipment_id": r["shipment_id"], "code": code, "weight": float(weight),
                            "evidence": evidence[0] if evidence else None})
    rframe = conform(pl.DataFrame(reasons), REASON_SCHEMA) if reasons else pl.DataFrame(schema=REASON_SCHEMA)
    return ships, assess, rframe


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_case(case: dict[str, Any]) -> None:
    (a,) = answers(*frames([{"shipment_id": "S1", **case}]), RULES)
    assert a.status == Status(case["status"])
    assert list(a.reason_codes) == case["codes"]
    if "data" in case:
        assert list(a.data_requested) == case["data"]


def test_nothing_internal_reaches_the_partner() -> None:
    rows = [{"shipment_id": f"S{i}", "disposition": d,
             "reasons": ["PARTY_SANCTIONED_WATCHLIST:95:matched OFAC SDN entry 12345 score 0.97",
                         "ROUTE_BORDER_WAREHOUSE:22:consignee is BORDER X LLC"]}
            for i, d in enumerate(["clear", "review", "exam", "hold"])]
    out = to_json(answers(*frames(rows), RULES))
    for secret in ("OFAC", "SDN", "0.97", "PARTY_SANCTIONED", "ROUTE_BORDER_WAREHOUSE", "BORDER X", "score", "95"):
        assert secret not in out


def test_shipments_without_assessment_get_no_answer() -> None:
    ships, assess, reasons = frames([{"shipment_id": "A", "disposition": "clear"}])
    ships = pl.concat([ships, conform(pl.DataFrame({"shipment_id": ["B"]}), SHIPMENT_SCHEMA)])
    assert answer_frame(ships, assess, reasons, RULES).get_column("shipment_id").to_list() == ["A"]


def house(hawb: str, status: Status, codes: tuple[str, ...] = ()) -> HouseAnswer:
    return HouseAnswer(f"176-12345675/{hawb}", status, codes, mawb="176-12345675", hawb=hawb)


def test_one_held_house_does_not_hold_the_consolidation() -> None:
    hs = [house("H1", Status.ACCEPTED), house("H2", Status.DO_NOT_LOAD, ("GOODS_SUSPECT",)),
          house("H3", Status.REQUEST_FOR_INFORMATION, ("DATA_MISSING",))]
    (c,) = consolidate(hs)
    assert c.status == Status.ACCEPTED and c.reason_codes == ()
    assert [h.hawb for h in c.exceptions] == ["H2", "H3"]
    assert c.houses == {"accepted": 1, "request_for_information": 1, "hold_for_screening": 0, "do_not_load": 1}


def test_master_own_answer_and_all_houses_held() -> None:
    (c,) = consolidate([house("H1", Status.DO_NOT_LOAD, ("GOODS_SUSPECT",)),
                        house("H2", Status.HOLD_FOR_SCREENING, ("ROUTING",))])
    assert c.status == Status.HOLD_FOR_SCREENING  # every house is at least held for screening
    master = HouseAnswer("176-12345675", Status.DO_NOT_LOAD, ("PARTY_DENIED",), mawb="176-12345675")
    (c,) = consolidate([master, house("H1", Status.ACCEPTED)])
    assert c.status == Status.DO_NOT_LOAD and c.reason_codes == ("PARTY_DENIED",)  # held on its own data


@given(st.lists(st.sampled_from(list(Status)), min_size=1, max_size=12),
       st.one_of(st.none(), st.sampled_from(list(Status))))
def test_consolidation_is_never_held_beyond_its_least_held_house(statuses: list[Status], own: Status | None) -> None:
    hs = [house(f"H{i}", s) for i, s in enumerate(statuses)]
    extra = [HouseAnswer("176-12345675", own, mawb="176-12345675")] if own else []
    (c,) = consolidate(extra + hs)
    order = list(Status)
    least = min(statuses, key=order.index)
    assert order.index(c.status) == max(order.index(least), order.index(own) if own else 0)
    assert len(c.exceptions) == sum(s != Status.ACCEPTED for s in statuses)


def test_json_and_text_answers() -> None:
    hs = [house("H1", Status.ACCEPTED), house("H2", Status.DO_NOT_LOAD, ("GOODS_SUSPECT", "ROUTING")),
          HouseAnswer("176-12345675/H3", Status.REQUEST_FOR_INFORMATION, ("DATA_INVALID",),
                      ("line 6 field awb/x rejected: check digit 0 is wrong (expected 4)",), "176-12345675", "H3"),
          HouseAnswer("CP000000014CN", Status.HOLD_FOR_SCREENING, ("GOODS_HS",), postal_item_id="CP000000014CN"),
          HouseAnswer("784-23456786", Status.ACCEPTED, mawb="784-23456786")]
    doc = to_jsonable(hs, in_reply_to="176-12345675")
    assert doc["answer_version"] == 1 and doc["in_reply_to"] == "176-12345675"
    assert doc["answers"][1] == {"shipment_id": "176-12345675/H2", "status": "do_not_load",
                                 "reason_codes": ["GOODS_SUSPECT", "ROUTING"], "mawb": "176-12345675", "hawb": "H2"}
    (cons,) = doc["consolidations"]
    assert cons["status"] == "accepted" and [e["hawb"] for e in cons["exceptions"]] == ["H2", "H3"]
    assert json.loads(to_json(hs)) == to_jsonable(hs)
    text = to_cimp_text(hs, in_reply_to="176-12345675")
    assert text.splitlines() == [
        "ANS/1",
        "REF/176-12345675",
        "MBI/176-12345675/ACC",
        "/HSE/ACC1/RFI1/HFS0/DNL1",
        "HBS/H1/ACC",
        "HBS/H2/DNL/GOODS-SUSPECT/ROUTING",
        "HBS/H3/RFI/DATA-INVALID",
        "/TXT/LINE 6 FIELD AWB X REJECTED: CHECK DIGIT 0 IS WRONG",
        "/TXT/(EXPECTED 4)",
        "ITM/CP000000014CN/HFS/GOODS-HS",
        "AWB/784-23456786/ACC",
    ]
    assert all(len(line) <= 65 for line in text.splitlines())


def test_long_code_lists_wrap_on_continuation_lines() -> None:
    codes = tuple(f"CODE_NUMBER_{i}" for i in range(12))
    text = to_cimp_text([HouseAnswer("X", Status.DO_NOT_LOAD, codes)])
    lines = text.splitlines()[1:]
    assert lines[0].startswith("SID/X/DNL/") and all(line.startswith("/") for line in lines[1:])
    assert all(len(line) <= 65 for line in lines)
    assert "/".join(lines).count("CODE-NUMBER-") == 12
