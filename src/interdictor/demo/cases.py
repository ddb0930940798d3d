"""Planted cases as data: the item lines, the case (kind, mode, shipper, consignee)
and the plan of a run (cases plus the consignees made for them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Line:
    """One planted item line (value in USD)."""

    description: str
    hs: str | None
    quantity: int
    weight_kg: float
    value_usd: float
    cas: str | None


@dataclass
class Case:
    kind: str
    mode: int
    shipper: int
    consignee: Any  # pool index, or ("res" | "mx", n) until the new consignees are built
    lines: list[Line]
    ordinary: int = 0  # ordinary lines mixed in with the planted one
    pieces: int | None = None
    group: str | None = None
    chemical: str | None = None


@dataclass(frozen=True)
class PoolIndex:
    """Where the consignee pool keeps its border businesses and Mexican consignees."""

    size: int
    border: tuple[int, int]  # start, count
    mexico: tuple[int, int]


@dataclass
class Plan:
    cases: list[Case] = field(default_factory=list)
    consignees: pl.DataFrame | None = None  # new consignees, indexed from PoolIndex.size
    decoys: frozenset[str] = frozenset()
