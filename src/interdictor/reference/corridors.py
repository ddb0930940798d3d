"""Corridors: named sets of ports and an area, with their disposition thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from interdictor.reference import data_path


@dataclass(frozen=True)
class Thresholds:
    review: float = 35.0
    exam: float = 60.0
    hold: float = 85.0

    def __post_init__(self) -> None:
        if not 0 <= self.review <= self.exam <= self.hold <= 100:
            raise ValueError(
                f"thresholds must satisfy 0 <= review <= exam <= hold <= 100, got "
                f"review={self.review} exam={self.exam} hold={self.hold}"
            )


@dataclass(frozen=True)
class Corridor:
    name: str
    title: str = ""
    ports: frozenset[str] = field(default_factory=frozenset)  # every alias, upper case
    area: tuple[float, float, float, float] | None = None  # south, north, west, east
    thresholds: Thresholds = field(default_factory=Thresholds)
    exam_budget_per_day: int = 100
    exploration_share: float = 0.10


@dataclass(frozen=True)
class CorridorConfig:
    default: Corridor
    corridors: tuple[Corridor, ...]
    version: int = 1

    def get(self, name: str) -> Corridor:
        if name == self.default.name:
            return self.default
        for c in self.corridors:
            if c.name == name:
                return c
        known = ", ".join([self.default.name, *(c.name for c in self.corridors)])
        raise KeyError(f"unknown corridor {name!r}; known corridors: {known}")

    @property
    def all(self) -> tuple[Corridor, ...]:
        return (*self.corridors, self.default)


def _corridor(raw: dict[str, Any]) -> Corridor:
    ports = raw.get("ports") or {}
    aliases = {str(p).upper() for group in ports.values() for p in (group or [])}
    area = raw.get("area")
    return Corridor(
        name=str(raw["name"]),
        title=str(raw.get("title", "")),
        ports=frozenset(aliases),
        area=(area["south"], area["north"], area["west"], area["east"]) if area else None,
        thresholds=Thresholds(**(raw.get("thresholds") or {})),
        exam_budget_per_day=int(raw.get("exam_budget_per_day", 100)),
        exploration_share=float(raw.get("exploration_share", 0.10)),
    )


def load_corridors(path: Path | None = None) -> CorridorConfig:
    raw = yaml.safe_load((path or data_path("corridors.yaml")).read_text(encoding="utf-8"))
    return CorridorConfig(
        default=_corridor(raw["default"]),
        corridors=tuple(_corridor(c) for c in raw.get("corridors", [])),
        version=int(raw.get("version", 1)),
    )


def assign_corridor(
    shipments: pl.DataFrame,
    legs: pl.DataFrame,
    consignee_coords: pl.DataFrame,
    corridors: Sequence[Corridor],
    default: str,
) -> pl.DataFrame:
    """``shipment_id, corridor``: the first corridor holding the port of entry or the consignee.

    ``consignee_coords`` has ``shipment_id, lat, lon`` (may be empty).  The port of
    entry is the destination port, or failing that any routing point.
    """
    order = {c.name: i for i, c in enumerate(corridors)}
    port_rows = [(p, c.name, order[c.name]) for c in corridors for p in c.ports]
    ports = pl.DataFrame(port_rows, schema={"point": pl.String, "corridor": pl.String, "rank": pl.Int32}, orient="row")
    by_dest = shipments.select("shipment_id", pl.col("destination_port").str.to_uppercase().alias("point"))
    by_leg = legs.select("shipment_id", "point")
    hits = [pl.concat([by_dest, by_leg]).join(ports, on="point", how="inner").select("shipment_id", "corridor", "rank")]
    areas = [(c.name, c.area) for c in corridors if c.area is not None]
    located = consignee_coords.drop_nulls(["lat", "lon"]) if areas else consignee_coords.clear()
    if located.height:
        # the first corridor (in order) whose area holds the consignee, in one pass
        lat, lon = pl.col("lat"), pl.col("lon")
        first = pl.coalesce([pl.when(lat.is_between(s, n) & lon.is_between(w, e)).then(pl.lit(order[name], pl.Int32))
                             for name, (s, n, w, e) in areas])
        names = {order[name]: name for name, _ in areas}
        hits.append(located.select("shipment_id", first.alias("rank")).drop_nulls("rank").select(
            "shipment_id", pl.col("rank").replace_strict(names, return_dtype=pl.String).alias("corridor"), "rank"))
    best = pl.concat(hits).sort("rank").unique("shipment_id", keep="first")
    return shipments.select("shipment_id").join(best, on="shipment_id", how="left").select(
        "shipment_id", pl.col("corridor").fill_null(default)
    )
