"""Do an address's city, postal code and country agree?

* US ZIP codes against their state and city (the ``zipcodes`` package, all
  ~42,000 ZIPs, shipped as a dependency): "78040" is Laredo, TX, not Phoenix, AZ;
  a ZIP that is PO-box-only marks a box.
* Postal code shape against the country (``addresses.yaml``): a US ZIP on a
  Chinese address.
* City against country with UN/LOCODE, when a UN/LOCODE directory (one
  ``<CC>.csv`` per country) is configured: "Shenzhen" given as in Mexico.  A city
  UN/LOCODE does not know is not held against anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from interdictor.reference.keyed import Keyed
from interdictor.screen.parties.addresses import ascii_column


def city_key(col: pl.Expr) -> pl.Expr:
    return (
        col.str.to_uppercase()
        .str.replace_all(r"[^A-Z ]", " ")
        .str.replace_all(r"\b(CITY|SHI|CIUDAD|DE|DEL|THE)\b", " ")
        .str.replace_all(r"\bSAINT\b", "ST")
        .str.replace_all(r"\s+", "")
    )


@dataclass(frozen=True)
class Places:
    us_zips: pl.DataFrame  # zip5, zip_state, zip_city, zip_cities (list of city keys), po_box_zip
    city_countries: pl.DataFrame | None = None  # city_key, countries (list of ISO codes)
    unlocode_version: str | None = None

    @cached_property
    def zips(self) -> Keyed:
        return Keyed(self.us_zips, "zip5")


def us_zip_table() -> pl.DataFrame:
    import zipcodes

    rows = zipcodes.list_all()  # type: ignore[no-untyped-call]
    zips: list[str] = []
    cities: list[str] = []
    for r in rows:
        for c in [r["city"], *r.get("acceptable_cities", [])]:
            zips.append(r["zip_code"])
            cities.append(c)
    flat = pl.DataFrame({"zip5": zips, "_acceptable": cities})
    head = pl.DataFrame(
        {
            "zip5": [r["zip_code"] for r in rows],
            "zip_state": [r["state"] for r in rows],
            "zip_city": [r["city"] for r in rows],
            "po_box_zip": [r.get("zip_code_type") == "PO BOX" for r in rows],
        }
    )
    accepted = flat.group_by("zip5").agg(city_key(pl.col("_acceptable")).unique().alias("zip_cities"))
    return head.join(accepted, on="zip5", how="left")


def unlocode_table(directory: Path) -> pl.DataFrame | None:
    files = sorted(directory.glob("[A-Z][A-Z].csv"))
    if not files:
        return None
    frames = []
    for f in files:
        try:
            frames.append(
                pl.read_csv(
                    f, columns=["country", "nameWoDiacritics"], schema_overrides={"country": pl.String}
                )
            )
        except Exception:
            continue
    if not frames:
        return None
    return (
        pl.concat(frames)
        .with_columns(pl.col("nameWoDiacritics").str.split("/").alias("_n"))
        .explode("_n")
        .with_columns(city_key(pl.col("_n")).alias("city_key"))
        .filter(pl.col("city_key").str.len_chars() >= 4)
        .group_by("city_key")
        .agg(pl.col("country").unique().sort().alias("countries"))
    )


def load_places(unlocode_dir: Path | None = None) -> Places:
    table = unlocode_table(unlocode_dir) if unlocode_dir is not None and unlocode_dir.is_dir() else None
    name = unlocode_dir.name if table is not None and unlocode_dir is not None else None
    return Places(us_zip_table(), table, name)


def inconsistencies(parties: pl.DataFrame, places: Places) -> pl.DataFrame:
    """(shipment_id, party, evidence, severity) for each party whose address does not agree with itself.

    ``parties`` is annotated (``addresses.annotate``)."""
    out: list[pl.DataFrame] = []
    parties = parties.with_columns(
        pl.col(c).cast(pl.String) for c in ("city", "state", "postal_code", "country")
    )
    p = ascii_column(parties, "city", "_city").with_columns(
        pl.col("country").str.to_uppercase().str.strip_chars().alias("_cc"),
        city_key(pl.col("_city")).alias("_ck"),
        pl.col("state").str.to_uppercase().str.strip_chars().alias("_st"),
    )
    us = p.filter((pl.col("_cc") == "US") & pl.col("postal_code").is_not_null())
    if us.height:
        us = us.with_columns(
            pl.col("postal_code").str.replace_all(r"[^0-9]", "").str.slice(0, 5).alias("zip5")
        )
        j = places.zips.join(us, how="left")
        unknown = j.filter(pl.col("zip_state").is_null() & (pl.col("zip5").str.len_chars() == 5))
        state_bad = j.filter(
            pl.col("zip_state").is_not_null()
            & (pl.col("_st").str.len_chars() == 2)
            & (pl.col("_st") != pl.col("zip_state"))
        )
        city_bad = j.filter(
            pl.col("zip_state").is_not_null()
            & (pl.col("_ck").str.len_chars() > 0)
            & ~pl.col("zip_cities").list.contains(pl.col("_ck"))
        )
        out.append(
            unknown.select(
                "shipment_id",
                "party",
                pl.format("ZIP {} does not exist", "zip5").alias("evidence"),
                pl.lit(1.0).alias("severity"),
            )
        )
        out.append(
            state_bad.select(
                "shipment_id",
                "party",
                pl.format("ZIP {} is in {}, not {}", "zip5", "zip_state", "_st").alias("evidence"),
                pl.lit(1.0).alias("severity"),
            )
        )
        out.append(
            city_bad.select(
                "shipment_id",
                "party",
                pl.format("ZIP {} is {}, {}, not {}", "zip5", "zip_city", "zip_state", "city").alias(
                    "evidence"
                ),
                pl.lit(0.6).alias("severity"),
            )
        )
    bad_postal = p.filter(pl.col("postal_ok") == False)  # noqa: E712 - polars comparison
    out.append(
        bad_postal.select(
            "shipment_id",
            "party",
            pl.format("postal code {} does not fit {}", "postal_code", "_cc").alias("evidence"),
            pl.lit(0.6).alias("severity"),
        )
    )
    if places.city_countries is not None:
        j = p.filter((pl.col("_ck").str.len_chars() >= 5) & pl.col("_cc").is_not_null()).join(
            places.city_countries, left_on="_ck", right_on="city_key", how="inner"
        )
        wrong = j.filter(
            ~pl.col("countries").list.contains(pl.col("_cc")) & (pl.col("countries").list.len() <= 3)
        )
        out.append(
            wrong.select(
                "shipment_id",
                "party",
                pl.format(
                    "city {} is in {} by UN/LOCODE, not {}", "city", pl.col("countries").list.join("/"), "_cc"
                ).alias("evidence"),
                pl.lit(0.8).alias("severity"),
            )
        )
    frames = [f for f in out if f.height]
    if not frames:
        return pl.DataFrame(
            schema={
                "shipment_id": pl.String,
                "party": pl.String,
                "evidence": pl.String,
                "severity": pl.Float64,
            }
        )
    return pl.concat(frames).unique(subset=["shipment_id", "party", "evidence"])
