"""Canonical model.

Two views of the same thing:

* **Batch tables** (polars) — the hot path.  A batch is four tables keyed by
  ``shipment_id``: ``shipments``, ``items`` (+ ``item``, the index within the
  shipment), ``parties`` (+ ``party`` role) and ``legs`` (+ ``seq``).  Every
  reader produces them, every detector consumes them.
* **Records** (dataclasses) — the edges: one API response, one message.
  ``shipments_to_batch`` turns records into tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, Literal

import polars as pl

Mode = Literal["air", "express", "postal", "ocean", "truck"]
MODES: Final = ("air", "express", "postal", "ocean", "truck")
PARTY_ROLES: Final = ("shipper", "consignee", "notify")

Disposition = Literal["clear", "review", "exam", "hold"]
DISPOSITIONS: Final = ("clear", "review", "exam", "hold")
Decision = Literal["release", "review", "exam", "hold"]

# ---------------------------------------------------------------- batch schemas

SHIPMENT_SCHEMA: Final = pl.Schema(
    {  # type: ignore[arg-type]
        "shipment_id": pl.String,
        "line": pl.Int64,  # first source line (or element index) of this shipment
        "mode": pl.String,
        "filer": pl.String,
        "mawb": pl.String,
        "hawb": pl.String,
        "postal_item_id": pl.String,
        "filed_at": pl.Datetime("us", "UTC"),
        "carrier": pl.String,
        "origin_country": pl.String,
        "origin_port": pl.String,
        "destination_port": pl.String,
        "routing": pl.String,  # dash-separated IATA / UN/LOCODE points
        "pieces": pl.Int64,
        "gross_weight_kg": pl.Float64,
        "declared_value": pl.Float64,
        "currency": pl.String,
        "extra": pl.String,  # JSON object of unknown columns / format-specific fields
    }
)

ITEM_SCHEMA: Final = pl.Schema(
    {
        "shipment_id": pl.String,
        "item": pl.Int32,  # 0-based index within the shipment
        "line": pl.Int64,
        "description": pl.String,
        "hs_code": pl.String,  # digits only, 4–10
        "quantity": pl.Float64,
        "weight_kg": pl.Float64,
        "value": pl.Float64,
        "origin_country": pl.String,
        "cas_number": pl.String,
    }
)

PARTY_SCHEMA: Final = pl.Schema(
    {
        "shipment_id": pl.String,
        "party": pl.String,  # role: shipper | consignee | notify
        "name": pl.String,
        "address": pl.String,
        "city": pl.String,
        "state": pl.String,
        "postal_code": pl.String,
        "country": pl.String,  # ISO 3166-1 alpha-2
        "phone": pl.String,
        "email": pl.String,
    }
)

LEG_SCHEMA: Final = pl.Schema(
    {
        "shipment_id": pl.String,
        "seq": pl.Int32,
        "point": pl.String,  # IATA (3) or UN/LOCODE (5) code
    }
)

REASON_SCHEMA: Final = pl.Schema(
    {
        "shipment_id": pl.String,
        "code": pl.String,
        "weight": pl.Float64,
        "evidence": pl.String,
        "item": pl.Int32,
        "party": pl.String,
    }
)

ASSESSMENT_SCHEMA: Final = pl.Schema(
    {
        "shipment_id": pl.String,
        "score": pl.Float64,
        "disposition": pl.String,
        "corridor": pl.String,
    }
)


def empty(schema: pl.Schema | Mapping[str, Any]) -> pl.DataFrame:
    """A table of no rows with these columns (made once per schema: building one is slower than copying it)."""
    return _empty(tuple(schema.items())).clear()


@lru_cache(maxsize=256)  # bounded: a reader's schema follows the header a partner sends
def _empty(columns: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(columns))


def conform(df: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """Select and cast ``df`` to ``schema``; absent columns become nulls."""
    return df.select(_conform_exprs(tuple(df.columns), tuple(schema.items())))


@lru_cache(maxsize=256)
def _conform_exprs(columns: tuple[str, ...], schema: tuple[tuple[str, Any], ...]) -> list[pl.Expr]:
    present = set(columns)
    return [(pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name) for name, dtype in schema]


def reasons_frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Build a reasons table from dict rows (for detectors that work per candidate)."""
    rows = list(rows)
    if not rows:
        return empty(REASON_SCHEMA)
    return conform(pl.DataFrame(rows, infer_schema_length=None), REASON_SCHEMA)


def legs_from_routing(shipments: pl.DataFrame) -> pl.DataFrame:
    """Explode the ``routing`` column (``PVG-ANC-LAX``) into a legs table."""
    if shipments.is_empty():
        return empty(LEG_SCHEMA)
    # routings repeat across a day's traffic: split each distinct one once, then join
    distinct = (
        shipments.select(pl.col("routing").unique()).drop_nulls()
        .with_columns(pl.col("routing").str.to_uppercase().str.split("-").alias("point"))
        .explode("point")
        .with_columns(pl.col("point").str.strip_chars())
        .filter(pl.col("point").is_not_null() & (pl.col("point") != ""))
        .with_columns(pl.int_range(pl.len()).over("routing").cast(pl.Int32).alias("seq"))
    )
    return (
        shipments.select("shipment_id", "routing").join(distinct, on="routing", how="inner")
        .sort("shipment_id", "seq", maintain_order=True)
        .select(list(LEG_SCHEMA))
    )


