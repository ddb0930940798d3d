from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from interdictor.model import Batch
from interdictor.reference.geo import distance_to_border_km, load_geo
from interdictor.screen.context import Context
from interdictor.screen.route import RoutePart, detect

CASES = yaml.safe_load((Path(__file__).parent / "cases_route.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context().with_part("route", RoutePart(geo=load_geo(), border_area_km=100.0))


def batch_of(case: dict) -> Batch:
    ship = {"shipment_id": "S1", **case["shipment"]}
    cons = {"shipment_id": "S1", "party": "consignee", **case["consignee"]}
    return Batch.build(pl.DataFrame([ship]), parties=pl.DataFrame([cons]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_route_case(case: dict, ctx: Context) -> None:
    reasons = detect(batch_of(case), ctx)
    codes = set(reasons["code"].to_list())
    assert set(case.get("expect", [])) <= codes, codes
    assert not (set(case.get("not", [])) & codes), codes
    if "expect" in case and case["expect"] == []:
        assert codes == set()
    assert all(e for e in reasons["evidence"].to_list())


def test_no_route_part_means_no_reasons() -> None:
    case = CASES[0]
    assert detect(batch_of(case), Context()).is_empty()


@pytest.mark.parametrize(
    ("lat", "lon", "low", "high"),
    [(32.5422, -117.0300, 0, 3), (27.5036, -99.5076, 0, 5), (31.7587, -106.4869, 0, 3), (34.0522, -118.2437, 150, 200),
     (41.8781, -87.6298, 1500, 2200), (32.2226, -110.9747, 80, 110)],
)
def test_distance_to_the_border(lat: float, lon: float, low: float, high: float) -> None:
    import numpy as np

    km = distance_to_border_km(np.array([lat]), np.array([lon]))[0]
    assert low <= km <= high


def test_distance_is_nan_for_unknown_points() -> None:
    import numpy as np

    assert np.isnan(distance_to_border_km(np.array([np.nan]), np.array([1.0]))[0])


def test_locating_the_same_parties_twice_gives_the_kept_answer_and_new_parties_a_new_one() -> None:
    geo = load_geo()
    first = batch_of(CASES[0]).parties
    located = geo.locate_consignees(first)
    assert geo.locate_consignees(first) is located  # the corridor step asks again for the batch route just saw
    other = first.with_columns(pl.lit("10001").alias("postal_code"), pl.lit("US").alias("country"))
    again = geo.locate_consignees(other)
    assert again is not located
    assert again["border_km"][0] > 1000  # New York, not the case's town
    assert again.equals(geo._locate(other))
