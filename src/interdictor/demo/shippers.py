"""Shippers: a population of Asian (and some other) sellers, manufacturers,
trading companies and forwarders whose volumes follow a Zipf-like law — a few
send thousands of parcels a day, most send a handful.

Names are built from an invented trade name, the shipper's industry and a
legal form of its country; addresses from real cities with plausible postal
codes; phones in the country's shapes.  Planted sellers (``seeded.py``) are
added to the same table with zero volume weight, so their rows look alike.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import polars as pl

from interdictor.demo.sources import load

MODES: Final = ("express", "postal", "air")
_COLUMNS: Final = ("name", "name_alt", "address", "city", "postal_code", "country", "phone", "email")


def _ri(r: random.Random, a: int, b: int) -> int:
    """Uniform integer in [a, b) — randrange without its argument checks."""
    return a + int(r.random() * (b - a))


def _ch(r: random.Random, seq: Any) -> Any:
    return seq[int(r.random() * len(seq))]


def postal_code(pattern: str, r: random.Random) -> str:
    """``518###`` -> ``518104``; ``@`` is a capital letter."""
    return "".join(
        str(_ri(r, 0, 10)) if c == "#" else chr(65 + _ri(r, 0, 26)) if c == "@" else c for c in pattern
    )


def _digits(r: random.Random, n: int) -> str:
    return f"{_ri(r, 0, 10**n):0{n}d}"


def phone(country: str, prefix: str, area: str, r: random.Random) -> str:
    """A business phone number as Asian shippers write them on labels."""
    style = _ri(r, 0, 4)
    if country == "CN":
        if r.random() < 0.6:
            mob = f"1{_ri(r, 3, 10)}{_digits(r, 9)}"
            return (f"+86 {mob[:3]} {mob[3:7]} {mob[7:]}", f"+86-{mob}", f"86{mob}", mob)[style]
        line = f"{_ri(r, 2, 9)}{_digits(r, 7 if len(area) <= 3 else 6)}"
        return (
            f"+86-{area}-{line[:4]} {line[4:]}",
            f"+86 {area} {line}",
            f"0{area}-{line}",
            f"+86{area}{line}",
        )[style]
    if country == "HK":
        line = f"{_ch(r, '23569')}{_digits(r, 7)}"
        return (f"+852 {line[:4]} {line[4:]}", f"+852-{line}", f"852 {line}", f"+852{line}")[style]
    line = f"{_ri(r, 2, 10)}{_digits(r, 6)}"
    return (
        f"{prefix} {area} {line[:3]} {line[3:]}",
        f"{prefix}-{area}-{line}",
        f"{prefix}{area}{line}",
        f"{prefix} {area}{line}",
    )[style]


def variant(name: str, r: random.Random) -> str:
    """The same shipper written differently on some labels."""
    u = r.random()
    if u < 0.35:
        return name.upper()
    if u < 0.7 and re.search(r"Co\.?,? ?Ltd\.?|Co\.?,? Limited|Limited", name):
        form = _ch(r, ("CO.,LTD", "Co Ltd", "Company Limited", "Co.,Ltd."))
        return re.sub(r"Co\.?,? ?Ltd\.?|Co\.?,? Limited|Limited", form, name, count=1)
    return name.replace(",", "").replace(".", "")


@dataclass
class ShipperTable:
    """Shipper parties plus what drives their traffic."""

    cols: dict[str, list[str | None]] = field(default_factory=lambda: {c: [] for c in _COLUMNS})
    industry: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    airports: list[tuple[str, str]] = field(default_factory=list)
    weights: list[tuple[float, float, float]] = field(default_factory=list)

    def add(
        self,
        party: dict[str, str | None],
        industry: str,
        kind: str,
        airports: list[str],
        weights: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> int:
        for c in _COLUMNS:
            self.cols[c].append(party.get(c) or (party["name"] if c == "name_alt" else None))
        self.industry.append(industry)
        self.kind.append(kind)
        self.airports.append((airports[0], airports[1] if len(airports) > 1 else airports[0]))
        self.weights.append(weights)
        return len(self.industry) - 1

    def __len__(self) -> int:
        return len(self.industry)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.cols, schema=dict.fromkeys(_COLUMNS, pl.String))


def trade_name(r: random.Random, first: list[str], second: list[str]) -> str:
    a, b = _ch(r, first), _ch(r, second)
    return a + b if r.random() < 0.85 else f"{a} {b.capitalize()}"


def cn_address(r: random.Random, trade: str, district: str, roads: list[str], buildings: list[str]) -> str:
    road, no, u = _ch(r, roads), _ri(r, 1, 400), r.random()
    if u < 0.4:
        room = f"{_ri(r, 2, 30)}{_ri(r, 1, 20):02d}"
        return f"Room {room}, Block {_ch(r, 'ABCDEFG')}, {trade} {_ch(r, buildings)}, No. {no} {road}, {district}"
    if u < 0.7:
        return f"{_ri(r, 1, 9)}/F, Building {_ri(r, 1, 20)}, No. {no} {road}, {district}"
    return f"No. {no} {road}, {district}"


