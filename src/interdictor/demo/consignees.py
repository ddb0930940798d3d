"""Consignees: US residences (most appear once), repeat buyers, businesses,
border-area warehouses and forwarders, and a few consignees in Mexico.

Every builder makes ``n`` parties at once as a polars frame with the party
columns of the manifest plus ``region`` (which US gateway is likely), drawing
names, streets and real ZIP codes (``zipcodes``) with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import polars as pl

from interdictor.demo.sources import city_zips, load, unique, zip_table

REGIONS: Final = ("sd", "la", "sf", "pdx", "west", "national")
PARTY_COLUMNS: Final = ("name", "address", "city", "state", "postal_code", "country", "phone", "email")
_WEST: Final = frozenset({"CA", "OR", "WA", "NV", "AZ", "ID", "UT", "NM", "CO", "MT", "WY", "HI", "AK"})


def _series(values: list[str]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


@dataclass(frozen=True)
class Kit:
    """Names and places, loaded once."""

    first: pl.Series
    last: pl.Series
    streets: pl.Series
    street_types: pl.Series
    email_domains: pl.Series
    words: pl.Series
    kinds: pl.Series
    suffixes: pl.Series
    logistics: pl.Series
    logistics_suffixes: pl.Series
    mx_streets: pl.Series
    mx_first: pl.Series
    mx_last: pl.Series
    residential: pl.DataFrame  # zip, city, state, area_code, region
    residential_cdf: np.ndarray
    business: pl.DataFrame
    business_cdf: np.ndarray
    border: pl.DataFrame  # zip, city, state, area_code, street
    border_cdf: np.ndarray
    mexico: pl.DataFrame  # city, state, area_code, colonia, postal_code
    mexico_cdf: np.ndarray


def _spread(frames: list[pl.DataFrame], weights: list[float]) -> tuple[pl.DataFrame, np.ndarray]:
    """Stack location frames; each frame's weight is shared evenly by its rows."""
    w = np.concatenate([np.full(f.height, wt / f.height) for f, wt in zip(frames, weights, strict=True)])
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return pl.concat(frames, how="vertical"), cdf


@cache
def kit() -> Kit:
    people, places = load("people"), load("places")
    res_frames, res_w = [], []
    for city, state, weight, region in places["residential"]:
        res_frames.append(city_zips(city, state).with_columns(region=pl.lit(region)))
        res_w.append(float(weight))
    rest = zip_table().with_columns(
        region=pl.when(pl.col("state").is_in(list(_WEST))).then(pl.lit("west")).otherwise(pl.lit("national"))
    )
    res_frames.append(rest)
    res_w.append(float(places["elsewhere"]))
    residential, residential_cdf = _spread(res_frames, res_w)
    business, business_cdf = _spread(
        [city_zips(c, s).with_columns(region=pl.lit(r)) for c, s, _, r in places["business"]],
        [float(w) for _, _, w, _ in places["business"]],
    )
    b_frames, b_w = [], []
    for b in places["border"]:
        zips = city_zips(b["city"], b["state"])
        if "zip" in b:
            zips = zips.filter(pl.col("zip") == str(b["zip"]))
        streets = unique(b["streets"])
        frame = zips.join(pl.DataFrame({"street": streets}), how="cross")
        b_frames.append(frame.with_columns(region=pl.lit("sd" if b["state"] == "CA" else "national")))
        b_w.append(float(b["weight"]))
    border, border_cdf = _spread(b_frames, b_w)
    mx_frames, mx_w = [], []
    for m in places["mexico"]:
        mx_frames.append(
            pl.DataFrame(
                {
                    "city": m["city"],
                    "state": m["state"],
                    "area_code": str(m["area"]),
                    "colonia": [c for c, _ in m["colonias"]],
                    "postal_code": [str(z) for _, z in m["colonias"]],
                }
            )
        )
        mx_w.append(float(m["weight"]))
    mexico, mexico_cdf = _spread(mx_frames, mx_w)
    return Kit(
        first=_series(unique(people["first_names"])),
        last=_series(unique(people["last_names"])),
        streets=_series(unique(people["streets"])),
        street_types=_series(unique(people["street_types"])),
        email_domains=_series([str(d) for d in people["email_domains"]]),
        words=_series(unique(people["business_words"])),
        kinds=_series(unique(people["business_kinds"])),
        suffixes=_series([str(s) for s in people["business_suffixes"]]),
        logistics=_series(unique(people["logistics_kinds"])),
        logistics_suffixes=_series([str(s) for s in people["logistics_suffixes"]]),
        mx_streets=_series(unique(people["mx_streets"])),
        mx_first=_series(unique(people["mx_first_names"])),
        mx_last=_series(unique(people["mx_last_names"])),
        residential=residential,
        residential_cdf=residential_cdf,
        business=business,
        business_cdf=business_cdf,
        border=border,
        border_cdf=border_cdf,
        mexico=mexico,
        mexico_cdf=mexico_cdf,
    )


