"""One group of archived rows — one partner's filing day — screened by the pass every entry point runs.

Pure polars, no Spark: the job hands each group here as one table (the four canonical tables' rows
together, told apart by ``TABLE``), and gets back one row per shipment: its assessment with the columns of
``interdictor screen --out x.parquet`` (reasons as lists), or the reason it was rejected.  A rejected child
row (an item, party or leg whose shipment is not in the group) comes back too, so every row that came in
is accounted for.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from interdictor.archive.layout import CANONICAL, PARTITION, batch_of, canonical_columns
from interdictor.model import REASON_SCHEMA
from interdictor.screening.assembly import Screening
from interdictor.screening.batch import reasons_lists, screen_batch

CHUNK: Final = 20_000  # shipments screened at once: a group larger than this is screened in chunks of it
TABLE: Final = "_table"  # which canonical table a row of a group came from
ORDER: Final = "_ord"  # the row's place in the files read: children keep the order they were archived in

REASONS: Final = pl.List(pl.Struct({k: REASON_SCHEMA[k] for k in ("code", "weight", "evidence", "item", "party")}))
RESULT_SCHEMA: Final = pl.Schema({
    PARTITION: pl.String(),
    "partner": pl.String(),
    "shipment_id": pl.String(),
    "version": pl.Int32(),
    "score": pl.Float64(),
    "disposition": pl.String(),
    "corridor": pl.String(),
    "reasons": REASONS,
    "table": pl.String(),  # the table the row came from (``shipments`` for every assessment)
    "rejected": pl.String(),  # why the row was not screened (null: screened)
})
# the output's columns: those of ``screen --out x.parquet``, with the partner and version in front
ASSESSMENT_COLUMNS: Final = ("partner", "shipment_id", "version", "score", "disposition", "corridor", "reasons")


def group_columns() -> pl.Schema:
    """The columns of a group: every canonical table's columns (a column two tables share has one type),
    the partition, which table and the row's place in the files."""
    cols: dict[str, pl.DataType] = {}
    for table in CANONICAL:
        for name, dtype in canonical_columns(table).items():
            if cols.setdefault(name, dtype) != dtype:  # pragma: no cover - a layout error, caught by the tests
                raise TypeError(f"column {name} has two types in the archive layout")
    return pl.Schema({**cols, PARTITION: pl.String(), TABLE: pl.String(), ORDER: pl.Int64()})


def screen_group(group: pl.DataFrame, screening: Screening, chunk: int = CHUNK) -> pl.DataFrame:
    """Each shipment of ``group`` (one partner's rows of one filing day) assessed, or rejected with why.

    The shipments are screened in archive order (their first source line, then id) in chunks of ``chunk``
    with the partner's name, exactly as ``ScreenRun`` screens a file's chunks; each with its own items,
    parties and legs in the order they were archived."""
    tables = {t: group.filter(pl.col(TABLE) == t) for t in CANONICAL}
    ships = tables["shipments"]
    day = group.get_column(PARTITION)[0] if group.height else None
    partner = group.get_column("partner")[0] if group.height else None
    if partner is None:
        return _rejected(group, "the row names no partner")
    ships, out = _valid_shipments(ships)
    ships = ships.sort("line", "shipment_id", nulls_last=True).with_row_index("_pos")
    position = ships.select("shipment_id", "_pos")
    kids: dict[str, pl.DataFrame] = {}
    for t in ("items", "parties", "legs"):
        rows = tables[t]
        kids[t] = rows.join(position, on="shipment_id", how="inner").sort("_pos", ORDER)
        orphans = rows.join(position, on="shipment_id", how="anti")
        if orphans.height:
            out.append(_rejected(orphans, f"{t} row whose shipment is not in the partition"))
    for start in range(0, ships.height, chunk):
        part = ships.slice(start, chunk)
        ids = part.select("shipment_id")
        batch = batch_of(part, *(kids[t].join(ids, on="shipment_id", how="semi") for t in ("items", "parties", "legs")))
        try:
            sc = screening
            assessed, reasons = screen_batch(batch, sc.ctx, sc.ruleset, sc.corridors, None, sc.detectors,
                                             sc.calibration, str(partner))
        except Exception as exc:  # this chunk is reported rejected; the job goes on with the rest
            out.append(_rejected(part, f"screening failed: {type(exc).__name__}: {exc}"))
            continue
        rows = (assessed.join(reasons_lists(reasons), on="shipment_id", how="left")
                .join(part.select("shipment_id", "version"), on="shipment_id", how="left"))
        out.append(rows.with_columns(pl.lit(day, pl.String).alias(PARTITION), pl.lit(partner, pl.String).alias("partner"),
                                     pl.lit("shipments").alias("table"), pl.lit(None, pl.String).alias("rejected")))
    return pl.concat([_result(f) for f in out], how="vertical") if out else RESULT_SCHEMA.to_frame()


def _valid_shipments(ships: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """The shipments that can be screened, and the rejected rows: no ``shipment_id``, or a shipment archived
    twice in the partition (its latest version is screened, the others rejected)."""
    out = []
    nameless = ships.filter(pl.col("shipment_id").is_null())
    if nameless.height:
        out.append(_rejected(nameless, "shipment_id is empty"))
    ships = ships.filter(pl.col("shipment_id").is_not_null())
    rank = pl.int_range(pl.len()).over("shipment_id", order_by=[pl.col("version"), pl.col(ORDER)], descending=True)
    ships = ships.with_columns(rank.alias("_rank"))
    older = ships.filter(pl.col("_rank") > 0)
    if older.height:
        out.append(_rejected(older, "an older version of a shipment archived twice in the partition; the latest "
                                    "version is screened"))
    return ships.filter(pl.col("_rank") == 0).drop("_rank"), out


def _rejected(rows: pl.DataFrame, why: str) -> pl.DataFrame:
    """``rows`` of a group as rejected result rows, each with ``why``."""
    version = pl.col("version") if "version" in rows.columns else pl.lit(None, pl.Int32)
    return rows.select(PARTITION, "partner", "shipment_id", version.alias("version"),
                       pl.col(TABLE).alias("table"), pl.lit(why).alias("rejected"))


def _result(df: pl.DataFrame) -> pl.DataFrame:
    return df.select((pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c) for c, t in RESULT_SCHEMA.items())
