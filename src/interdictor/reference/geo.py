"""Geography: the US–Mexico boundary, land ports, US postal codes and airports.

Built once per process from package data (the simplified boundary line and the
land ports) and from the ``zipcodes`` and ``airportsdata`` packages; every table
is a polars frame so detectors join against it instead of looking up per row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import airportsdata
import numpy as np
import platformdirs
import polars as pl
import zipcodes

from interdictor.reference import data_path
from interdictor.reference.keyed import Keyed

EARTH_KM = 6371.0088


@cache
def border_segments() -> np.ndarray:
    """Boundary segments as an (n, 4) array of lon1, lat1, lon2, lat2 (degrees)."""
    df = pl.read_csv(data_path("us_mexico_border.csv"), comment_prefix="#")
    segs = []
    for _, part in df.group_by("part", maintain_order=True):
        xy = part.select("lon", "lat").to_numpy()
        segs.append(np.hstack([xy[:-1], xy[1:]]))
    return np.vstack(segs)


def distance_to_border_km(lat: np.ndarray, lon: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Distance from each point to the nearest boundary segment (equirectangular; <0.5 % error at this scale)."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    out = np.full(lat.shape, np.nan)
    segs = border_segments()
    ok = np.isfinite(lat) & np.isfinite(lon)
    idx = np.flatnonzero(ok)
    k = np.cos(np.radians(31.5))  # the boundary runs between 25.8 and 32.7 N
    ax, ay = segs[:, 0] * k, segs[:, 1]
    bx, by = segs[:, 2] * k, segs[:, 3]
    dx, dy = bx - ax, by - ay
    len2 = np.maximum(dx * dx + dy * dy, 1e-12)
    for start in range(0, len(idx), chunk):
        sel = idx[start : start + chunk]
        px = (lon[sel] * k)[:, None]
        py = lat[sel][:, None]
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / len2, 0.0, 1.0)
        qx, qy = ax + t * dx, ay + t * dy
        d2 = (px - qx) ** 2 + (py - qy) ** 2
        out[sel] = np.sqrt(d2.min(axis=1)) * (np.pi / 180.0) * EARTH_KM
    return out


@dataclass(frozen=True)
class Geo:
    zips: pl.DataFrame  # zip5, city, state, lat, lon, border_km
    cities: pl.DataFrame  # city_key (UPPER city|STATE), lat, lon, border_km
    airports: pl.DataFrame  # point (IATA), country, lat, lon
    ports: pl.DataFrame  # cbp_code, name, state, lat, lon (US–Mexico land ports)
    # (parties, located) of the last call to ``locate_consignees``
    _last_located: list[tuple[pl.DataFrame, pl.DataFrame]] = field(
        default_factory=list, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict[str, pl.DataFrame]:
        """Pickled (a context broadcast to Spark executors) as its four tables; what is derived from them is
        derived again."""
        return {k: getattr(self, k) for k in ("zips", "cities", "airports", "ports")}

    def __setstate__(self, state: dict[str, pl.DataFrame]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_last_located", [])

    @cached_property
    def zip_points(self) -> Keyed:
        return Keyed(self.zips.select("zip5", "lat", "lon", "border_km"), "zip5")

    @cached_property
    def city_points(self) -> Keyed:
        return Keyed(self.cities, "city_key")

    @cached_property
    def airport_countries(self) -> Keyed:
        return Keyed(self.airports.select("point", pl.col("country").alias("ap_country")), "point")

    def locate_consignees(self, parties: pl.DataFrame) -> pl.DataFrame:
        """``shipment_id, lat, lon, border_km, located_by`` for consignees with a US postal code or city.

        The route detector and the corridor step locate the same batch: the answer for the last
        parties table asked about (the same object) is kept and given again."""
        last = self._last_located
        seen = last[0] if last else None
        if seen is not None and seen[0] is parties:
            return seen[1]
        located = self._locate(parties)
        last[:] = [(parties, located)]
        return located

    def _locate(self, parties: pl.DataFrame) -> pl.DataFrame:
        c = parties.filter(pl.col("party") == "consignee").select(
            "shipment_id",
            pl.col("postal_code").str.extract(r"^\s*(\d{5})", 1).alias("zip5"),
            (pl.col("city").str.to_uppercase().str.strip_chars() + "|" + pl.col("state").str.to_uppercase().str.strip_chars()).alias("city_key"),
            pl.col("country"),
        ).filter(pl.col("country").is_null() | (pl.col("country") == "US"))
        by_zip = self.zip_points.join(c, how="left")
        by_city = self.city_points.join(c.select("shipment_id", "city_key"), how="left").select(
            "shipment_id", pl.col("lat").alias("lat_c"), pl.col("lon").alias("lon_c"), pl.col("border_km").alias("bk_c")
        )
        j = by_zip.join(by_city, on="shipment_id", how="left")
        return j.select(
            "shipment_id",
            pl.coalesce("lat", "lat_c").alias("lat"),
            pl.coalesce("lon", "lon_c").alias("lon"),
            pl.coalesce("border_km", "bk_c").alias("border_km"),
            pl.when(pl.col("lat").is_not_null()).then(pl.lit("postal code"))
            .when(pl.col("lat_c").is_not_null()).then(pl.lit("city")).alias("located_by"),
        ).filter(pl.col("lat").is_not_null()).unique("shipment_id", keep="first")


def _zip_cache_path() -> Path:
    """Cache of the postal-code table with border distances, keyed by its inputs."""
    from importlib.metadata import version

    key = hashlib.sha1(data_path("us_mexico_border.csv").read_bytes() + version("zipcodes").encode()).hexdigest()[:12]
    return Path(platformdirs.user_cache_dir("interdictor", appauthor=False)) / f"us-zips-{key}.parquet"


def _zip_table() -> pl.DataFrame:
    path = _zip_cache_path()
    try:
        return pl.read_parquet(path)
    except Exception:
        pass
    zips = _build_zip_table()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        zips.write_parquet(tmp)
        tmp.replace(path)
    except OSError:
        pass  # a read-only home still screens; it only rebuilds each time
    return zips


def _build_zip_table() -> pl.DataFrame:
    rows = zipcodes.list_all()  # type: ignore[no-untyped-call]
    zips = pl.DataFrame(
        {
            "zip5": [r["zip_code"] for r in rows],
            "city": [r["city"].upper() for r in rows],
            "state": [r["state"] for r in rows],
            "lat": [float(r["lat"]) if r.get("lat") else None for r in rows],
            "lon": [float(r["long"]) if r.get("long") else None for r in rows],
        },
        schema={"zip5": pl.String, "city": pl.String, "state": pl.String, "lat": pl.Float64, "lon": pl.Float64},
    ).drop_nulls(["lat", "lon"]).unique("zip5", keep="first")
    return zips.with_columns(
        pl.Series("border_km", distance_to_border_km(zips["lat"].to_numpy(), zips["lon"].to_numpy()))
    )


@cache
def load_geo() -> Geo:
    zips = _zip_table()
    cities = (
        zips.group_by(pl.concat_str(["city", pl.lit("|"), "state"]).alias("city_key"))
        .agg(pl.col("lat").median(), pl.col("lon").median(), pl.col("border_km").median())
    )
    ap = airportsdata.load("IATA")
    airports = pl.DataFrame(
        {
            "point": list(ap),
            "country": [v["country"] for v in ap.values()],
            "lat": [float(v["lat"]) for v in ap.values()],
            "lon": [float(v["lon"]) for v in ap.values()],
        }
    )
    ports = pl.read_csv(data_path("border_ports.csv"), schema_overrides={"cbp_code": pl.String})
    return Geo(zips=zips, cities=cities, airports=airports, ports=ports)
