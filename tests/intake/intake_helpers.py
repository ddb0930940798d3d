"""Helpers for the reader tests: run a reader over bytes and collect what it gave."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from interdictor.intake.base import IntakeChunk, RawPayload, ReadOptions
from interdictor.model import Batch, Reject

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "formats"

ReaderFn = Callable[[BinaryIO, ReadOptions], Iterator[IntakeChunk]]


@dataclass
class Result:
    batch: Batch
    rejects: list[Reject] = field(default_factory=list)
    raw: list[RawPayload] = field(default_factory=list)
    raw_of: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    chunks: int = 0
    shipped: set[str] = field(default_factory=set)  # raw ids that hold at least one shipment

    def shipment(self, sid: str) -> dict[str, object]:
        rows = self.batch.shipments.filter(pl.col("shipment_id") == sid).to_dicts()
        assert len(rows) == 1, f"{sid}: {len(rows)} rows"
        return rows[0]

    def items(self, sid: str) -> list[dict[str, object]]:
        return self.batch.items.filter(pl.col("shipment_id") == sid).sort("item").to_dicts()

    def party(self, sid: str, role: str) -> dict[str, object]:
        rows = self.batch.parties.filter((pl.col("shipment_id") == sid) & (pl.col("party") == role)).to_dicts()
        assert len(rows) == 1, f"{sid} {role}: {len(rows)} rows"
        return rows[0]

    @property
    def ids(self) -> list[str]:
        return self.batch.shipments.get_column("shipment_id").to_list()

    def rejects_of(self, kind: str) -> list[Reject]:
        return [r for r in self.rejects if r.kind == kind]


def run(reader: ReaderFn, data: bytes, source: str = "test", **opts: object) -> Result:
    chunks = list(reader(io.BytesIO(data), ReadOptions(source_name=source, **opts)))  # type: ignore[arg-type]
    out = Result(Batch.concat([c.batch for c in chunks]), chunks=len(chunks))
    for c in chunks:
        out.rejects.extend(c.rejects)
        out.raw.extend(c.raw)
        out.raw_of.update(c.raw_of)
        out.shipped.update(c.raw_of.values())
        if not c.raw_of and len(c.raw) == 1 and c.batch.shipments.height:
            out.shipped.add(c.raw[0].raw_id)
        out.rows += c.rows
    return out


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
