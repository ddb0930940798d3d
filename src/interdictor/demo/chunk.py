"""One chunk of the day's traffic, built column-wise: shipments, then their item
rows, joined into manifest rows in the contract's column order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from interdictor.demo import consignees as cons
from interdictor.demo.cases import Case
from interdictor.demo.commodities import draw_items, format_hs
from interdictor.demo.identifiers import SerialBook
from interdictor.demo.transport import AIR, EXPRESS, POSTAL, draw, network, plan
from interdictor.demo.world import CATEGORY_SHARES, World, region_codes

MANIFEST_COLUMNS: Final = (
    "shipment_id", "mode", "filer", "mawb", "hawb", "postal_item_id", "filed_at", "carrier",
    "origin_country", "origin_port", "destination_port", "routing",
    "shipper_name", "shipper_address", "shipper_city", "shipper_postal_code", "shipper_country", "shipper_phone",
    "shipper_email",
    "consignee_name", "consignee_address", "consignee_city", "consignee_state", "consignee_postal_code",
    "consignee_country", "consignee_phone", "consignee_email",
    "pieces", "gross_weight_kg", "declared_value", "currency",
    "item_description", "hs_code", "item_quantity", "item_weight_kg", "item_value", "cas_number",
)  # fmt: skip
# mean item lines per shipment and the cap, by mode (many single-item parcels)
ITEMS: Final = {EXPRESS: (3.0, 12), POSTAL: (2.4, 10), AIR: (4.0, 25)}
MISSING_HS: Final = {EXPRESS: 0.05, POSTAL: 0.12, AIR: 0.04}


@dataclass(frozen=True)
class Chunk:
    rows: pl.DataFrame  # manifest rows, contract columns
    row_start: np.ndarray  # shipment i's rows are row_start[i]:row_start[i+1]
    shipper: np.ndarray  # shipper index per shipment (file order)
    consignee_pool: np.ndarray  # consignee pool index per shipment, -1 for a new residence
    planted: list[tuple[str, Case, tuple[int, ...]]]  # shipment id, case, planted item indexes
    modes: np.ndarray


def build_chunk(
    world: World,
    rng: np.random.Generator,
    book: SerialBook,
    n: int,
    cases: list[Case],
    window: tuple[int, int],
    day_epoch: int,
) -> Chunk:
    mode = draw(rng, network().mode_cdf, n)
    shipper = np.zeros(n, dtype=np.int64)
    for m, cdf in world.mode_cdf.items():
        at = np.flatnonzero(mode == m)
        shipper[at] = draw(rng, cdf, len(at))
    # consignees: new residences, or members of the pools
    category = np.zeros(n, dtype=np.int64)
    for m, shares in CATEGORY_SHARES.items():
        at = np.flatnonzero(mode == m)
        category[at] = draw(rng, np.cumsum(shares) / sum(shares), len(at))
    pool_idx = np.full(n, -1, dtype=np.int64)
    for cat, block in world.blocks.items():
        at = np.flatnonzero(category == cat)
        pool_idx[at] = block.pick(rng, len(at))
    # planted cases take random slots, with their own mode, shipper and consignee
    case_of = np.full(n, -1, dtype=np.int64)
    slots = rng.permutation(n)[: len(cases)]
    for k, (slot, case) in enumerate(zip(slots, cases, strict=False)):
        mode[slot], shipper[slot], pool_idx[slot], case_of[slot] = case.mode, case.shipper, case.consignee, k
    fresh = np.flatnonzero(pool_idx < 0)
    new = cons.residences(rng, len(fresh))
    table = pl.concat([new, world.pool], how="vertical")
    cidx = np.where(pool_idx < 0, 0, pool_idx + len(fresh))
    cidx[fresh] = np.arange(len(fresh))
    airport = world.airports[shipper, (rng.random(n) < 0.3).astype(np.int64)]
    region = np.concatenate([region_codes(new["region"]), world.pool_region])[cidx]
    ship = plan(rng, book, mode, world.country[shipper], airport, region, window)
    # item lines per shipment
    n_items = np.zeros(n, dtype=np.int64)
    for m, (mean, cap) in ITEMS.items():
        at = np.flatnonzero(mode == m)
        n_items[at] = np.minimum(rng.geometric(1.0 / mean, size=len(at)), cap)
    pieces = np.where(
        mode == AIR,
        np.minimum(rng.geometric(1 / 3.0, size=n), 60),
        np.where((mode == EXPRESS) & (rng.random(n) < 0.12), rng.integers(2, 4, size=n), 1),
    )
    for k, case in enumerate(cases[: len(slots)]):
        n_items[slots[k]] = len(case.lines) + case.ordinary
        if case.pieces:
            pieces[slots[k]] = case.pieces
    ship = ship.with_columns(
        shipper=pl.Series(shipper),
        cidx=pl.Series(cidx),
        case=pl.Series(case_of),
        n_items=pl.Series(n_items),
        pieces=pl.Series(pieces),
        pool=pl.Series(pool_idx),
        alt=pl.Series(rng.random(n) < 0.05),
        m=pl.Series(mode),
    ).sort("filed_at", "shipment_id", maintain_order=True)
    # rows
    n_items = ship["n_items"].to_numpy()
    row_start = np.concatenate([[0], np.cumsum(n_items)])
    total = int(row_start[-1])
    row_ship = np.repeat(np.arange(n), n_items)
    first = row_start[:-1][row_ship]
    items = draw_items(rng, world.com, world.industry[ship["shipper"].to_numpy()][row_ship], first)
    pool = world.com.pool[items.pool_row]
    ship_mode = ship["m"].to_numpy()
    missing = (
        rng.random(total) < np.array([MISSING_HS[m] for m in (EXPRESS, POSTAL, AIR)])[ship_mode][row_ship]
    )
    hs = pool["hs"].scatter(np.flatnonzero(missing), None) if missing.any() else pool["hs"]
    cas = pool["cas"].scatter(np.flatnonzero(rng.random(total) < 0.7), None)
    desc = pool["description"]
    qty, weight, value = items.quantity.astype(np.float64), items.weight_kg.copy(), items.value_usd.copy()
    planted: list[tuple[str, Case, tuple[int, ...]]] = []
    ids = ship["shipment_id"].to_list()
    p_rows, p_lines = [], []
    for i in np.flatnonzero(ship["case"].to_numpy() >= 0):
        case = cases[int(ship["case"][int(i)])]
        k = int(n_items[i])
        lines_at = (int(rng.integers(k)),) if case.ordinary else tuple(range(len(case.lines)))
        for j, line in zip(lines_at, case.lines, strict=True):
            p_rows.append(int(row_start[i]) + j)
            p_lines.append(line)
        planted.append((ids[int(i)], case, lines_at))
    if p_rows:
        idx = np.array(p_rows)
        desc = desc.scatter(idx, [x.description for x in p_lines])
        hs = hs.scatter(idx, [x.hs for x in p_lines])
        cas = cas.scatter(idx, [x.cas for x in p_lines])
        qty[idx] = [x.quantity for x in p_lines]
        weight[idx] = [x.weight_kg for x in p_lines]
        value[idx] = [x.value_usd for x in p_lines]
    rate = ship["rate"].to_numpy()
    value = np.round(value * rate[row_ship], 2)
    w_sum = np.bincount(row_ship, weights=weight, minlength=n)
    v_sum = np.bincount(row_ship, weights=value, minlength=n)
    gross = w_sum * rng.uniform(1.03, 1.2, size=n) + ship["pieces"].to_numpy() * rng.uniform(
        0.05, 0.4, size=n
    )
    gross = np.where(ship_mode == EXPRESS, np.ceil(gross * 10) / 10, np.round(gross, 2))
    s = world.shippers.gather(ship["shipper"].to_numpy())
    c = table.gather(ship["cidx"].to_numpy())
    shipments = ship.select(
        "shipment_id", "mode", "filer", "mawb", "hawb", "postal_item_id",
        filed_at=pl.from_epoch(pl.col("filed_at") + day_epoch, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        carrier="carrier",
        origin_country=pl.lit(s["country"]),
        origin_port="origin_port", destination_port="destination_port", routing="routing",
        shipper_name=pl.when("alt").then(pl.lit(s["name_alt"])).otherwise(pl.lit(s["name"])),
        shipper_address=pl.lit(s["address"]), shipper_city=pl.lit(s["city"]),
        shipper_postal_code=pl.lit(s["postal_code"]), shipper_country=pl.lit(s["country"]),
        shipper_phone=pl.lit(s["phone"]), shipper_email=pl.lit(s["email"]),
        consignee_name=pl.lit(c["name"]), consignee_address=pl.lit(c["address"]), consignee_city=pl.lit(c["city"]),
        consignee_state=pl.lit(c["state"]), consignee_postal_code=pl.lit(c["postal_code"]),
        consignee_country=pl.lit(c["country"]), consignee_phone=pl.lit(c["phone"]), consignee_email=pl.lit(c["email"]),
        pieces="pieces",
        gross_weight_kg=pl.lit(pl.Series(np.maximum(gross, 0.05))),
        declared_value=pl.lit(pl.Series(np.round(v_sum, 2))),
        currency="currency", hs_style="hs_style", upper="upper",
    )  # fmt: skip
    rows = (
        shipments.gather(row_ship)
        .with_columns(
            item_description=pl.lit(desc),
            hs_code=pl.lit(hs),
            item_quantity=pl.lit(pl.Series(qty.astype(np.int64))),
            item_weight_kg=pl.lit(pl.Series(np.round(weight, 3))),
            item_value=pl.lit(pl.Series(value)),
            cas_number=pl.lit(cas),
        )
        .with_columns(
            item_description=pl.when("upper")
            .then(pl.col("item_description").str.to_uppercase())
            .otherwise("item_description"),
            hs_code=format_hs(pl.col("hs_code"), pl.col("hs_style")),
        )
        .select(MANIFEST_COLUMNS)
    )
    return Chunk(
        rows=rows,
        row_start=row_start,
        shipper=ship["shipper"].to_numpy(),
        consignee_pool=ship["pool"].to_numpy(),
        planted=planted,
        modes=ship_mode,
    )
