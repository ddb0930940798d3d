"""The archive's layout: tables, columns, partitions and manifest.

An archive is a directory::

    DIR/_archive.json                                  the manifest (``Manifest``)
    DIR/<table>/filed_day=YYYY-MM-DD/part-NNNNN.parquet

Tables ``shipments``, ``items``, ``parties`` and ``legs`` hold the latest version of each stored
shipment: the canonical batch columns (``interdictor.model``) with ``partner`` and ``version`` in front.
``assessments`` holds each shipment's latest assessment, ``decisions`` and ``outcomes`` what the store
records of exams.  Every table is partitioned Hive-style by ``filed_day``, the UTC day the shipment
was filed (its receipt when the filing gave no time), so a reader takes a day, or a range of days,
without opening the rest; the partition column is in the directory name, not in the files.

The manifest names the layout's ``SCHEMA`` and a digest of the canonical columns; a reader refuses an
archive written for another layout or other canonical columns, saying which, rather than misreading it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl

from interdictor import __version__
from interdictor.model import ITEM_SCHEMA, LEG_SCHEMA, PARTY_SCHEMA, SHIPMENT_SCHEMA, Batch

SCHEMA: Final = 1  # the layout's version: change it when a table, column or partitioning changes
MANIFEST: Final = "_archive.json"
PARTITION: Final = "filed_day"
KEYS: Final = ("partner", "shipment_id", "version")

# the canonical tables, each with its batch schema (``shipment_id`` comes with the keys)
CANONICAL: Final[Mapping[str, pl.Schema]] = {
    "shipments": SHIPMENT_SCHEMA,
    "items": ITEM_SCHEMA,
    "parties": PARTY_SCHEMA,
    "legs": LEG_SCHEMA,
}
RECORDS: Final = ("assessments", "decisions", "outcomes")
TABLES: Final = (*CANONICAL, *RECORDS)

REASON: Final = pl.Struct({"code": pl.String, "weight": pl.Float64, "evidence": pl.String, "item": pl.Int32,
                           "party": pl.String})
# the record tables' columns: what the store keeps of each shipment's latest assessment (its reasons as a
# list, strongest first, as ``screen --out x.parquet`` lists them; ``model`` and ``inputs``: the versions
# of every input its run screened with, ``model`` "none" without a model), of decisions and of outcomes
RECORD_SCHEMAS: Final[Mapping[str, pl.Schema]] = {
    "assessments": pl.Schema({  # type: ignore[arg-type]
        "partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "run_id": pl.String,
        "score": pl.Float64, "disposition": pl.String, "corridor": pl.String, "ruleset": pl.String,
        "ruleset_version": pl.Int32, "model": pl.String, "inputs": pl.String,
        "created_at": pl.Datetime("us", "UTC"), "reasons": pl.List(REASON),
    }),
    "decisions": pl.Schema({  # type: ignore[arg-type]
        "partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "decision_id": pl.Int64,
        "decision": pl.String, "reason": pl.String, "answer": pl.String, "corridor": pl.String,
        "score": pl.Float64, "recommended": pl.String, "exploration": pl.Boolean, "pick_kind": pl.String,
        "ruleset": pl.String, "decided_by": pl.String, "decided_at": pl.Datetime("us", "UTC"),
    }),
    "outcomes": pl.Schema({  # type: ignore[arg-type]
        "partner": pl.String, "shipment_id": pl.String, "version": pl.Int32, "outcome_id": pl.Int64,
        "decision_id": pl.Int64, "result": pl.String, "what": pl.String, "quantity": pl.Float64,
        "unit": pl.String, "agency": pl.String, "note": pl.String, "examined_at": pl.Datetime("us", "UTC"),
        "recorded_by": pl.String, "recorded_at": pl.Datetime("us", "UTC"),
    }),
}


class ArchiveError(ValueError):
    """An archive that cannot be read as this code's layout; the message says what is wrong and where."""


