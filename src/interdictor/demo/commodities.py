"""Ordinary goods: a pool of worded descriptions per commodity family, and the
vectorised draw of item lines (family, description, HS code, quantity, weight, value).

The pool is built once per run from the templates in ``data/commodities.yaml``;
item lines then only gather from it, so a million shipments cost a few numpy
draws and one gather per column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl

from interdictor.demo.sources import load

VARIANTS_PER_FAMILY: Final = 240
_SLOT = re.compile(r"\{(\w+)\}")
# marketplace listing dressing, as sellers title their goods
_PREFIXES: Final = (
    "New ",
    "Hot Sale ",
    "2024 New ",
    "Wholesale ",
    "Factory Price ",
    "Fashion ",
    "High Quality ",
    "Free Shipping ",
)
_SUFFIXES: Final = (
    " for Women",
    " for Men",
    " Gift",
    " Wholesale",
    " Hot Sale",
    " Dropshipping",
    " 2024",
    " New Arrival",
)
# industries whose goods a general marketplace seller does not carry
_NOT_RETAIL: Final = frozenset({"chemicals", "machinery"})
# shipping shapes of the HS code (per filer)
HS_STYLES: Final = ("dotted6", "digits6", "dotted10", "digits10", "four")


def hs_digits(code: str) -> str:
    """``6109.10.0012`` -> ``6109100012``; 6-digit codes padded to 10 with zeros."""
    d = re.sub(r"\D", "", code)
    return (d + "0000")[:10] if len(d) == 6 else d


@dataclass(frozen=True)
class Commodities:
    families: list[str]
    industries: list[str]
    pool: pl.DataFrame  # description, hs (10 digits or null), cas (or null)
    family: np.ndarray  # pool row -> family index
    unit_kg: np.ndarray  # pool row -> median unit weight
    unit_usd: np.ndarray  # pool row -> median unit value
    qty_mean: np.ndarray  # pool row -> mean quantity
    offsets: np.ndarray  # family -> first pool row
    counts: np.ndarray  # family -> number of pool rows
    cdf: np.ndarray  # industry x family cumulative weights, each row offset by its industry index

    def industry(self, name: str) -> int:
        return self.industries.index(name)


def _fill(template: str, slots: dict[str, list[str]], rng: np.random.Generator) -> str:
    def pick(m: re.Match[str]) -> str:
        words = slots[m.group(1)]
        return words[int(rng.integers(len(words)))]

    return re.sub(r"\s+", " ", _SLOT.sub(pick, template)).strip()


def _dress(text: str, rng: np.random.Generator) -> str:
    """Marketplace listing style for some descriptions."""
    u = rng.random()
    if u < 0.12:
        return _PREFIXES[int(rng.integers(len(_PREFIXES)))] + text[:1].upper() + text[1:]
    if u < 0.20:
        return text + _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
    if u < 0.30:
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text


def build_commodities(rng: np.random.Generator) -> Commodities:
    data = load("commodities")
    vocab: dict[str, list[str]] = {k: [str(w) for w in v] for k, v in data["vocab"].items()}
    fams: list[dict[str, Any]] = data["families"]
    industries = sorted({i for f in fams for i in f["industries"]} | {"marketplace", "forwarder"})
    rows: dict[str, list[Any]] = {k: [] for k in ("description", "hs", "cas", "family", "kg", "usd", "qty")}
    offsets, counts = [], []
    for fi, fam in enumerate(fams):
        slots = {**vocab, **{k: [str(w) for w in v] for k, v in fam.get("slots", {}).items()}}
        hs_default = [str(h) for h in fam["hs"]]
        seen: dict[str, int] = {}
        start = len(rows["description"])
        for _ in range(VARIANTS_PER_FAMILY * 2):
            if len(seen) >= VARIANTS_PER_FAMILY:
                break
            t = fam["templates"][int(rng.integers(len(fam["templates"])))]
            text, hs, cas, kg = (t, None, None, None) if isinstance(t, str) else (list(t) + [None] * 3)[:4]
            desc = _fill(str(text), slots, rng)
            if fam.get("marketplace"):
                desc = _dress(desc, rng)
            if desc in seen:
                continue
            seen[desc] = 1
            unit_kg = float(kg) if kg is not None else float(fam["unit_kg"])
            # bulk packs (a 25 kg bag) cost less per kg than the retail unit
            usd = float(fam["unit_usd"]) * (unit_kg / float(fam["unit_kg"])) ** 0.8
            rows["description"].append(desc)
            # the family's first code is its default; a few lines carry a sibling code,
            # as real filers misclassify within a chapter
            if not hs:
                hs = hs_default[int(rng.integers(len(hs_default)))] if rng.random() < 0.04 else hs_default[0]
            rows["hs"].append(hs_digits(str(hs)))
            rows["cas"].append(str(cas) if cas else None)
            rows["family"].append(fi)
            rows["kg"].append(unit_kg)
            rows["usd"].append(usd)
            rows["qty"].append(1.5 if kg is not None else float(fam["qty"]))
        offsets.append(start)
        counts.append(len(rows["description"]) - start)
    weights = np.zeros((len(industries), len(fams)))
    for fi, fam in enumerate(fams):
        w = float(fam["weight"])
        for ind in fam["industries"]:
            weights[industries.index(ind), fi] = w
        if not set(fam["industries"]) <= _NOT_RETAIL:
            weights[industries.index("marketplace"), fi] = w
        weights[industries.index("forwarder"), fi] = w * (
            0.2 if set(fam["industries"]) <= _NOT_RETAIL else 1.0
        )
    cdf = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    cdf += np.arange(len(industries))[:, None]
    pool = pl.DataFrame(
        {"description": rows["description"], "hs": rows["hs"], "cas": rows["cas"]},
        schema={"description": pl.String, "hs": pl.String, "cas": pl.String},
    )
    return Commodities(
        families=[str(f["id"]) for f in fams],
        industries=industries,
        pool=pool,
        family=np.array(rows["family"]),
        unit_kg=np.array(rows["kg"]),
        unit_usd=np.array(rows["usd"]),
        qty_mean=np.array(rows["qty"]),
        offsets=np.array(offsets),
        counts=np.array(counts),
        cdf=cdf.ravel(),
    )


@dataclass(frozen=True)
class ItemDraw:
    pool_row: np.ndarray
    quantity: np.ndarray
    weight_kg: np.ndarray
    value_usd: np.ndarray


def draw_items(
    rng: np.random.Generator, com: Commodities, industry: np.ndarray, first_row: np.ndarray
) -> ItemDraw:
    """Item lines for rows whose shipper sells ``industry`` (one entry per row).

    ``first_row`` maps each row to the first row of its shipment: later lines
    often repeat the first line's family (three T-shirts in three colours).
    """
    n = len(industry)
    nf = len(com.families)
    # 15% of lines come from the general catalogue: sellers carry a bit of everything
    ind = np.where(rng.random(n) < 0.15, com.industry("marketplace"), industry)
    fam = np.searchsorted(com.cdf, ind + rng.random(n) * 0.999999, side="right") - ind * nf
    fam = np.clip(fam, 0, nf - 1)
    same = (np.arange(n) != first_row) & (rng.random(n) < 0.5)
    fam = np.where(same, fam[first_row], fam)
    row = com.offsets[fam] + (rng.random(n) * com.counts[fam]).astype(np.int64)
    mean = com.qty_mean[row]
    qty = np.minimum(rng.geometric(1.0 / mean), np.maximum(10, 5 * mean).astype(np.int64))
    common = rng.normal(0.0, 0.25, n)  # a bigger unit weighs more and costs more
    unit_kg = com.unit_kg[row] * np.exp(common + rng.normal(0.0, 0.3, n))
    unit_usd = com.unit_usd[row] * np.exp(common + rng.normal(0.0, 0.45, n))
    weight = np.maximum(np.round(qty * unit_kg, 3), 0.01)
    value = np.maximum(np.round(qty * unit_usd, 2), 0.5)
    return ItemDraw(pool_row=row, quantity=qty, weight_kg=weight, value_usd=value)


def format_hs(hs: pl.Expr, style: pl.Expr) -> pl.Expr:
    """An HS column (10 digits) written in each filer's style."""
    return (
        pl.when(style == "dotted6")
        .then(pl.concat_str(hs.str.slice(0, 4), pl.lit("."), hs.str.slice(4, 2)))
        .when(style == "digits6")
        .then(hs.str.slice(0, 6))
        .when(style == "dotted10")
        .then(
            pl.concat_str(
                hs.str.slice(0, 4), pl.lit("."), hs.str.slice(4, 2), pl.lit("."), hs.str.slice(6, 4)
            )
        )
        .when(style == "four")
        .then(hs.str.slice(0, 4))
        .otherwise(hs)
    )
