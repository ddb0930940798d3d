"""Corridors: named sets of ports and an area, with their disposition thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from pydantic import Field, StrictInt, model_validator

from interdictor.reference import data_path
from interdictor.typed_config import Strict, parse_as


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


class CorridorError(ValueError):
    """A corridor file that does not say what it must."""


class PortsDoc(Strict):
    """A corridor's ports by code system; every code is an alias of the same place."""

    cbp: tuple[str | int, ...] = ()
    iata: tuple[str, ...] = ()
    unlocode: tuple[str, ...] = ()


class AreaDoc(Strict):
    south: float = Field(ge=-90, le=90)
    north: float = Field(ge=-90, le=90)
    west: float = Field(ge=-180, le=180)
    east: float = Field(ge=-180, le=180)


class ThresholdsDoc(Strict):
    review: float = Field(default=35.0, ge=0, le=100)
    exam: float = Field(default=60.0, ge=0, le=100)
    hold: float = Field(default=85.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdsDoc:
        Thresholds(self.review, self.exam, self.hold)  # its own check says what is wrong
        return self


class CorridorDoc(Strict):
    name: str = Field(min_length=1)
    title: str = ""
    ports: PortsDoc = PortsDoc()
    area: AreaDoc | None = None
    thresholds: ThresholdsDoc = ThresholdsDoc()
    exam_budget_per_day: StrictInt = Field(default=100, ge=0)
    exploration_share: float = Field(default=0.10, ge=0, le=1)

    def corridor(self) -> Corridor:
        p, a, t = self.ports, self.area, self.thresholds
        return Corridor(
            name=self.name, title=self.title,
            ports=frozenset(str(code).upper() for code in (*p.cbp, *p.iata, *p.unlocode)),
            area=(a.south, a.north, a.west, a.east) if a else None,
            thresholds=Thresholds(t.review, t.exam, t.hold),
            exam_budget_per_day=self.exam_budget_per_day, exploration_share=self.exploration_share,
        )


class CorridorsDoc(Strict):
    version: StrictInt = Field(default=1, ge=1)
    default: CorridorDoc
    corridors: tuple[CorridorDoc, ...] = ()


def parse_corridors(raw: Any, source: str = "corridors.yaml") -> CorridorConfig:
    doc = parse_as(CorridorsDoc, raw, source, CorridorError)
    return CorridorConfig(default=doc.default.corridor(), corridors=tuple(c.corridor() for c in doc.corridors),
                          version=doc.version)


def load_corridors(path: Path | None = None) -> CorridorConfig:
    """The corridors of ``path`` (default: the shipped file); ``CorridorError`` names each problem."""
    path = path or data_path("corridors.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CorridorError(f"cannot read corridors from {path.name}: {exc}") from exc
    return parse_corridors(raw, path.name)


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