def canonical_columns(table: str) -> pl.Schema:
    """The columns of canonical ``table`` in the archive: ``partner``, ``version`` and the batch columns."""
    schema = CANONICAL[table]
    cols: dict[str, pl.DataType] = {"partner": pl.String(), "shipment_id": pl.String(), "version": pl.Int32()}
    cols.update({k: v for k, v in schema.items() if k != "shipment_id"})
    return pl.Schema(cols)


def columns(table: str) -> pl.Schema:
    """The columns of any table of the archive, in the order its files hold them (``filed_day`` is not one)."""
    return canonical_columns(table) if table in CANONICAL else RECORD_SCHEMAS[table]


def canonical_digest() -> str:
    """A digest of the canonical tables' names and types: two codes that agree on it read each other's archives."""
    text = json.dumps({t: [(k, str(v)) for k, v in canonical_columns(t).items()] for t in CANONICAL},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Manifest:
    """What wrote an archive and what it holds (``DIR/_archive.json``)."""

    schema: int = SCHEMA
    canonical: str = field(default_factory=canonical_digest)
    code_version: str = __version__
    exported_at: str = ""
    since: str | None = None
    tables: dict[str, int] = field(default_factory=dict)  # rows per table
    days: list[str] = field(default_factory=list)  # the filed_day partitions written
    format: str = "interdictor-archive"
    source: str = ""  # what it was written from: "store ..." (export) or "files ..." (straight from partner files)

    def write(self, root: Path) -> None:
        (root / MANIFEST).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, root: Path) -> Manifest:
        """The manifest of the archive at ``root``; an ``ArchiveError`` when it is missing, unreadable or
        written for another layout or other canonical columns."""
        path = root / MANIFEST
        if not path.is_file():
            raise ArchiveError(f"{root} is not an Interdictor archive: it has no {MANIFEST} "
                               "(write one with `interdictor export --format parquet --out DIR`)")
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ArchiveError(f"{path} cannot be read: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != "interdictor-archive":
            raise ArchiveError(f"{path} is not an Interdictor archive manifest")
        if data.get("schema") != SCHEMA:
            raise ArchiveError(f"{root} was written with archive layout {data.get('schema')!r}; this code reads "
                               f"layout {SCHEMA}: export it again with this version")
        if data.get("canonical") != canonical_digest():
            raise ArchiveError(f"{root} was written for other canonical columns (digest {data.get('canonical')!r}, "
                               f"this code {canonical_digest()!r}, code version {data.get('code_version')!r}): "
                               "export it again with this version")
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def partition_dir(root: Path, table: str, day: str) -> Path:
    """The directory of ``table``'s partition for filing day ``day`` (``YYYY-MM-DD``)."""
    return root / table / f"{PARTITION}={day}"


def scan(root: Path, table: str) -> pl.LazyFrame:
    """``table`` of the archive at ``root`` (its ``columns`` and ``filed_day``, a date) as a lazy polars frame;
    empty, with those columns, when the table has no rows.  It does not read the manifest: call
    ``Manifest.read`` first to refuse an archive of another layout."""
    schema = pl.Schema({**columns(table), PARTITION: pl.Date()})
    files = sorted((root / table).glob(f"{PARTITION}=*/*.parquet"))
    if not files:
        return pl.LazyFrame(schema=schema)
    return (pl.scan_parquet(files, hive_partitioning=True, hive_schema={PARTITION: pl.Date()})
            .select(list(schema)).cast(schema))


def batch_of(shipments: pl.DataFrame, items: pl.DataFrame, parties: pl.DataFrame, legs: pl.DataFrame) -> Batch:
    """The canonical batch of one partner's archived rows (extra columns — partner, version, filed_day — dropped)."""
    return Batch.build(
        shipments.select(list(SHIPMENT_SCHEMA)),
        items.select(list(ITEM_SCHEMA)),
        parties.select(list(PARTY_SCHEMA)),
        legs.select(list(LEG_SCHEMA)),
    )
