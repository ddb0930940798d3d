"""Writing ranked results: CSV (reasons as text), Parquet and JSON Lines (reasons as lists).

Every CSV the product writes goes through ``csv_safe``: a text cell that a
spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return — a partner's ``shipment_id`` of ``=cmd|' /C calc'!A0``)
gets a leading single quote, OWASP's rule.  Numbers stay numbers: only text
columns are touched.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from interdictor.model import REJECT_SCHEMA, Reject, rejects_frame

RESULT_FORMATS = (".csv", ".parquet", ".jsonl")
FORMULA_START = r"^[=+\-@\t\r]"


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text cell that a spreadsheet would take for a formula neutralised by a leading quote."""
    text = [c for c, t in df.schema.items() if t == pl.String]
    return df.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text
    )


def csv_text(df: pl.DataFrame) -> str:
    """``df`` as CSV text, safe to open in a spreadsheet."""
    return csv_safe(df).write_csv()


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
        csv_safe(df).write_csv(path)
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
        csv_safe(df).write_csv(path)
