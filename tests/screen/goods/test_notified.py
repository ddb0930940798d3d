"""Pre-notified trade at screening (cases in ``cases/notified.yaml``): a matching line is kept at review with
the notification as evidence, a line of the notified exporter to another importer or in another quantity
is a possible diversion, an un-notified twin is held as before."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import polars as pl
import pytest

from interdictor.screen.goods.licence import Registry
from interdictor.screen.goods.notified import NOTIFICATION_SCHEMA, party_key, unit_of
from interdictor.screen.goods.registry_file import goods_ids

from .conftest import goods_context, load_cases, screen_lines

CASES = load_cases("notified.yaml")


def notifications() -> pl.DataFrame:
    ids = goods_ids(goods_context().kb)
    rows = [{**n, "goods": ids[n["goods"]], "quantity": float(n["quantity"]), "port": n.get("port")}
            for n in CASES["notifications"]]
    return pl.DataFrame(rows, schema=NOTIFICATION_SCHEMA)


def ctx() -> Any:
    return dataclasses.replace(goods_context(), registry=Registry(notifications=notifications()))


NOTIFIED_CODES = ("NOTIFIED_TRADE", "NOTIFIED_TRADE_DIVERTED")


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case(case: dict[str, Any]) -> None:
    reasons, scores = screen_lines([case["line"]], ctx())
    codes = [c for c in reasons["code"].to_list() if c in NOTIFIED_CODES]
    assert codes == ([] if case["expect"] == "none" else [case["expect"]]), reasons.select("code", "evidence").rows()
    assert scores["disposition"][0] == case["disposition"]
    if case["expect"] == "NOTIFIED_TRADE":
        ev = reasons.filter(pl.col("code") == "NOTIFIED_TRADE")["evidence"][0]
        assert ev.startswith("pre-notification ") and " of " in ev and "matches" in ev
        assert "LICENCE_NOT_NOTIFIED" not in reasons["code"].to_list()
    if case["expect"] == "NOTIFIED_TRADE_DIVERTED":
        ev = reasons.filter(pl.col("code") == "NOTIFIED_TRADE_DIVERTED")["evidence"][0]
        assert "possible diversion" in ev
        assert "LICENCE_NOT_NOTIFIED" in reasons["code"].to_list()  # still held: the diversion adds, never removes


def test_the_match_evidence_names_the_notification_and_both_quantities() -> None:
    reasons, _ = screen_lines([{**CASES["cases"][1]["line"]}], ctx())
    ev = reasons.filter(pl.col("code") == "NOTIFIED_TRADE")["evidence"][0]
    assert "PEN-IN-2025-0042" in ev and "in-cdsco" in ev and "50.0 kg" in ev and "54.0 kg" in ev
    assert "2025-03-01 to 2025-03-31" in ev


def test_an_ordinary_line_costs_nothing_and_says_nothing() -> None:
    reasons, scores = screen_lines([{"description": "cotton t-shirts", "hs": "6109.10", "weight_kg": 2.0,
                                     "consignee": "Acme Pharmaceuticals", "filed_at": "2025-03-10T00:00:00"}], ctx())
    assert not set(reasons["code"].to_list()) & set(NOTIFIED_CODES)
    assert scores["disposition"][0] == "clear"


def test_no_notifications_leaves_the_registry_as_before() -> None:
    base = CASES["cases"][0]["line"]
    reasons, scores = screen_lines([base], dataclasses.replace(goods_context(), registry=Registry()))
    assert "LICENCE_NOT_NOTIFIED" in reasons["code"].to_list() and scores["disposition"][0] == "hold"


@pytest.mark.parametrize(("a", "b"), [("Acme Pharmaceuticals, Inc.", "ACME PHARMACEUTICALS"),
                                      ("Gujarat Fine Chemicals Pvt. Ltd.", "gujarat fine chemicals"),
                                      ("WANG, Wei", "Wei Wang")])
def test_party_key_folds_like_the_party_matcher(a: str, b: str) -> None:
    keys = pl.DataFrame({"n": [a, b]}).select(party_key(pl.col("n")))["n"].to_list()
    assert keys[0] == keys[1] != ""


def test_units() -> None:
    assert [unit_of(u) for u in ("KG", "litres", "Pieces", "g", "barrels")] == ["kg", "l", "pcs", "g", None]
    assert date(2025, 1, 1)  # the dates of the cases are parsed by YAML as dates
