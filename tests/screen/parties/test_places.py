from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.places import inconsistencies, load_places

from .conftest import SHARED


def frame(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    base = {
        "shipment_id": "S",
        "party": "consignee",
        "address": "1 Main St",
        "city": None,
        "state": None,
        "postal_code": None,
        "country": None,
    }
    return annotate(pl.DataFrame([{**base, **r, "shipment_id": f"S{i}"} for i, r in enumerate(rows)]))


def test_us_zip_state_and_city() -> None:
    places = load_places(None)
    rows = [
        {"city": "Laredo", "state": "TX", "postal_code": "78040", "country": "US"},  # fine
        {"city": "Phoenix", "state": "AZ", "postal_code": "78040", "country": "US"},  # state and city wrong
        {"city": "Laredo", "state": "TX", "postal_code": "00000", "country": "US"},  # no such ZIP
        {"city": "Shenzhen", "postal_code": "518000", "country": "CN"},  # fine
        {"city": "Shenzhen", "postal_code": "92154", "country": "CN"},  # US ZIP in China
    ]
    out = inconsistencies(frame(rows), places)
    by = {sid: set(g["evidence"].to_list()) for (sid,), g in out.group_by("shipment_id")}
    assert "S0" not in by and "S3" not in by
    assert any("is in TX, not AZ" in e for e in by["S1"]) and any("Laredo" in e for e in by["S1"])
    assert any("does not exist" in e for e in by["S2"])
    assert any("does not fit CN" in e for e in by["S4"])


@pytest.mark.shared_data
def test_city_against_country_with_unlocode() -> None:
    directory = SHARED / "geo" / "unlocode"
    if not directory.exists():
        pytest.skip(f"UN/LOCODE absent ({directory})")
    places = load_places(Path(directory))
    out = inconsistencies(
        frame([{"city": "Shenzhen", "country": "MX"}, {"city": "Tijuana", "country": "MX"}]), places
    )
    assert out.filter(pl.col("shipment_id") == "S0")["evidence"].str.contains("UN/LOCODE").any()
    assert out.filter(pl.col("shipment_id") == "S1").is_empty()
