"""Everything a generation run draws from, built once: the commodity pool, the
shipper population, the consignee pools and the planted cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from interdictor.demo import consignees as cons
from interdictor.demo.commodities import Commodities, build_commodities
from interdictor.demo.seeded import Plan, PoolIndex, plan_cases
from interdictor.demo.shippers import ShipperTable, build_population
from interdictor.demo.transport import AIR, EXPRESS, POSTAL, network

# consignee categories: a new residence, a repeat buyer, a business, a border-area
# warehouse or forwarder, a consignee in Mexico — shares by transport mode
FRESH, REPEAT, BUSINESS, BORDER, MEXICO = range(5)
CATEGORY_SHARES: Final = {
    EXPRESS: (0.80, 0.09, 0.07, 0.035, 0.005),
    POSTAL: (0.88, 0.08, 0.01, 0.025, 0.005),
    AIR: (0.35, 0.05, 0.40, 0.18, 0.02),
}


def region_codes(regions: pl.Series) -> np.ndarray:
    return regions.replace_strict(
        {r: i for i, r in enumerate(network().regions)}, return_dtype=pl.Int64
    ).to_numpy()


def _cdf(w: np.ndarray) -> np.ndarray:
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


@dataclass(frozen=True)
class Block:
    start: int
    cdf: np.ndarray  # Zipf-like: a few members receive most of the block's parcels

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.start + np.minimum(
            np.searchsorted(self.cdf, rng.random(n), side="right"), len(self.cdf) - 1
        )


@dataclass(frozen=True)
class World:
    com: Commodities
    shippers: (
        pl.DataFrame
    )  # party columns (name, name_alt, address, city, postal_code, country, phone, email)
    industry: np.ndarray  # shipper -> commodity industry index
    country: np.ndarray  # shipper -> country code index (network().countries)
    airports: np.ndarray  # shipper x 2 -> departure point index (network().points)
    mode_cdf: dict[int, np.ndarray]  # mode -> cdf over shippers
    pool: pl.DataFrame  # consignee pool (party columns + region)
    pool_region: np.ndarray  # pool member -> region index (network().regions)
    blocks: dict[int, Block]  # category -> block of the pool
    plan: Plan


def build_world(seed: int, size: int, seeded_share: float) -> World:
    rng = np.random.default_rng([seed, 1])
    com = build_commodities(rng)
    table: ShipperTable = build_population(rng, int(np.clip(size // 20, 300, 30_000)), com.industries)
    n_ordinary = len(table)
    sizes = {
        REPEAT: max(200, size // 150),
        BUSINESS: max(100, size // 400),
        BORDER: max(30, min(400, size // 2500)),
        MEXICO: max(20, size // 1500),
    }
    frames = {
        REPEAT: cons.residences(rng, sizes[REPEAT]),
        BUSINESS: cons.businesses(rng, sizes[BUSINESS]),
        BORDER: cons.border_businesses(rng, sizes[BORDER]),
        MEXICO: cons.mexico(rng, sizes[MEXICO]),
    }
    shape = {REPEAT: (2.0, 0.8), BUSINESS: (3.0, 1.0), BORDER: (1.0, 1.1), MEXICO: (5.0, 0.5)}
    blocks, start = {}, 0
    for cat in (REPEAT, BUSINESS, BORDER, MEXICO):
        offset, power = shape[cat]
        blocks[cat] = Block(start, _cdf(1.0 / (np.arange(sizes[cat]) + offset) ** power))
        start += sizes[cat]
    pool = pl.concat([frames[c] for c in (REPEAT, BUSINESS, BORDER, MEXICO)], how="vertical")
    # commingling uses ordinary Chinese and Hong Kong sellers and forwarders too
    weights = np.array(table.weights).sum(axis=1)
    ordinary = np.array(
        [
            i
            for i in range(n_ordinary)
            if table.kind[i] in ("marketplace", "forwarder") and table.cols["country"][i] in ("CN", "HK")
        ],
        dtype=np.int64,
    )
    plan = plan_cases(
        np.random.default_rng([seed, 2]),
        round(size * seeded_share),
        table,
        PoolIndex(
            size=pool.height,
            border=(blocks[BORDER].start, sizes[BORDER]),
            mexico=(blocks[MEXICO].start, sizes[MEXICO]),
        ),
        ordinary,
        weights[ordinary] if len(ordinary) else np.zeros(0),
    )
    if plan.consignees is not None:
        pool = pl.concat([pool, plan.consignees], how="vertical")
    # over the ordinary population only: planted sellers (appended after it) have no volume of their own
    w = np.array(table.weights[:n_ordinary])
    mode_cdf = {m: _cdf(w[:, m]) for m in (EXPRESS, POSTAL, AIR)}
    frame = table.frame()
    net = network()
    return World(
        com=com,
        shippers=frame,
        industry=np.array([com.industries.index(i) for i in table.industry]),
        country=np.array([net.countries.index(str(c)) for c in table.cols["country"]]),
        airports=np.array([[net.points.index(a), net.points.index(b)] for a, b in table.airports]),
        mode_cdf=mode_cdf,
        pool=pool,
        pool_region=region_codes(pool["region"]),
        blocks=blocks,
        plan=plan,
    )
