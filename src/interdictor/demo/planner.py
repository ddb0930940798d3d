"""Builders of planted cases, one method per kind (see ``seeded.py``)."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import polars as pl

from interdictor.demo import consignees as cons
from interdictor.demo.cases import Case, Line, PoolIndex
from interdictor.demo.commodities import hs_digits
from interdictor.demo.sellers import Seller, chemical_table, decoy_seller, precursor_seller, press_seller
from interdictor.demo.shippers import ShipperTable
from interdictor.demo.sources import load
from interdictor.demo.transport import AIR, EXPRESS, POSTAL


def _hs(code: str) -> str | None:
    if not code:
        return None
    return hs_digits(str(load("seeded")["hts10"].get(code, code)))


def _weighted(r: random.Random, pairs: list[list[Any]]) -> Any:
    return r.choices([p[0] for p in pairs], weights=[float(p[1]) for p in pairs])[0]


class Planner:
    def __init__(
        self,
        rng: np.random.Generator,
        shippers: ShipperTable,
        pool: PoolIndex,
        ordinary: np.ndarray,
        ordinary_weight: np.ndarray,
        n_cases: int,
    ) -> None:
        self.r = random.Random(int(rng.integers(2**62)))
        self.rng = rng
        self.sd = load("seeded")
        self.chems = chemical_table()
        self.pool = pool
        self.ordinary = ordinary
        self.ordinary_cdf = (
            np.cumsum(ordinary_weight) / ordinary_weight.sum() if len(ordinary) else ordinary_weight
        )
        self.new_res = 0
        self.new_mx = 0
        shared = self.r.sample(self.sd["sellers"]["fake_addresses"], 3)
        self.sellers = [
            precursor_seller(shippers, self.r, shared) for _ in range(min(14, max(3, 2 + n_cases // 120)))
        ]
        self.presses = [press_seller(shippers, self.r) for _ in range(min(6, max(2, 1 + n_cases // 300)))]
        dec = self.sd["decoys"]
        self.flavour_sellers = [decoy_seller(shippers, self.r, dec["flavour"]["sellers"]) for _ in range(2)]
        self.pharma_sellers = [decoy_seller(shippers, self.r, dec["pharma"]["sellers"]) for _ in range(2)]
        self.buyer_frames: list[pl.DataFrame] = []
        self.flavour_buyers = self._buyers(dec["flavour"], 3)
        self.pharma_buyers = self._buyers(dec["pharma"], 3)

    # ------------------------------------------------------------------ parties
    def _buyers(self, spec: dict[str, Any], n: int) -> list[tuple[str, int]]:
        frame = cons.buyers(self.rng, n, list(spec["buyers"]), [tuple(p) for p in spec["buyer_places"]])
        start = sum(f.height for f in self.buyer_frames)
        self.buyer_frames.append(frame)
        return [("buyer", start + i) for i in range(n)]

    def _seller_row(self, seller: Seller) -> int:
        # the main name most often; the variants now and then
        return seller.rows[0] if self.r.random() < 0.45 else self.r.choice(seller.rows)

    def _zipf(self, items: list[Any]) -> Any:
        return self.r.choices(items, weights=[1.0 / (i + 1) for i in range(len(items))])[0]

    def consignee(self, kind: str) -> Any:
        if kind == "border":
            start, count = self.pool.border
            return start + self._zipf(list(range(count)))
        if kind == "mx" and self.r.random() < 0.3:
            start, count = self.pool.mexico
            return start + self.r.randrange(count)
        if kind == "mx":
            self.new_mx += 1
            return ("mx", self.new_mx - 1)
        self.new_res += 1
        return ("res", self.new_res - 1)

    def _to(self, shares: dict[str, float]) -> Any:
        return self.consignee(self.r.choices(list(shares), weights=list(shares.values()))[0])

    def _mode(self, shares: dict[int, float]) -> int:
        return int(self.r.choices(list(shares), weights=list(shares.values()))[0])

    # ------------------------------------------------------------------ lines
    def chemical(self) -> tuple[str, dict[str, Any]]:
        w = self.sd["chemical_weights"]
        key = self.r.choices(list(w), weights=[float(v) for v in w.values()])[0]
        return str(key), self.chems[str(key)]

    def chem_line(self, chem: dict[str, Any], style: str, kg: tuple[float, float] = (0.5, 25.0)) -> Line:
        r = self.r
        cas = (
            str(chem["cas"])
            if r.random() < 0.85 or not chem.get("alt_cas")
            else str(r.choice(chem["alt_cas"]))
        )
        if style == "named":
            u = r.random()
            base = (
                r.choice(chem["names"])
                if u < 0.65
                else r.choice(chem["misspellings"])
                if u < 0.9
                else f"CAS {cas}"
            )
            extras = ["", "", "", " 99%", " 98%", " 1kg/bag"] + (
                [f" (CAS {cas})", f" CAS:{cas}"] if u < 0.9 else []
            )
            if not chem.get("liquid"):
                extras += [" powder", " white powder", " crystal powder"]
            desc = base + r.choice(extras)
            hs = (
                str(chem["hs"])
                if r.random() < 0.5
                else "2933.39"
                if r.random() < 0.4
                else _weighted(r, self.sd["generic_hs"])
            )
            cas_col = cas if r.random() < 0.35 else None
        elif style == "generic":
            desc = r.choice(self.sd["generic_names"]).replace("{cas}", cas)
            hs = _weighted(r, self.sd["generic_hs"])
            cas_col = cas if r.random() < 0.15 else None
        else:
            desc, hs = r.choice(self.sd["covers"])
            cas_col = cas if r.random() < 0.03 else None
        weight = round(min(kg[1], max(kg[0], r.lognormvariate(math.log(3.0), 0.9))), 3)
        qty = 1 if r.random() < 0.5 else max(1, round(weight))
        value = round(min(180.0, max(3.0, r.lognormvariate(math.log(25.0), 0.8))), 2)
        return Line(desc, _hs(hs), qty, weight, value, cas_col)

    # ------------------------------------------------------------------ kinds
    def precursor(self, kind: str) -> Case:
        key, chem = self.chemical()
        style = "named" if kind == "precursor_named" else ("generic" if self.r.random() < 0.7 else "cover")
        lines = [self.chem_line(chem, style)]
        if self.r.random() < 0.15:  # a second bag of the same goods on its own line
            lines.append(self.chem_line(chem, style))
        return Case(
            kind,
            self._mode({EXPRESS: 0.6, POSTAL: 0.3, AIR: 0.1}),
            self._seller_row(self._zipf(self.sellers)),
            self._to({"res": 0.45, "border": 0.40, "mx": 0.15}),
            lines,
            chemical=key,
        )

    def bulk(self) -> Case:
        key, _ = self.chemical()
        desc, hs = self.r.choice(self.sd["bulk_covers"])
        weight = round(self.r.uniform(25, 90), 3)
        line = Line(desc, _hs(hs), self.r.randint(1, 4), weight, round(self.r.uniform(12, 80), 2), None)
        return Case(
            "mislabelled_bulk",
            self._mode({AIR: 0.6, EXPRESS: 0.4}),
            self._seller_row(self._zipf(self.sellers)),
            self._to({"border": 0.8, "mx": 0.2}),
            [line],
            pieces=self.r.randint(2, 5),
            chemical=key,
        )

    def presses_cluster(self, n: int, group: str) -> list[Case]:
        seller = self.r.choice(self.presses)
        out = []
        for _ in range(n):
            lines = []
            for _ in range(1 if self.r.random() < 0.7 else 2):
                desc, hs, lo, hi = self.r.choice(self.sd["equipment"])
                weight = round(self.r.uniform(float(lo), float(hi)), 3)
                value = round(
                    min(400.0, max(15.0, self.r.lognormvariate(math.log(60.0 + 4 * weight), 0.6))), 2
                )
                lines.append(
                    Line(
                        str(desc),
                        _hs(str(hs)),
                        self.r.randint(1, 4) if weight < 5 else 1,
                        weight,
                        value,
                        None,
                    )
                )
            heavy = sum(x.weight_kg for x in lines) > 20
            mode = self._mode({EXPRESS: 0.8, AIR: 0.2} if heavy else {EXPRESS: 0.7, POSTAL: 0.2, AIR: 0.1})
            out.append(
                Case(
                    "pill_press",
                    mode,
                    self._seller_row(seller),
                    self._to({"res": 0.85, "border": 0.15}),
                    lines,
                    group=group,
                    chemical="tableting equipment",
                )
            )
        return out

    def split(self, n: int, group: str) -> list[Case]:
        key, chem = self.chemical()
        rows = list(self.r.choice(self.sellers).rows)
        if self.r.random() < 0.4:  # a second company at the same desk
            rows += self.r.choice(self.sellers).rows
        to = self._to({"res": 0.5, "border": 0.35, "mx": 0.15})
        out = []
        for _ in range(n):
            style = self.r.choices(["named", "generic", "cover"], weights=[0.4, 0.45, 0.15])[0]
            out.append(
                Case(
                    "split_consignment",
                    self._mode({EXPRESS: 0.55, POSTAL: 0.45}),
                    self.r.choice(rows),
                    to,
                    [self.chem_line(chem, style, (0.5, 5.0))],
                    group=group,
                    chemical=key,
                )
            )
        return out

    def commingled(self) -> Case:
        key, chem = self.chemical()
        if len(self.ordinary) and self.r.random() < 0.5:
            shipper = int(
                self.ordinary[
                    min(len(self.ordinary) - 1, int(np.searchsorted(self.ordinary_cdf, self.r.random())))
                ]
            )
        else:
            shipper = self._seller_row(self._zipf(self.sellers))
        line = self.chem_line(chem, "named" if self.r.random() < 0.5 else "generic", (0.5, 10.0))
        return Case(
            "commingled",
            self._mode({EXPRESS: 0.6, POSTAL: 0.25, AIR: 0.15}),
            shipper,
            self._to({"border": 0.6, "mx": 0.25, "res": 0.15}),
            [line],
            ordinary=self.r.randint(2, 6),
            chemical=key,
        )

    def decoy_flavour(self) -> Case:
        spec = self.sd["decoys"]["flavour"]
        lines = []
        weight = round(self.r.uniform(*spec["kg"]), 3)
        name = self.r.choice(spec["names"])
        value = round(weight * self.r.uniform(*spec["usd_per_kg"]), 2)
        lines.append(
            Line(
                name,
                _hs(_weighted(self.r, spec["hs"])),
                max(1, round(weight)),
                weight,
                value,
                str(spec["cas"]) if self.r.random() < 0.5 else None,
            )
        )
        return Case(
            "decoy_flavour",
            self._mode({AIR: 0.5, EXPRESS: 0.5}),
            self.r.choice(self.flavour_sellers).rows[0],
            self.r.choice(self.flavour_buyers),
            lines,
            chemical="ethyl methylphenylglycidate",
        )

    def decoy_pharma(self) -> Case:
        spec = self.sd["decoys"]["pharma"]
        lines = []
        for name, cas in self.r.sample(spec["chemicals"], self.r.randint(1, 2)):
            weight = round(self.r.uniform(*spec["kg"]), 3)
            desc = self.r.choice(spec["templates"]).format(name=name, cas=cas)
            value = round(weight * self.r.uniform(*spec["usd_per_kg"]), 2)
            lines.append(
                Line(
                    desc,
                    _hs(str(spec["hs"])),
                    max(1, round(weight)),
                    weight,
                    value,
                    str(cas) if self.r.random() < 0.6 else None,
                )
            )
        return Case(
            "decoy_pharma",
            self._mode({AIR: 0.5, EXPRESS: 0.5}),
            self.r.choice(self.pharma_sellers).rows[0],
            self.r.choice(self.pharma_buyers),
            lines,
            chemical="piperidine building blocks",
        )
