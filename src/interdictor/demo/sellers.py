"""Sellers behind the planted cases, and the legitimate look-alike sellers.

A precursor seller is a small trading company that files under several names:
the province spelled the other way (Hubei/Hebei), another legal suffix
(Co., Ltd / Limited), another romanisation of its trade name, a synonym for its
industry, or a Hong Kong shell — often at a shared return address.  Each name
is its own row in the shipper table (with no volume of its own), so screening
sees what a targeter sees: different strings that are one business.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from interdictor.demo.shippers import ShipperTable, cn_address, hk_address, phone, postal_code, trade_name
from interdictor.demo.sources import load


@dataclass(frozen=True)
class Seller:
    """One business and the shipper rows of the names it files under (main name first)."""

    names: list[str]
    rows: list[int]


def romanise(trade: str, r: random.Random) -> str:
    """Another way the same trade name gets written."""
    parts: list[str] = re.findall(r"[A-Z][a-z]*", trade) or [trade]
    u = r.random()
    if u < 0.35 and len(parts) > 1:
        return " ".join(parts)
    if u < 0.55 and len(parts) > 1:
        return parts[0] + "-" + "".join(parts[1:]).lower()
    # Wade-Giles-ish and typed-by-ear spellings
    for a, b in (
        ("zh", "j"),
        ("Zh", "J"),
        ("x", "hs"),
        ("X", "Hs"),
        ("q", "ch"),
        ("Q", "Ch"),
        ("sh", "s"),
        ("ng", "n"),
    ):
        if a in trade:
            return trade.replace(a, b, 1)
    return trade + "g" if not trade.endswith("g") else trade[:-1]


def _swap_province(name: str, swaps: list[list[str]]) -> str | None:
    for a, b in swaps:
        if name.startswith(a + " "):
            return b + name[len(a) :]
        if name.startswith(b + " "):
            return a + name[len(b) :]
    return None


def precursor_seller(table: ShipperTable, r: random.Random, shared_addresses: list[str]) -> Seller:
    """A trading company with 3-6 names, at its own or a shared return address."""
    sd, o = load("seeded")["sellers"], load("origins")
    trade = trade_name(r, sd["trade_first"], sd["trade_second"])
    city, province, pattern, area, districts = r.choice(sd["places"])
    district = r.choice(districts)
    group = r.choice(sd["industries"])
    form = r.choice(sd["forms"])
    lead = province if (r.random() < 0.7 and province not in ("Shanghai",)) else city
    main = f"{lead} {trade} {group[0]} {form}"
    names = [main]
    swapped = _swap_province(main, sd["province_swaps"])
    candidates = [
        swapped,
        f"{lead} {trade} {group[0]} {r.choice([f for f in sd['forms'] if f != form])}",
        f"{lead} {romanise(trade, r)} {group[0]} {form}",
        f"{lead} {trade} {r.choice(group[1:])} {form}",
        f"{city if lead == province else province} {trade} {group[0]} {form}",
    ]
    r.shuffle(candidates)
    for c in candidates:
        if c and c not in names and len(names) < r.randint(3, 5):
            names.append(c)
    hk_form = r.choice(sd["hk_forms"])
    word = r.choice([w for w in ("International", "Global", "Chemical", "Trading") if w not in hk_form])
    shell = f"{trade} {word} {hk_form}"
    if r.random() < 0.5:
        names.append(shell)
    address = (
        f"{r.choice(shared_addresses)}, {district}"
        if r.random() < 0.6
        else cn_address(r, trade, district, o["cn_roads"], o["cn_buildings"])
    )
    tel = phone("CN", "+86", str(area), r)
    zipcode = postal_code(str(pattern), r)
    mail = f"{re.sub(r'[^a-z]', '', trade.lower())}{r.randint(1, 99)}@{r.choice(sd['emails'])}"
    rows = []
    for name in names:
        hk = name == shell
        party: dict[str, str | None] = {
            "name": name,
            "address": hk_address(
                r, trade, r.choice(["Kwun Tong", "Sheung Wan", "Mong Kok", "Wan Chai"]), o["hk_roads"]
            )
            if hk
            else address,
            "city": "Hong Kong" if hk else city,
            "postal_code": None if hk else zipcode,
            "country": "HK" if hk else "CN",
            # variants share the phone or mail more often than not: one desk behind many names
            "phone": tel if r.random() < 0.7 else phone("HK" if hk else "CN", "+86", str(area), r),
            "email": mail if r.random() < 0.6 else None,
        }
        rows.append(table.add(party, "marketplace", "trading", ["HKG"] if hk else _airports(city)))
    return Seller(names=names, rows=rows)


def press_seller(table: ShipperTable, r: random.Random) -> Seller:
    """A machinery or mould maker selling tableting equipment, under one or two names."""
    sd, o = load("seeded")["sellers"], load("origins")
    trade = trade_name(r, o["syllables_first"], o["syllables_second"])
    city, province, pattern, area, districts = r.choice(sd["places"])
    words = r.choice(sd["machinery"])
    form = r.choice(sd["forms"])
    names = [f"{city} {trade} {words} {form}"]
    if r.random() < 0.5:
        names.append(f"{province} {trade} {r.choice(sd['machinery'])} {r.choice(sd['forms'])}")
    address = cn_address(r, trade, r.choice(districts), o["cn_roads"], o["cn_buildings"])
    tel = phone("CN", "+86", str(area), r)
    zipcode = postal_code(str(pattern), r)
    rows = [
        table.add(
            {
                "name": n,
                "address": address,
                "city": city,
                "postal_code": zipcode,
                "country": "CN",
                "phone": tel,
                "email": None,
            },
            "machinery",
            "manufacturer",
            _airports(city),
        )
        for n in names
    ]
    return Seller(names=names, rows=rows)


def decoy_seller(table: ShipperTable, r: random.Random, patterns: list[str]) -> Seller:
    """A legitimate flavour or pharmaceutical producer (China or India)."""
    o = load("origins")
    pattern = r.choice(patterns)
    country = "IN" if "Pvt" in pattern else "CN"
    c = o["countries"][country]
    city, province, _, pcode, area, districts, airports = r.choice(
        [
            x
            for x in c["cities"]
            if country == "IN" or x[1] in ("Zhejiang", "Jiangsu", "Anhui", "Shanghai", "Shandong")
        ]
    )
    trade = (
        trade_name(r, o["syllables_first"], o["syllables_second"])
        if country == "CN"
        else r.choice(o["trade_names"]["IN"])
    )
    name = pattern.format(p=province if r.random() < 0.6 else city, t=trade)
    district = r.choice(districts)
    address = (
        cn_address(r, trade, district, o["cn_roads"], o["cn_buildings"])
        if country == "CN"
        else f"Plot {r.randint(1, 200)}, {r.choice(o['other_roads'])}, {district}"
    )
    slug = re.sub(r"[^a-z]", "", trade.lower())
    row = table.add(
        {
            "name": name,
            "address": address,
            "city": city,
            "postal_code": postal_code(str(pcode), r),
            "country": country,
            "phone": phone(country, str(c["phone"]), str(area), r),
            "email": f"{r.choice(['export', 'sales', 'info'])}@{slug}.com",
        },
        "chemicals",
        "manufacturer",
        [str(a) for a in airports],
    )
    return Seller(names=[name], rows=[row])


def _airports(city: str) -> list[str]:
    for spec in load("origins")["countries"]["CN"]["cities"]:
        if spec[0] == city:
            return [str(a) for a in spec[6]]
    return ["PVG"]


def chemical_table() -> dict[str, dict[str, Any]]:
    return {str(c["key"]): c for c in load("seeded")["chemicals"]}