@dataclass(frozen=True, slots=True)
class Batch:
    """Canonical shipments of one chunk of input, as four tables."""

    shipments: pl.DataFrame
    items: pl.DataFrame
    parties: pl.DataFrame
    legs: pl.DataFrame

    @classmethod
    def build(
        cls,
        shipments: pl.DataFrame,
        items: pl.DataFrame | None = None,
        parties: pl.DataFrame | None = None,
        legs: pl.DataFrame | None = None,
    ) -> Batch:
        s = conform(shipments, SHIPMENT_SCHEMA)
        return cls(
            shipments=s,
            items=conform(items, ITEM_SCHEMA) if items is not None else empty(ITEM_SCHEMA),
            parties=conform(parties, PARTY_SCHEMA) if parties is not None else empty(PARTY_SCHEMA),
            legs=conform(legs, LEG_SCHEMA) if legs is not None else legs_from_routing(s),
        )

    @classmethod
    def empty(cls) -> Batch:
        return cls(empty(SHIPMENT_SCHEMA), empty(ITEM_SCHEMA), empty(PARTY_SCHEMA), empty(LEG_SCHEMA))

    @classmethod
    def concat(cls, batches: Sequence[Batch]) -> Batch:
        if not batches:
            return cls.empty()
        return cls(
            pl.concat([b.shipments for b in batches]),
            pl.concat([b.items for b in batches]),
            pl.concat([b.parties for b in batches]),
            pl.concat([b.legs for b in batches]),
        )

    def __len__(self) -> int:
        return self.shipments.height


# ---------------------------------------------------------------- records


@dataclass(slots=True)
class Address:
    lines: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Party:
    role: str
    name: str | None = None
    address: Address = field(default_factory=Address)
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class Item:
    description: str | None
    hs_code: str | None = None
    quantity: float | None = None
    weight_kg: float | None = None
    value: float | None = None
    origin_country: str | None = None
    cas_number: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Leg:
    seq: int
    point: str


@dataclass(slots=True)
class Shipment:
    shipment_id: str
    mode: str | None = None
    filer: str | None = None
    mawb: str | None = None
    hawb: str | None = None
    postal_item_id: str | None = None
    filed_at: datetime | None = None
    carrier: str | None = None
    origin_country: str | None = None
    origin_port: str | None = None
    destination_port: str | None = None
    routing: str | None = None
    pieces: int | None = None
    gross_weight_kg: float | None = None
    declared_value: float | None = None
    currency: str | None = None
    parties: list[Party] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    extra: str | None = None
    line: int | None = None

    @property
    def legs(self) -> list[Leg]:
        points = [p.strip().upper() for p in (self.routing or "").split("-") if p.strip()]
        return [Leg(i, p) for i, p in enumerate(points)]


def shipments_to_batch(shipments: Sequence[Shipment]) -> Batch:
    srows: list[dict[str, Any]] = []
    irows: list[dict[str, Any]] = []
    prows: list[dict[str, Any]] = []
    for s in shipments:
        row = {k: getattr(s, k) for k in SHIPMENT_SCHEMA if k != "line"}
        row["line"] = s.line
        srows.append(row)
        for i, it in enumerate(s.items):
            irows.append({"shipment_id": s.shipment_id, "item": i, **asdict(it)})
        for p in s.parties:
            prows.append(
                {
                    "shipment_id": s.shipment_id,
                    "party": p.role,
                    "name": p.name,
                    "address": p.address.lines,
                    "city": p.address.city,
                    "state": p.address.state,
                    "postal_code": p.address.postal_code,
                    "country": p.address.country,
                    "phone": p.phone,
                    "email": p.email,
                }
            )
    return Batch.build(
        pl.DataFrame(srows, schema=SHIPMENT_SCHEMA) if srows else empty(SHIPMENT_SCHEMA),
        pl.DataFrame(irows, infer_schema_length=None) if irows else None,
        pl.DataFrame(prows, infer_schema_length=None) if prows else None,
    )


@dataclass(frozen=True, slots=True)
class Reject:
    """One rejected row, field or message — nothing a partner sent is dropped silently."""

    source: str
    line: int | None
    field: str | None
    reason: str
    shipment_id: str | None = None
    raw: str | None = None
    kind: Literal["row", "field", "file", "message"] = "row"


REJECT_SCHEMA: Final = pl.Schema(
    {
        "source": pl.String,
        "line": pl.Int64,
        "field": pl.String,
        "reason": pl.String,
        "shipment_id": pl.String,
        "raw": pl.String,
        "kind": pl.String,
    }
)


def rejects_frame(rejects: Iterable[Reject]) -> pl.DataFrame:
    rows = [asdict(r) for r in rejects]
    return pl.DataFrame(rows, schema=REJECT_SCHEMA) if rows else empty(REJECT_SCHEMA)