def hk_address(r: random.Random, trade: str, district: str, roads: list[str]) -> str:
    floor = _ri(r, 2, 30)
    kind = _ch(r, ("Industrial Building", "Centre", "Commercial Building", "Tower", "Industrial Centre"))
    return f"Unit {floor}{_ri(r, 1, 20):02d}, {floor}/F, {trade} {kind}, {_ri(r, 1, 200)} {_ch(r, roads)}, {district}"


def _email(r: random.Random, country: str, trade: str, domains: list[str]) -> str | None:
    slug = re.sub(r"[^a-z]", "", trade.lower())
    u = r.random()
    if u < 0.25:
        return None
    if country in ("CN", "HK"):
        if u < 0.55:
            return f"{slug}{_ri(r, 1, 2025)}@{_ch(r, domains)}"
        if u < 0.7:
            return f"{_ri(r, 1, 9)}{_digits(r, _ri(r, 7, 10))}@qq.com"
        tld = ".com.hk" if country == "HK" else ".com"
        return f"{_ch(r, ('sales', 'info', 'export', 'service'))}@{slug}{tld}"
    return f"{_ch(r, ('info', 'sales', 'export'))}@{slug}.com"


def build_population(rng: np.random.Generator, n: int, industries: list[str]) -> ShipperTable:
    """``n`` ordinary shippers with Zipf-like volume weights per mode."""
    o = load("origins")
    r = random.Random(int(rng.integers(2**62)))
    countries = list(o["countries"])
    cshare = np.array([float(o["countries"][c]["share"]) for c in countries])
    types = list(o["types"])
    tshare = np.array([float(o["types"][t]["share"]) for t in types])
    country_of = rng.choice(len(countries), size=n, p=cshare / cshare.sum())
    type_of = rng.choice(len(types), size=n, p=tshare / tshare.sum())
    # Zipf-Mandelbrot: a few shippers send thousands of parcels a day, most a handful
    volume = 1.0 / (rng.permutation(n) + 15.0) ** 1.25
    table = ShipperTable()
    taken: set[str] = set()
    for i in range(n):
        kind = types[int(type_of[i])]
        for _ in range(3):  # distinct shippers get distinct names
            party, industry, kind, airports = _one(r, o, countries[int(country_of[i])], kind, industries)
            if party["name"] not in taken:
                break
        taken.add(str(party["name"]))
        table.add(party, industry, kind, airports, weights=_mode_weights(o, kind, float(volume[i])))
    return table


def _mode_weights(o: dict[str, Any], kind: str, volume: float) -> tuple[float, float, float]:
    m = o["types"][kind]["modes"]
    total = sum(float(v) for v in m.values())
    return (volume * m["express"] / total, volume * m["postal"] / total, volume * m["air"] / total)


def _one(
    r: random.Random, o: dict[str, Any], country: str, kind: str, industries: list[str]
) -> tuple[dict[str, str | None], str, str, list[str]]:
    c = o["countries"][country]
    cities = c["cities"]
    city, province, _, pattern, area, districts, airports = r.choices(
        cities, weights=[float(x[2]) for x in cities]
    )[0]
    district = _ch(r, districts)
    industry = _ch(r, [i for i in o["industries"][kind] if i in industries])
    if country in ("CN", "HK"):
        trade = trade_name(r, o["syllables_first"], o["syllables_second"])
    else:
        trade = _ch(r, o["trade_names"][country])
        if r.random() < 0.7:
            trade = f"{trade} {_ch(r, o['trade_words'])}"
    prefix = province if (r.random() < 0.3 and province not in (city, "Hong Kong")) else city
    name = _ch(r, o["name_forms"][country]).format(p=prefix, t=trade, i=_ch(r, o["industry_words"][industry]))
    if country == "CN":
        address = cn_address(r, trade, district, o["cn_roads"], o["cn_buildings"])
    elif country == "HK":
        address = hk_address(r, trade, district, o["hk_roads"])
    else:
        address = f"{_ri(r, 1, 300)} {_ch(r, o['other_roads'])}, {district}"
    party: dict[str, str | None] = {
        "name": name,
        "name_alt": variant(name, r),
        "address": address,
        "city": city,
        "postal_code": postal_code(str(pattern), r) or None,
        "country": country,
        "phone": phone(country, str(c["phone"]), str(area), r) if r.random() < 0.92 else None,
        "email": _email(r, country, trade, o["cn_email_domains"]),
    }
    return party, industry, kind, [str(a) for a in airports]
