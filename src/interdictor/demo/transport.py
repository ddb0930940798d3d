"""How a chunk of shipments travels: carrier and filer, gateway, routing,
consolidation under master air waybills, filing time and document numbers.

Everything is decided a column at a time: loops run over the few distinct
(carrier network, consignee region) or (origin group, gateway side) pairs,
never over shipments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import polars as pl

from interdictor.demo.identifiers import (
    TRACKING_START,
    SerialBook,
    awb_numbers,
    from_pattern,
    s10_ids,
    tracking_numbers,
)
from interdictor.demo.sources import load

MODE_NAMES: Final = ("express", "postal", "air")
EXPRESS, POSTAL, AIR = 0, 1, 2


def _cdf(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return cdf


def draw(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


@dataclass(frozen=True)
class Choice:
    values: np.ndarray
    cdf: np.ndarray

    @classmethod
    def of(cls, weights: dict[str, Any]) -> Choice:
        return cls(np.array([str(k) for k in weights]), _cdf([float(v) for v in weights.values()]))

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        out: np.ndarray = self.values[draw(rng, self.cdf, n)]
        return out


@dataclass(frozen=True)
class Network:
    """Transport data, loaded once, coded as integer tables so a chunk is planned with numpy."""

    countries: list[str]  # country codes (shippers' countries)
    points: list[str]  # every IATA point: origin airports, transit points, gateways
    regions: list[str]
    mode_cdf: np.ndarray
    express: list[dict[str, Any]]
    express_cdf: dict[bool, np.ndarray]  # by "origin in CN/HK"
    forwarders: list[dict[str, Any]]
    forwarder_cdf: np.ndarray
    post_of: np.ndarray  # country -> index into post_names
    post_names: list[str]
    services: Choice
    prefixes: list[str]  # airline AWB prefixes
    airline_names: list[str]
    airlines_at: dict[int, np.ndarray]  # point -> airline indexes lifting from it
    networks: list[str]
    destinations: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (network, region) -> (points, cdf)
    transit_keys: list[str]
    transit: dict[int, tuple[np.ndarray, np.ndarray]]  # transit key -> (points or -1, cdf)
    group_of: np.ndarray  # country -> transit key index (east Asian origins: their west-coast key)
    east_asia: np.ndarray  # country -> bool
    east: np.ndarray  # point -> bool
    port_labels: list[str]  # points, then their CBP port code (or the IATA code again)
    cnhk: np.ndarray  # country -> bool
    currency_codes: list[str]
    currencies: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]  # country -> (codes, cdf, units per USD)
    postal_filer: dict[str, Any]


@cache
def network() -> Network:
    t, o = load("transport"), load("origins")
    countries = list(o["countries"])
    express = list(t["express"])
    prefixes = [str(p) for p in t["airlines"]]
    points_set = {str(a) for c in o["countries"].values() for city in c["cities"] for a in city[6]}
    points_set |= {str(g) for g in t["gateways"]} | {str(p) for w in t["transit"].values() for p in w if p}
    points = sorted(points_set)
    pidx = {p: i for i, p in enumerate(points)}
    regions = ["sd", "la", "sf", "pdx", "west", "national"]
    networks = sorted(t["destinations"])
    transit_keys = sorted(t["transit"])
    group_name = {str(c): g for g, cs in t["origin_groups"].items() for c in cs}
    post_names = [str(v) for v in t["postal"]["posts"].values()] + ["Postal administration"]
    posts = [str(k) for k in t["postal"]["posts"]]
    airlines_at: dict[int, list[int]] = {}
    for k, a in enumerate(t["airlines"].values()):
        for ap in a["from"]:
            airlines_at.setdefault(pidx[str(ap)], []).append(k)
    cbp = {str(k): str(v["cbp"]) for k, v in t["gateways"].items() if v and v.get("cbp")}
    currency_codes = sorted({"USD"} | {str(k) for cur in t["currencies"].values() for k in cur})
    currencies = {}
    for c, cur in t["currencies"].items():
        currencies[countries.index(str(c))] = (
            np.array([currency_codes.index(str(k)) for k in cur]),
            _cdf([float(v[0]) for v in cur.values()]),
            np.array([float(v[1]) for v in cur.values()]),
        )
    return Network(
        countries=countries,
        points=points,
        regions=regions,
        mode_cdf=_cdf([float(t["modes"][m]) for m in MODE_NAMES]),
        express=express,
        express_cdf={
            True: _cdf([float(c["weight"]) for c in express]),
            False: _cdf([float(c["weight"]) if not c.get("origins") else 0.0 for c in express]),
        },
        forwarders=list(t["forwarders"]),
        forwarder_cdf=_cdf([float(f["weight"]) for f in t["forwarders"]]),
        post_of=np.array([posts.index(c) if c in posts else len(posts) for c in countries]),
        post_names=post_names,
        services=Choice.of(t["postal"]["services"]),
        prefixes=prefixes,
        airline_names=[str(a["name"]) for a in t["airlines"].values()],
        airlines_at={k: np.array(v) for k, v in airlines_at.items()},
        networks=networks,
        destinations={
            (networks.index(net), regions.index(reg)): (
                np.array([pidx[str(g)] for g in w]),
                _cdf([float(x) for x in w.values()]),
            )
            for net, regs in t["destinations"].items()
            for reg, w in regs.items()
        },
        transit_keys=transit_keys,
        transit={
            transit_keys.index(k): (
                np.array([pidx[str(p)] if p else -1 for p in w]),
                _cdf([float(x) for x in w.values()]),
            )
            for k, w in t["transit"].items()
        },
        group_of=np.array(
            [
                transit_keys.index(
                    "east_asia_west" if group_name.get(c, "east_asia") == "east_asia" else group_name[c]
                )
                for c in countries
            ]
        ),
        east_asia=np.array([group_name.get(c, "east_asia") == "east_asia" for c in countries]),
        east=np.array([p in {str(e) for e in t["east"]} for p in points]),
        port_labels=points + [cbp.get(p, p) for p in points],
        cnhk=np.array([c in ("CN", "HK") for c in countries]),
        currency_codes=currency_codes,
        currencies=currencies,
        postal_filer=dict(t["postal"]["filer"]),
    )


def _split(codes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Positions of each distinct integer code, codes ascending (deterministic)."""
    if not len(codes):
        return []
    order = np.argsort(codes, kind="stable")
    sc = codes[order]
    starts = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]])
    bounds = np.r_[starts, len(codes)]
    return [(int(sc[starts[i]]), order[bounds[i] : bounds[i + 1]]) for i in range(len(starts))]


