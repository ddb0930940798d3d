"""Notified transactions used both ways: no notice → hold; a registered importer's notice → review."""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl

from interdictor.screen.goods.licence import REGISTRANT_SCHEMA, TRANSACTION_SCHEMA, Registry, company_key

from .conftest import goods_context, screen_lines


def registry() -> Registry:
    reg = pl.DataFrame(
        [
            {"registration": "RP0000001", "name": "Acme Pharmaceuticals, Inc.", "city": "Durham", "state": "NC",
             "country": "US", "activities": "import_list_i;import_machines", "valid_from": date(2020, 1, 1),
             "valid_to": date(2027, 12, 31)},
        ],
        schema=REGISTRANT_SCHEMA,
    )
    tx = pl.DataFrame(
        [
            {"transaction_id": "486-2025-0001", "form": "486", "registration": "RP0000001",
             "importer": "ACME PHARMACEUTICALS INC", "goods": "npp", "quantity_kg": 50.0, "units": None,
             "filed_on": date(2025, 2, 1), "arrival_from": date(2025, 2, 15), "arrival_to": date(2025, 4, 30),
             "exporter": "Some Chem Co", "port": "2704"},
            {"transaction_id": "452-2025-0007", "form": "452", "registration": "RP0000001",
             "importer": "Acme Pharmaceuticals", "goods": "tablet_press", "quantity_kg": None, "units": 1.0,
             "filed_on": date(2025, 2, 1), "arrival_from": None, "arrival_to": None, "exporter": None, "port": None},
        ],
        schema=TRANSACTION_SCHEMA,
    )
    return Registry(reg, tx)


def ctx():  # type: ignore[no-untyped-def]
    return dataclasses.replace(goods_context(), registry=registry())


LINE = {"description": "N-phenethyl-4-piperidone 99%", "weight_kg": 25.0, "value": 5000.0,
        "filed_at": "2025-03-10T00:00:00", "consignee": "Acme Pharmaceuticals Inc."}


def test_lawful_npp_of_a_registered_importer_stays_at_review() -> None:
    reasons, scores = screen_lines([LINE], ctx())
    codes = reasons["code"].to_list()
    assert "LICENCE_NOTIFIED" in codes and "LICENCE_NOT_NOTIFIED" not in codes
    assert "486-2025-0001" in reasons.filter(pl.col("code") == "LICENCE_NOTIFIED")["evidence"][0]
    assert scores["disposition"][0] == "review"


def test_same_goods_without_notice_hold() -> None:
    other = {**LINE, "consignee": "Laredo Storage LLC"}
    reasons, scores = screen_lines([other], ctx())
    assert "LICENCE_NOT_NOTIFIED" in reasons["code"].to_list()
    assert scores["disposition"][0] == "hold"


def test_notice_filed_after_arrival_does_not_count() -> None:
    late = {**LINE, "filed_at": "2025-01-20T00:00:00"}
    reasons, scores = screen_lines([late], ctx())
    ev = reasons.filter(pl.col("code") == "LICENCE_NOT_NOTIFIED")["evidence"][0]
    assert "after this shipment" in ev and scores["disposition"][0] == "hold"


def test_more_than_notified_is_not_covered() -> None:
    big = {**LINE, "weight_kg": 500.0, "value": 90000.0}
    reasons, _ = screen_lines([big], ctx())
    assert "notified 50 kg" in reasons.filter(pl.col("code") == "LICENCE_NOT_NOTIFIED")["evidence"][0]


def test_notified_press_is_review_but_dies_stay_exam() -> None:
    press = {"description": "rotary tablet press", "weight_kg": 400.0, "value": 20000.0,
             "filed_at": "2025-03-10T00:00:00", "consignee": "Acme Pharmaceuticals"}
    dies = {**press, "description": "tablet punches and dies", "weight_kg": 5.0, "value": 800.0}
    reasons, scores = screen_lines([press, dies], ctx())
    by = dict(scores.select("shipment_id", "disposition").iter_rows())
    assert by["S0"] == "review"
    assert by["S1"] == "exam"
    assert "LICENCE_NOTIFIED" in reasons.filter(pl.col("shipment_id") == "S0")["code"].to_list()


def test_press_without_notice_is_held() -> None:
    _, scores = screen_lines([{"description": "pill press", "consignee": "John Smith", "weight_kg": 30.0}])
    assert scores["disposition"][0] == "hold"


def test_company_key_drops_suffixes() -> None:
    assert company_key("Acme Pharmaceuticals, Inc.") == company_key("ACME PHARMACEUTICALS INC") == "acme pharmaceuticals"
