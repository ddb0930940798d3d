"""Planted context cases for ``bench/context.py``: five families whose signal is in the context, not
in one line's words — each drawn from one of two *template sets*, so a bench can tune on one and
hold the other (and another seed) out.

* ``heavy_mislabelled`` — one air carton of everyday goods as heavy as a person, at a token value,
  under an HS code of other goods, to a warehouse near the border;
* ``commingled`` — a day's parcels from many company names at one return address, vague goods at a
  few dollars a kilo, to a few receivers near the border;
* ``tooling_home`` — dies, punches, moulds, confectionery presses to a private person;
* ``flavour_glycidate`` — a glycidate under a flavour name, in bulk, by air through a US gateway to
  a trading company in Mexico;
* ``listed_typo`` — a listed supplier's name with one letter wrong inside a word.

Rows are manifest CSV rows (``demo.chunk.MANIFEST_COLUMNS``); the truth is returned, never written.
Ordinary traffic (and a legitimate consolidator that must not fire) comes from ``demo.generate``
and ``consolidator_rows``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

FAMILIES = ("heavy_mislabelled", "commingled", "tooling_home", "flavour_glycidate", "listed_typo")


@dataclass(frozen=True)
class Templates:
    everyday: tuple[tuple[str, str], ...]  # (goods, an HS code that does not fit them)
    vague: tuple[str, ...]
    tooling: tuple[tuple[str, str | None], ...]
    flavour: tuple[str, ...]
    words: tuple[str, ...]  # company-name words
    cn_cities: tuple[tuple[str, str, str], ...]  # (city, postal code, street)
    border: tuple[tuple[str, str, str], ...]  # (city, state, zip)
    inland: tuple[tuple[str, str, str], ...]
    mx: tuple[tuple[str, str], ...]  # (city, state)
    people: tuple[str, ...]
    gateways: tuple[str, ...]


TEMPLATES = {
    "tune": Templates(
        everyday=(("computer mice", "6109100000"), ("usb charging cables", "9503000000"),
                  ("phone screen protectors", "4202920000"), ("plastic storage boxes", "8471600000")),
        vague=("household items", "daily necessities", "sundries", "general goods"),
        tooling=(("stainless die set", "8207300000"), ("candy press machine", None), ("punch and die tooling", "8207300000"),
                 ("confectionery mould set", "8480790000")),
        flavour=("strawberry aldehyde flavouring raw material", "aldehyde C-16 flavour raw material"),
        words=("Xin", "Hong", "Tai", "Long", "Jia", "Rui", "Feng", "Sheng", "Da", "Hua", "Ming", "Yuan"),
        cn_cities=(("Shenzhen", "518000", "No. 18 Bulong Road"), ("Guangzhou", "510000", "Room 902, 33 Huangpu Ave"),
                   ("Wuhan", "430000", "Unit 5, 210 Jiefang Road")),
        border=(("El Paso", "TX", "79901"), ("Laredo", "TX", "78040"), ("Nogales", "AZ", "85621"),
                ("Calexico", "CA", "92231"), ("McAllen", "TX", "78501")),
        inland=(("Columbus", "OH", "43215"), ("Denver", "CO", "80202"), ("Atlanta", "GA", "30303"),
                ("Chicago", "IL", "60601"), ("Seattle", "WA", "98101"), ("Nashville", "TN", "37203")),
        mx=(("Guadalajara", "JAL"), ("Culiacan", "SIN"), ("Monterrey", "NL")),
        people=("Maria Lopez", "Jose Hernandez", "Luis Garcia", "Ana Torres", "Carlos Ruiz"),
        gateways=("LAX", "ORD"),
    ),
    "holdout": Templates(
        everyday=(("bath towels", "8473300000"), ("plastic coat hangers", "8504400000"),
                  ("kitchen sponges", "6403990000"), ("ceramic flower pots", "8517620000")),
        vague=("home goods", "general merchandise", "gift", "daily use items"),
        tooling=(("tablet mould die", "8480790000"), ("TDP press", None), ("upper and lower punches", "8207300000"),
                 ("sugar press machine", "8479890000")),
        flavour=("ethyl methylphenylglycidate fragrance raw material", "fruity flavour base (glycidate)"),
        words=("Kai", "Bo", "Qi", "Yong", "Tian", "Hui", "Jun", "Peng", "Wei", "An", "Lian", "Shun"),
        cn_cities=(("Hangzhou", "310000", "Floor 7, 88 Wenyi Road"), ("Tianjin", "300000", "No. 12 Binhai Street"),
                   ("Xiamen", "361000", "Room 1503, 6 Lujiang Road")),
        border=(("Brownsville", "TX", "78520"), ("San Ysidro", "CA", "92173"), ("Douglas", "AZ", "85607"),
                ("Eagle Pass", "TX", "78852"), ("Chula Vista", "CA", "91910")),
        inland=(("Boston", "MA", "02108"), ("Omaha", "NE", "68102"), ("Portland", "OR", "97204"),
                ("Miami", "FL", "33130"), ("Detroit", "MI", "48226"), ("Phoenix", "AZ", "85004")),
        mx=(("Puebla", "PUE"), ("Toluca", "MEX"), ("Hermosillo", "SON")),
        people=("Rosa Martinez", "Juan Perez", "Miguel Sanchez", "Elena Flores", "Pedro Ramirez"),
        gateways=("JFK", "ANC"),
    ),
}
TRADE = ("Trading", "Technology", "Industrial", "Commerce", "Import and Export")


@dataclass(frozen=True)
class Planted:
    rows: list[dict[str, Any]]
    truth: dict[str, str]  # shipment_id -> family


class _Maker:
    def __init__(self, seed: int, templates: Templates, day: dt.date) -> None:
        self.r = random.Random(seed)
        self.t = templates
        self.day = day
        self.rows: list[dict[str, Any]] = []
        self.truth: dict[str, str] = {}
        self.n = 0

    def company(self, suffix: str = "Co., Ltd.") -> str:
        r = self.r
        return f"{r.choice(self.t.words)} {r.choice(self.t.words)}{r.choice(self.t.words).lower()} {r.choice(TRADE)} {suffix}"

    def row(self, family: str, mode: str, **f: Any) -> None:
        self.n += 1
        sid = f"CTX{self.n:05d}"
        at = dt.datetime.combine(self.day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(seconds=self.r.randint(0, 86_399))
        city, postal, street = self.r.choice(self.t.cn_cities)
        base: dict[str, Any] = {
            "shipment_id": sid, "mode": mode, "filed_at": at.isoformat(), "origin_country": "CN",
            "routing": f"{self.r.choice(['PVG', 'CAN', 'SZX'])}-{self.r.choice(self.t.gateways)}",
            "shipper_name": self.company(), "shipper_address": street, "shipper_city": city,
            "shipper_postal_code": postal, "shipper_country": "CN", "pieces": 1, "currency": "USD",
            "consignee_country": "US",
        }
        base.update(f)
        self.rows.append(base)
        self.truth[sid] = family

    def heavy(self) -> None:
        goods, hs = self.r.choice(self.t.everyday)
        city, state, zip5 = self.r.choice(self.t.border)
        kg = round(self.r.uniform(55, 120), 1)
        self.row("heavy_mislabelled", "air", item_description=goods, hs_code=hs, gross_weight_kg=kg, item_weight_kg=kg,
                 declared_value=round(self.r.uniform(15, 90), 2), item_quantity=self.r.randint(20, 200),
                 consignee_name=f"{self.r.choice(self.t.words)} {self.r.choice(['Logistics', 'Warehouse', 'Fulfillment'])} LLC",
                 consignee_address=f"{self.r.randint(100, 9999)} {self.r.choice(['Industrial', 'Commerce', 'Cargo'])} Blvd",
                 consignee_city=city, consignee_state=state, consignee_postal_code=zip5)

    def commingled(self) -> None:
        n = self.r.randint(6, 14)
        city, postal, street = self.r.choice(self.t.cn_cities)
        street = f"{street}, Suite {self.r.randint(100, 2999)}"
        receivers = [(f"{self.r.choice(self.t.words)} {self.r.choice(['Logistics', 'Distribution', 'Supply'])} LLC",
                      f"{self.r.randint(100, 9999)} {self.r.choice(['Airport', 'Border', 'Trade'])} Rd", *self.r.choice(self.t.border))
                     for _ in range(self.r.randint(1, 3))]
        for _ in range(n):
            kg = round(self.r.uniform(8, 32), 1)
            name, addr, c, s, z = self.r.choice(receivers)
            self.row("commingled", "express", shipper_address=street, shipper_city=city, shipper_postal_code=postal,
                     item_description=self.r.choice(self.t.vague), gross_weight_kg=kg, item_weight_kg=kg,
                     declared_value=round(kg * self.r.uniform(1.0, 4.5), 2), consignee_name=name,
                     consignee_address=addr, consignee_city=c, consignee_state=s, consignee_postal_code=z)

    def tooling(self) -> None:
        goods, hs = self.r.choice(self.t.tooling)
        city, state, zip5 = self.r.choice(self.t.inland + self.t.border)
        kg = round(self.r.uniform(3, 40), 1)
        self.row("tooling_home", self.r.choice(["express", "air"]), item_description=goods, hs_code=hs,
                 gross_weight_kg=kg, item_weight_kg=kg, declared_value=round(self.r.uniform(80, 900), 2),
                 consignee_name=self.r.choice(self.t.people),
                 consignee_address=f"{self.r.randint(10, 9999)} {self.r.choice(['Oak', 'Elm', 'Pine', 'Cedar'])} St Apt {self.r.randint(1, 40)}",
                 consignee_city=city, consignee_state=state, consignee_postal_code=zip5)

    def flavour(self) -> None:
        city, state = self.r.choice(self.t.mx)
        kg = round(self.r.uniform(150, 900), 0)
        self.row("flavour_glycidate", "air", item_description=self.r.choice(self.t.flavour), hs_code="3302109000",
                 gross_weight_kg=kg, item_weight_kg=kg, declared_value=round(kg * self.r.uniform(3, 9), 2),
                 routing=f"{self.r.choice(['PVG', 'CAN'])}-{self.r.choice(self.t.gateways)}-GDL",
                 consignee_name=f"{self.r.choice(['Comercializadora', 'Importadora', 'Distribuidora'])} "
                                f"{self.r.choice(self.t.words)} SA de CV",
                 consignee_address=f"Av. {self.r.choice(['Juarez', 'Hidalgo', 'Reforma'])} {self.r.randint(1, 999)}",
                 consignee_city=city, consignee_state=state, consignee_postal_code=f"{self.r.randint(10000, 99999)}",
                 consignee_country="MX")

    def typo(self, listed: list[str]) -> None:
        name = self.r.choice(listed)
        words = name.split()
        long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
        if long:
            i = self.r.choice(long)
            w = words[i]
            k = self.r.randint(1, len(w) - 2)
            words[i] = w[:k] + w[k + 1:] if self.r.random() < 0.5 else w[:k] + w[k + 1] + w[k] + w[k + 2:]
        goods, _hs = self.r.choice(self.t.everyday)
        city, state, zip5 = self.r.choice(self.t.inland)
        self.row("listed_typo", "express", shipper_name=" ".join(words), item_description=goods, gross_weight_kg=2.0,
                 item_weight_kg=2.0, declared_value=45.0, consignee_name=self.r.choice(self.t.people),
                 consignee_address=f"{self.r.randint(10, 999)} Main St", consignee_city=city, consignee_state=state,
                 consignee_postal_code=zip5)


def plant(seed: int, holdout: bool, day: dt.date, per_family: int, listed: list[str]) -> Planted:
    """``per_family`` shipments of each family (commingled: clusters until there are as many), from the
    holdout or the tuning template set."""
    m = _Maker(seed, TEMPLATES["holdout" if holdout else "tune"], day)
    for _ in range(per_family):
        m.heavy()
        m.tooling()
        m.flavour()
        if listed:
            m.typo(listed)
    while sum(1 for f in m.truth.values() if f == "commingled") < per_family:
        m.commingled()
    return Planted(m.rows, m.truth)


def consolidator_rows(seed: int, day: dt.date, sellers: int, holdout: bool) -> list[dict[str, Any]]:
    """A legitimate consolidator's day: ``sellers`` small sellers at one logistics-park address, varied
    ordinary goods at ordinary weights and values, to private consignees all over the country."""
    t = TEMPLATES["holdout" if holdout else "tune"]
    m = _Maker(seed + 1, t, day)
    goods = (("wireless earbuds", 0.3, 25), ("yoga mat", 1.3, 20), ("led desk lamp", 1.6, 30), ("phone case", 0.2, 8),
             ("kids raincoat", 0.5, 14), ("bluetooth speaker", 0.9, 38), ("water bottle", 0.5, 12),
             ("hair clipper", 0.7, 27), ("car phone mount", 0.3, 11), ("throw pillow cover", 0.4, 10))
    for i in range(sellers):
        desc, kg, usd = m.r.choice(goods)
        city, state, zip5 = m.r.choice(t.inland + t.inland + t.border[:1])
        m.row("ordinary", "express", shipper_name=f"{m.company('Store')} {i}",
              shipper_address="Block C, 66 Chouzhou North Road, International Trade City", shipper_city="Yiwu",
              shipper_postal_code="322000", item_description=desc, gross_weight_kg=kg, item_weight_kg=kg,
              declared_value=float(usd), consignee_name=f"{m.r.choice(t.people)} {i}",
              consignee_address=f"{m.r.randint(10, 9999)} Maple Ave", consignee_city=city, consignee_state=state,
              consignee_postal_code=zip5)
    for r in m.rows:
        r["shipment_id"] = "CON" + r["shipment_id"]
    return m.rows