def _pick(rng: np.random.Generator, s: pl.Series, n: int) -> pl.Series:
    return s.gather(rng.integers(0, len(s), size=n))


def _at(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _slug(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")


def _us_phone(rng: np.random.Generator, n: int, missing: float) -> pl.Expr:
    """US phone numbers in the shapes people type them; needs column ``area_code``."""
    ex = pl.lit(pl.Series(rng.integers(201, 999, size=n)).cast(pl.String))
    line = pl.lit(pl.Series(rng.integers(0, 10000, size=n)).cast(pl.String).str.zfill(4))
    style = pl.lit(pl.Series(rng.integers(0, 100, size=n)))
    a = pl.col("area_code")
    phone = (
        pl.when(style < 30)
        .then(pl.concat_str(pl.lit("("), a, pl.lit(") "), ex, pl.lit("-"), line))
        .when(style < 55)
        .then(pl.concat_str(a, pl.lit("-"), ex, pl.lit("-"), line))
        .when(style < 75)
        .then(pl.concat_str(pl.lit("+1 "), a, ex, line))
        .when(style < 90)
        .then(pl.concat_str(a, ex, line))
        .otherwise(pl.concat_str(pl.lit("+1-"), a, pl.lit("-"), ex, pl.lit("-"), line))
    )
    gone = pl.lit(pl.Series(rng.random(n) < missing))
    return pl.when(gone | (a == "")).then(None).otherwise(phone)


def residences(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """``n`` private consignees: generated names, street addresses, real ZIP/city/state."""
    k = kit()
    loc = k.residential[_at(rng, k.residential_cdf, n)]
    style = rng.integers(0, 100, size=n)
    unit_kind = rng.integers(0, 5, size=n)
    unit_no = np.where(rng.random(n) < 0.7, rng.integers(1, 40, size=n), rng.integers(100, 480, size=n))
    house = np.exp(rng.uniform(1.0, 9.8, size=n)).astype(np.int64) + 1
    email_n = rng.integers(0, 100, size=n)
    frame = loc.with_columns(
        f=_pick(rng, k.first, n),
        l=_pick(rng, k.last, n),
        mi=_pick(rng, _series(list("ABCDEFGHJKLMNPRSTW")), n),
        style=pl.Series(style),
        street=pl.concat_str(
            pl.lit(pl.Series(house).cast(pl.String)),
            pl.lit(_pick(rng, k.streets, n)),
            pl.lit(_pick(rng, k.street_types, n)),
            separator=" ",
        ),
        unit=pl.when(pl.lit(pl.Series(rng.random(n) < 0.25)))
        .then(
            pl.concat_str(
                pl.lit(_series(["Apt ", "Unit ", "#", "Apt. ", "Apt "]).gather(unit_kind)),
                pl.lit(pl.Series(unit_no).cast(pl.String)),
                pl.when(pl.lit(pl.Series(rng.random(n) < 0.2)))
                .then(pl.lit(_pick(rng, _series(list("ABCDEF")), n)))
                .otherwise(pl.lit("")),
            )
        )
        .otherwise(None),
        phone=_us_phone(rng, n, 0.12),
        dom=_pick(rng, k.email_domains, n),
        en=pl.Series(email_n),
        has_email=pl.Series(rng.random(n) < 0.55),
    )
    first_l = _slug(pl.col("f"))
    last_l = _slug(pl.col("l"))
    name = (
        pl.when(pl.col("style") < 84)
        .then(pl.concat_str("f", "l", separator=" "))
        .when(pl.col("style") < 91)
        .then(pl.concat_str("f", "l", separator=" ").str.to_uppercase())
        .when(pl.col("style") < 95)
        .then(pl.concat_str("f", "l", separator=" ").str.to_lowercase())
        .otherwise(pl.concat_str(pl.col("f"), pl.concat_str("mi", pl.lit(".")), pl.col("l"), separator=" "))
    )
    local = (
        pl.when(pl.col("en") < 30)
        .then(pl.concat_str(first_l, pl.lit("."), last_l))
        .when(pl.col("en") < 55)
        .then(pl.concat_str(first_l, last_l, pl.col("en").cast(pl.String)))
        .when(pl.col("en") < 75)
        .then(pl.concat_str(first_l.str.slice(0, 1), last_l, (pl.col("en") + 1900).cast(pl.String)))
        .otherwise(pl.concat_str(first_l, pl.lit("_"), last_l, (pl.col("en") % 10).cast(pl.String)))
    )
    return frame.select(
        name=name,
        address=pl.concat_str(pl.col("street"), pl.col("unit"), separator=" ", ignore_nulls=True),
        city=pl.col("city"),
        state=pl.col("state"),
        postal_code=pl.col("zip"),
        country=pl.lit("US"),
        phone=pl.col("phone"),
        email=pl.when(pl.col("has_email"))
        .then(pl.concat_str(local, pl.lit("@"), pl.col("dom")))
        .otherwise(None),
        region=pl.col("region"),
    )


def _company(
    rng: np.random.Generator,
    n: int,
    loc: pl.DataFrame,
    name: pl.Expr,
    street: pl.Expr,
    mailbox: list[str],
    email_share: float,
) -> pl.DataFrame:
    suite = rng.integers(1, 400, size=n)
    house = np.exp(rng.uniform(4.0, 9.6, size=n)).astype(np.int64)
    box = _pick(rng, _series(mailbox), n)
    frame = loc.with_columns(
        cname=name,
        st=street,
        house=pl.Series(house).cast(pl.String),
        suite=pl.when(pl.lit(pl.Series(rng.random(n) < 0.45)))
        .then(
            pl.concat_str(
                pl.lit(_pick(rng, _series(["Ste ", "Unit ", "Bldg ", "#"]), n)),
                pl.lit(pl.Series(suite).cast(pl.String)),
            )
        )
        .otherwise(None),
        box=box,
        has_email=pl.Series(rng.random(n) < email_share),
        phone=_us_phone(rng, n, 0.05),
    )
    base = _slug(pl.col("cname").str.replace(r"\s+(LLC|Inc\.?|Corp|Co|Group|Enterprises|S de RL)$", ""))
    return frame.select(
        name=pl.col("cname"),
        address=pl.concat_str("house", "st", "suite", separator=" ", ignore_nulls=True),
        city=pl.col("city"),
        state=pl.col("state"),
        postal_code=pl.col("zip"),
        country=pl.lit("US"),
        phone=pl.col("phone"),
        email=pl.when(pl.col("has_email"))
        .then(pl.concat_str("box", pl.lit("@"), base, pl.lit(".com")))
        .otherwise(None),
        region=pl.col("region"),
    )


def businesses(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Stores, distributors and importers that buy from Asian suppliers."""
    k = kit()
    loc = k.business[_at(rng, k.business_cdf, n)]
    lead = (
        pl.when(pl.lit(pl.Series(rng.random(n) < 0.7)))
        .then(pl.lit(_pick(rng, k.words, n)))
        .otherwise(pl.lit(_pick(rng, k.last, n)))
    )
    name = pl.concat_str(
        lead, pl.lit(_pick(rng, k.kinds, n)), pl.lit(_pick(rng, k.suffixes, n)), separator=" "
    ).str.strip_chars()
    street = pl.concat_str(
        pl.lit(_pick(rng, k.streets, n)), pl.lit(_pick(rng, k.street_types, n)), separator=" "
    )
    return _company(rng, n, loc, name, street, ["info", "sales", "orders", "purchasing", "office"], 0.6)


def border_businesses(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Warehouses, forwarders and import/export firms along the US-Mexico border."""
    k = kit()
    loc = k.border[_at(rng, k.border_cdf, n)]
    spanish = rng.random(n) < 0.2
    lead = pl.lit(_pick(rng, k.words, n))
    english = pl.concat_str(
        lead, pl.lit(_pick(rng, k.logistics, n)), pl.lit(_pick(rng, k.logistics_suffixes, n)), separator=" "
    )
    patterns = _series(
        [
            "Transportes ",
            "Bodegas ",
            "Comercializadora ",
            "Importadora ",
            "Servicios Logisticos ",
            "Distribuidora ",
        ]
    )
    es = pl.concat_str(
        pl.lit(_pick(rng, patterns, n)),
        pl.when(pl.lit(pl.Series(rng.random(n) < 0.5))).then(pl.lit(_pick(rng, k.last, n))).otherwise(lead),
        pl.lit(_pick(rng, _series([" LLC", " Inc", ""]), n)),
    )
    name = pl.when(pl.lit(pl.Series(spanish))).then(es).otherwise(english).str.strip_chars()
    return _company(
        rng,
        n,
        loc,
        name,
        pl.col("street"),
        ["ops", "receiving", "warehouse", "info", "import", "trafico"],
        0.7,
    )


def mexico(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Consignees in Tijuana, Mexicali and Tecate (parcels cross after US entry)."""
    k = kit()
    loc = k.mexico[_at(rng, k.mexico_cdf, n)]
    person = pl.concat_str(
        pl.lit(_pick(rng, k.mx_first, n)),
        pl.lit(_pick(rng, k.mx_last, n)),
        pl.lit(_pick(rng, k.mx_last, n)),
        separator=" ",
    )
    firm = pl.concat_str(
        pl.lit(_pick(rng, _series(["Comercializadora ", "Importaciones ", "Distribuidora "]), n)),
        pl.lit(_pick(rng, k.words, n)),
        pl.lit(" SA de CV"),
    )
    number = pl.Series(rng.integers(100, 24000, size=n)).cast(pl.String)
    phone = pl.concat_str(
        pl.lit("+52 "),
        pl.col("area_code"),
        pl.lit(" "),
        pl.lit(pl.Series(rng.integers(100, 999, size=n)).cast(pl.String)),
        pl.lit(" "),
        pl.lit(pl.Series(rng.integers(0, 10000, size=n)).cast(pl.String).str.zfill(4)),
    )
    email = pl.concat_str(
        _slug(pl.lit(_pick(rng, k.mx_first, n))),
        pl.lit(pl.Series(rng.integers(1, 99, size=n)).cast(pl.String)),
        pl.lit("@"),
        pl.lit(_pick(rng, _series(["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx"]), n)),
    )
    return loc.select(
        name=pl.when(pl.lit(pl.Series(rng.random(n) < 0.7))).then(person).otherwise(firm),
        address=pl.concat_str(
            pl.lit(_pick(rng, k.mx_streets, n)),
            pl.lit(" "),
            pl.lit(number),
            pl.lit(", Col. "),
            pl.col("colonia"),
        ),
        city=pl.col("city"),
        state=pl.col("state"),
        postal_code=pl.col("postal_code"),
        country=pl.lit("MX"),
        phone=pl.when(pl.lit(pl.Series(rng.random(n) < 0.85))).then(phone).otherwise(None),
        email=pl.when(pl.lit(pl.Series(rng.random(n) < 0.4))).then(email).otherwise(None),
        region=pl.lit("sd"),
    )


def buyers(
    rng: np.random.Generator, n: int, patterns: list[str], places: list[tuple[str, str]]
) -> pl.DataFrame:
    """Named-industry businesses (food ingredient houses, pharmaceutical firms) in given cities."""
    k = kit()
    # a city first (each as likely), then one of its ZIP codes
    cities = [city_zips(c, s) for c, s in places]
    loc = pl.concat(
        [cities[i][int(rng.integers(cities[i].height))] for i in rng.integers(0, len(cities), size=n)]
    ).with_columns(region=pl.lit("national"))
    pat = np.array(patterns)[rng.integers(0, len(patterns), size=n)]
    words = _pick(rng, k.words, n).to_list()
    names = [p.replace("{w}", w) for p, w in zip(pat, words, strict=True)]
    street = pl.concat_str(
        pl.lit(_pick(rng, k.streets, n)), pl.lit(_pick(rng, k.street_types, n)), separator=" "
    )
    return _company(
        rng,
        n,
        loc,
        pl.lit(pl.Series(names, dtype=pl.String)),
        street,
        ["purchasing", "receiving", "qa", "orders"],
        0.8,
    )
