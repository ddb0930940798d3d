"""Planted cases: the ground truth the benchmark and tests score against.

Modelled on the public cases in the domain notes — precursors under vague or
chemical names, a heavy "keyboards" box at a token value for a border
warehouse, pill-press tooling declared as moulds or food machines to private
homes, ~20 parcels of one chemical from related shippers to one consignee,
one chemical line hidden among cheap goods — plus legitimate look-alikes that
must *not* be flagged.  Nothing written to the manifest labels a case: the
kind lives only in ``GenerationStats``.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from interdictor.demo import consignees as cons
from interdictor.demo.cases import Case, Plan, PoolIndex
from interdictor.demo.planner import Planner
from interdictor.demo.shippers import ShipperTable
from interdictor.demo.sources import load

__all__ = ["Case", "Plan", "PoolIndex", "plan_cases"]


def _counts(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``total`` by ``weights`` (largest remainders)."""
    s = sum(weights.values())
    raw = {k: total * w / s for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: out[k] - raw[k])[: total - sum(out.values())]:
        out[k] += 1
    return out


def plan_cases(
    rng: np.random.Generator,
    total: int,
    shippers: ShipperTable,
    pool: PoolIndex,
    ordinary: np.ndarray,
    ordinary_weight: np.ndarray,
) -> Plan:
    """``total`` planted shipments across the kinds of ``data/seeded.yaml``; new consignees built in bulk."""
    sd = load("seeded")
    plan = Plan(decoys=frozenset(str(k) for k in sd["decoy_kinds"]))
    if total <= 0:
        return plan
    p = Planner(rng, shippers, pool, ordinary, ordinary_weight, total)
    counts = _counts(total, {str(k): float(v) for k, v in sd["kinds"].items()})
    cases: list[Case] = []
    for kind, n in counts.items():
        if kind in ("precursor_generic", "precursor_named"):
            cases += [p.precursor(kind) for _ in range(n)]
        elif kind == "mislabelled_bulk":
            cases += [p.bulk() for _ in range(n)]
        elif kind == "commingled":
            cases += [p.commingled() for _ in range(n)]
        elif kind == "decoy_flavour":
            cases += [p.decoy_flavour() for _ in range(n)]
        elif kind == "decoy_pharma":
            cases += [p.decoy_pharma() for _ in range(n)]
        elif kind in ("split_consignment", "pill_press"):
            left, g = n, 0
            lo, hi = (12, 25) if kind == "split_consignment" else (1, 5)
            while left > 0:
                size = min(left, p.r.randint(lo, hi))
                if 0 < left - size < lo:
                    size = left
                cases += (p.split if kind == "split_consignment" else p.presses_cluster)(size, f"{kind}-{g}")
                left -= size
                g += 1
        else:  # pragma: no cover - a kind added to the YAML without a builder
            raise ValueError(f"no builder for planted kind {kind!r}")
    frames = [cons.residences(rng, p.new_res), cons.mexico(rng, p.new_mx), *p.buyer_frames]
    offsets = {"res": pool.size, "mx": pool.size + p.new_res, "buyer": pool.size + p.new_res + p.new_mx}
    for c in cases:
        if isinstance(c.consignee, tuple):
            c.consignee = offsets[c.consignee[0]] + int(c.consignee[1])
    plan.cases = cases
    plan.consignees = (
        pl.concat([f for f in frames if f.height], how="vertical") if any(f.height for f in frames) else None
    )
    return plan