def _names(values: list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(idx)


def plan(
    rng: np.random.Generator,
    book: SerialBook,
    mode: np.ndarray,
    country: np.ndarray,
    airport: np.ndarray,
    region: np.ndarray,
    window: tuple[int, int],
) -> pl.DataFrame:
    """Shipment-level transport columns for one chunk; inputs are integer codes of ``network()``
    tables (country, departure point, consignee region); ``filed_at`` is in seconds of the day."""
    net = network()
    n = len(mode)
    ne, npost = len(net.express), len(net.post_names)
    # carrier and filer
    exp = np.where(
        net.cnhk[country], draw(rng, net.express_cdf[True], n), draw(rng, net.express_cdf[False], n)
    )
    fwd = draw(rng, net.forwarder_cdf, n)
    filer = np.where(mode == EXPRESS, exp, np.where(mode == POSTAL, ne, ne + 1 + fwd))
    filer_names = (
        [c["name"] for c in net.express]
        + [str(net.postal_filer["name"])]
        + [f["name"] for f in net.forwarders]
    )
    styles = [(c["hs"], c["port"], c["case"]) for c in net.express]
    styles += [(net.postal_filer["hs"], net.postal_filer["port"], net.postal_filer["case"])]
    styles += [(f["hs"], f["port"], f["case"]) for f in net.forwarders]
    # gateway: by the carrier's network and the consignee's region
    exp_net = np.array([net.networks.index(str(c["network"])) for c in net.express])
    netkey = np.where(
        mode == EXPRESS,
        exp_net[exp],
        np.where(mode == POSTAL, net.networks.index("post"), net.networks.index("air")),
    )
    dest = np.zeros(n, dtype=np.int64)
    for key, at in _split(netkey * len(net.regions) + region):
        points, cdf = net.destinations[divmod(key, len(net.regions))]
        dest[at] = points[draw(rng, cdf, len(at))]
    # consolidations: a carrier's or forwarder's parcels from one airport to one gateway
    # fly together under master AWBs of a handful to a few hundred house bills
    cons = np.flatnonzero(mode != POSTAL)
    owner = np.where(mode == EXPRESS, exp, ne + fwd)[cons]
    g = np.unique(
        (owner * len(net.points) + airport[cons]) * len(net.points) + dest[cons], return_inverse=True
    )[1]
    order = np.lexsort((rng.random(len(cons)), g))
    n_groups = int(g.max()) + 1 if len(g) else 0
    first_in_group = np.zeros(n_groups, dtype=np.int64)
    first_in_group[g[order][::-1]] = np.arange(len(order))[::-1]
    ordinal = np.empty(len(cons), dtype=np.int64)
    ordinal[order] = np.arange(len(order)) - first_in_group[g[order]]
    size = np.where(
        rng.random(n_groups) < 0.5, rng.integers(3, 25, n_groups), rng.integers(25, 250, n_groups)
    )
    blk = np.unique(g * 1_000_000 + ordinal // np.maximum(size[g], 1), return_inverse=True)[1]
    n_blocks = int(blk.max()) + 1 if len(blk) else 0
    first_of_block = np.zeros(n_blocks, dtype=np.int64)
    first_of_block[blk[::-1]] = np.arange(len(blk))[::-1]
    # each master flies one airline (DHL, FedEx and UPS on their own AWB stock)
    block_airline = np.zeros(n_blocks, dtype=np.int64)
    for ap, at in _split(airport[cons][first_of_block]):
        options = net.airlines_at.get(ap, np.array([net.prefixes.index("369")]))
        block_airline[at] = options[rng.integers(0, len(options), size=len(at))]
    airline = np.zeros(n, dtype=np.int64)
    airline[cons] = block_airline[blk]
    own = np.array([-1 - i if c.get("mawb") else 0 for i, c in enumerate(net.express)])
    code = np.where((mode == EXPRESS) & (own[exp] < 0), own[exp], airline)
    code_of_block = code[cons][first_of_block]
    carrier = np.where(
        mode == EXPRESS, exp, np.where(mode == POSTAL, ne + net.post_of[country], ne + npost + airline)
    )
    carrier_names = [c["name"] for c in net.express] + net.post_names + net.airline_names
    # transit point (Asian flights to the east often stop at ANC): one per master, one per mail item
    tkey = np.where(
        net.east_asia[country] & net.east[dest],
        net.transit_keys.index("east_asia_east"),
        net.group_of[country],
    )
    transit = np.full(n, -1, dtype=np.int64)
    for key, at in _split(tkey):
        points, cdf = net.transit[key]
        transit[at] = points[draw(rng, cdf, len(at))]
    transit[cons] = transit[cons][first_of_block][blk]
    transit = np.where((transit == airport) | (transit == dest), -1, transit)
    pts = pl.Series(net.points, dtype=pl.String)
    routing = (
        pl.DataFrame(
            {
                "a": pts.gather(airport),
                "t": pts.gather(np.maximum(transit, 0)),
                "d": pts.gather(dest),
                "has": transit >= 0,
            }
        )
        .select(pl.concat_str("a", pl.when("has").then("t"), "d", separator="-", ignore_nulls=True))
        .to_series()
    )
    own_prefix = {-1 - i: str(c["mawb"]) for i, c in enumerate(net.express) if c.get("mawb")}
    block_prefix = [own_prefix[int(c)] if c < 0 else net.prefixes[int(c)] for c in code_of_block]
    block_serial = np.zeros(n_blocks, dtype=np.int64)
    for c, at in _split(code_of_block):
        label = own_prefix[c] if c < 0 else net.prefixes[c]
        block_serial[at] = book.take(f"awb:{label}", len(at), rng, (1_000_000, 8_000_000), gap=40)
    t0, t1 = window
    filed = rng.integers(t0, t1, size=n)
    if n_blocks:
        block_mawb = awb_numbers(pl.Series(block_prefix, dtype=pl.String), block_serial)
        # houses are filed up to 90 minutes before their master (never before the window opens)
        base = rng.integers(t0, t1, size=n_blocks)[blk]
        filed[cons] = base - (rng.random(len(cons)) * np.minimum(5400, base - t0)).astype(np.int64)
        mawb_idx = np.full(n, -1, dtype=np.int64)
        mawb_idx[cons] = blk
        mawb = pl.select(
            pl.when(pl.lit(pl.Series(mawb_idx >= 0)))
            .then(pl.lit(block_mawb.gather(np.maximum(mawb_idx, 0))))
            .otherwise(None)
        ).to_series()
    else:
        mawb = pl.Series([None] * n, dtype=pl.String)
    sid = _document_numbers(rng, book, mode, exp, fwd, country, pts.gather(airport))
    style_idx = np.where(mode == EXPRESS, exp, np.where(mode == POSTAL, ne, ne + 1 + fwd))
    cbp_style = np.array([st[1] == "cbp" for st in styles])[style_idx]
    currency = np.full(n, net.currency_codes.index("USD"), dtype=np.int64)
    rate = np.ones(n)
    for c, at in _split(country):
        if c in net.currencies:
            codes, cdf, rates = net.currencies[c]
            k = draw(rng, cdf, len(at))
            currency[at], rate[at] = codes[k], rates[k]
    is_postal = pl.Series(mode == POSTAL)
    return pl.DataFrame(
        {
            "shipment_id": sid,
            "mode": _names(list(MODE_NAMES), mode),
            "filer": _names(filer_names, filer),
            "mawb": mawb,
            "hawb": pl.select(pl.when(pl.lit(is_postal)).then(None).otherwise(pl.lit(sid))).to_series(),
            "postal_item_id": pl.select(
                pl.when(pl.lit(is_postal)).then(pl.lit(sid)).otherwise(None)
            ).to_series(),
            "filed_at": filed,
            "carrier": _names(carrier_names, carrier),
            "origin_port": pts.gather(airport),
            "destination_port": _names(net.port_labels, dest + len(net.points) * cbp_style),
            "routing": routing,
            "currency": _names(net.currency_codes, currency),
            "rate": rate,
            "hs_style": _names([st[0] for st in styles], style_idx),
            "upper": pl.Series([st[2] == "upper" for st in styles]).gather(style_idx),
        }
    )


def _document_numbers(
    rng: np.random.Generator,
    book: SerialBook,
    mode: np.ndarray,
    exp: np.ndarray,
    fwd: np.ndarray,
    country: np.ndarray,
    origin: pl.Series,
) -> pl.Series:
    """Tracking numbers, S10 item ids and house bill numbers, in shipment order."""
    net = network()
    parts: list[tuple[np.ndarray, pl.Series]] = []
    for i, c in enumerate(net.express):
        at = np.flatnonzero((mode == EXPRESS) & (exp == i))
        if len(at):
            serial = book.take(f"exp:{c['id']}", len(at), rng, TRACKING_START[str(c["id"])], gap=30)
            parts.append((at, tracking_numbers(str(c["id"]), serial, rng)))
    at = np.flatnonzero(mode == POSTAL)
    if len(at):
        serial = book.take("s10", len(at), rng, (10**6, 5 * 10**7), gap=20)
        cc = _names(net.countries, country[at])
        parts.append((at, s10_ids(pl.Series(net.services.pick(rng, len(at))), serial, cc)))
    for j, f in enumerate(net.forwarders):
        at = np.flatnonzero((mode == AIR) & (fwd == j))
        if len(at):
            serial = book.take(f"hawb:{f['code']}", len(at), rng, (10**5, 10**6), gap=7)
            parts.append(
                (
                    at,
                    from_pattern(str(f["hawb"]), {"code": str(f["code"]), "orig": origin.gather(at)}, serial),
                )
            )
    if not parts:
        return pl.Series([], dtype=pl.String)
    order = np.concatenate([a for a, _ in parts])
    return pl.concat([s.rename("id") for _, s in parts]).gather(np.argsort(order, kind="stable"))
