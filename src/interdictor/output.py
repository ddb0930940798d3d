"""Writing ranked results: CSV (reasons as text), Parquet and JSON Lines (reasons as lists)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from interdictor.model import REJECT_SCHEMA, Reject, rejects_frame

RESULT_FORMATS = (".csv", ".parquet", ".jsonl")


def result_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in RESULT_FORMATS:
        raise ValueError(f"cannot write {path.name}: the output format follows the extension, one of "
                         f"{', '.join(RESULT_FORMATS)}")
    return suffix


def write_results(df: pl.DataFrame, path: Path) -> None:
    fmt = result_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == ".csv":
        df.write_csv(path)
    elif fmt == ".parquet":
        df.write_parquet(path)
    else:
        df.write_ndjson(path)


def write_rejects(rejects: list[Reject], path: Path) -> None:
    """Rejected rows with file, line, field and reason (CSV, or JSONL by extension)."""
    df = rejects_frame(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA)
    df = df.select("source", "line", "field", "reason", "shipment_id", "kind", "raw").rename({"source": "file"})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".jsonl":
        df.write_ndjson(path)
    else:
        df.write_csv(path)
