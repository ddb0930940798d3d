"""The shipped data the traffic generator draws from (YAML under ``demo/data``) and
the US ZIP code table from the ``zipcodes`` package."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import yaml

from interdictor.demo.schema import DEMO_MODELS
from interdictor.typed_config import parse_as


@cache
def load(name: str) -> dict[str, Any]:
    """One YAML file of ``demo/data`` (``commodities``, ``people``, ``places``, ...), checked once against its
    model (``schema.DEMO_MODELS``): a misspelt key is an error naming the file and the key."""
    text = resources.files("interdictor.demo").joinpath("data").joinpath(f"{name}.yaml").read_text("utf-8")
    # libyaml's loader when present: the pure-Python one takes seconds on these files
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    parse_as(DEMO_MODELS[name], data, f"demo/data/{name}.yaml", ValueError)
    return data  # type: ignore[no-any-return]


def unique(values: list[Any]) -> list[str]:
    """Strings of a YAML list, duplicates dropped, order kept (lists are written by hand)."""
    return list(dict.fromkeys(str(v) for v in values))


@cache
def zip_table() -> pl.DataFrame:
    """Active STANDARD US ZIP codes: zip, city, state, area_code (first listed)."""
    import zipcodes  # imported here: it reads its table on import (~1 s)

    rows = [
        (z["zip_code"], z["city"], z["state"], (z.get("area_codes") or [""])[0] or "")
        for z in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if z["zip_code_type"] == "STANDARD" and z.get("active", True) and z.get("country", "US") == "US"
    ]
    return pl.DataFrame(rows, schema=["zip", "city", "state", "area_code"], orient="row").sort("zip")


def city_zips(city: str, state: str | None = None) -> pl.DataFrame:
    """ZIP rows of one city (state optional); raises if the city has none, so a typo in
    the shipped data fails loudly in the tests rather than thinning the traffic."""
    table = zip_table()
    cond = pl.col("city").str.to_lowercase() == city.lower()
    if state is not None:
        cond &= pl.col("state") == state
    out = table.filter(cond)
    if out.is_empty():
        raise ValueError(f"no STANDARD ZIP code for {city}, {state or '?'} in the zipcodes table")
    return out.with_columns(city=pl.lit(city))  # keep our spelling ("McAllen", not "Mcallen")
