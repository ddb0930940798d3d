"""Assessments + reasons -> one answer per shipment (house bill, direct AWB, postal item).

Columnar: one pass of polars expressions over the batch, so answering a million
parcels costs what screening them costs, not a Python loop.

Status, in order of precedence:

1. disposition ``hold`` -> ``do_not_load``;
2. disposition ``exam`` -> ``hold_for_screening``;
3. any data reason (internal code ``DATA_*`` or partner code ``DATA_*``) ->
   ``request_for_information``, even when the score alone would clear the shipment;
4. otherwise ``accepted`` — ``clear`` and ``review`` alike, with no reason codes.

Reason codes are partner codes from the rule set, strongest first, each once.  A
reason whose rule has no partner code shows as ``SCREENING``; a mitigating reason
(a rule with a ``cap``, e.g. a notified licence) is never listed as a reason to hold.
``data_requested`` repeats the evidence of the data reasons — it describes the
partner's own data ("line 6 field awb rejected: check digit ..."), nothing internal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl

from interdictor.answers.model import FALLBACK_CODE, HouseAnswer, Status
from interdictor.score.rules import RuleSet

SAFE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
MAX_DETAILS = 10
MAX_DETAIL_CHARS = 200

ANSWER_SCHEMA = pl.Schema({
    "shipment_id": pl.String(), "mawb": pl.String(), "hawb": pl.String(), "postal_item_id": pl.String(),
    "status": pl.String(), "reason_codes": pl.List(pl.String), "data_requested": pl.List(pl.String),
})


def partner_codes(ruleset: RuleSet | Mapping[str, str | None]) -> pl.DataFrame:
    """``code, partner, mitigating`` for every rule; unsafe or missing partner codes -> SCREENING."""
    if isinstance(ruleset, RuleSet):
        rows = [(c, r.partner_code, r.cap is not None) for c, r in ruleset.rules.items()]
    else:
        rows = [(c, p, False) for c, p in ruleset.items()]
    return pl.DataFrame(
        {"code": [r[0] for r in rows],
         "partner": [p if p and SAFE_CODE.match(p) and p != c else FALLBACK_CODE for c, p, _ in rows],
         "mitigating": [r[2] for r in rows]},
        schema={"code": pl.String, "partner": pl.String, "mitigating": pl.Boolean},
    )


SMALL = 2_000  # assessed shipments up to which the answer query runs as written, unoptimised


def answer_frame(shipments: pl.DataFrame, assessments: pl.DataFrame, reasons: pl.DataFrame,
                 ruleset: RuleSet | Mapping[str, str | None]) -> pl.DataFrame:
    """One row per assessed shipment: ``shipment_id, mawb, hawb, postal_item_id, status,
    reason_codes, data_requested`` (``ANSWER_SCHEMA``).  Shipments without an assessment
    get no answer: nothing is said before screening has spoken."""
    table = partner_codes(ruleset)
    r = (
        reasons.lazy()
        .select("shipment_id", "code", "weight", "evidence")
        .join(table.lazy(), on="code", how="left")
        .with_columns(pl.col("partner").fill_null(FALLBACK_CODE), pl.col("mitigating").fill_null(False))
        .filter(~pl.col("mitigating") & (pl.col("weight") > 0))
        .with_columns((pl.col("code").str.starts_with("DATA_") | pl.col("partner").str.starts_with("DATA_"))
                      .alias("is_data"))
    )
    per_code = r.group_by("shipment_id", "partner").agg(pl.col("weight").max(), pl.col("is_data").any())
    codes = (
        per_code.sort(["shipment_id", "weight", "partner"], descending=[False, True, False])
        .group_by("shipment_id", maintain_order=True)
        .agg(pl.col("partner").alias("all_codes"),
             pl.col("partner").filter(pl.col("is_data")).alias("data_codes"))
    )
    details = (
        r.filter(pl.col("is_data") & pl.col("evidence").is_not_null())
        .with_columns(pl.col("evidence").str.replace_all(r"[\r\n|]+", " ").str.slice(0, MAX_DETAIL_CHARS))
        .group_by("shipment_id")
        .agg(pl.col("evidence").unique(maintain_order=True).head(MAX_DETAILS).alias("details"))
    )
    ids = shipments.lazy().select("shipment_id", "mawb", "hawb", "postal_item_id").unique("shipment_id",
                                                                                            keep="last")
    disp = pl.col("disposition").str.to_lowercase()
    has_data = pl.col("data_codes").list.len().fill_null(0) > 0
    status = (
        pl.when(disp == "hold").then(pl.lit(Status.DO_NOT_LOAD.value))
        .when(disp == "exam").then(pl.lit(Status.HOLD_FOR_SCREENING.value))
        .when(has_data).then(pl.lit(Status.REQUEST_FOR_INFORMATION.value))
        .otherwise(pl.lit(Status.ACCEPTED.value))
    )
    empty = pl.lit([], dtype=pl.List(pl.String))
    out = (
        assessments.lazy().select("shipment_id", "disposition")
        .join(ids, on="shipment_id", how="left")
        .join(codes, on="shipment_id", how="left")
        .join(details, on="shipment_id", how="left")
        .with_columns(status.alias("status"))
        .with_columns(
            pl.when(pl.col("status") == Status.ACCEPTED.value).then(empty)
            .when(pl.col("status") == Status.REQUEST_FOR_INFORMATION.value).then(pl.col("data_codes"))
            .otherwise(pl.col("all_codes")).fill_null(empty).alias("reason_codes"),
            pl.when(pl.col("status") == Status.ACCEPTED.value).then(empty)
            .otherwise(pl.col("details")).fill_null(empty).alias("data_requested"),
        )
        .select(list(ANSWER_SCHEMA))
        # small frames: the streaming engine's start-up, and the optimiser's passes, cost more than the query
        .collect(engine="in-memory",
                 optimizations=pl.QueryOptFlags.none() if assessments.height <= SMALL else pl.QueryOptFlags())
    )
    return out.cast(ANSWER_SCHEMA)


def answers(shipments: pl.DataFrame, assessments: pl.DataFrame, reasons: pl.DataFrame,
            ruleset: RuleSet | Mapping[str, str | None]) -> list[HouseAnswer]:
    """``answer_frame`` as records — for one message or one API response."""
    frame = answer_frame(shipments, assessments, reasons, ruleset)
    return [
        HouseAnswer(shipment_id=row["shipment_id"], status=Status(row["status"]),
                    reason_codes=tuple(row["reason_codes"] or ()), data_requested=tuple(row["data_requested"] or ()),
                    mawb=row["mawb"], hawb=row["hawb"], postal_item_id=row["postal_item_id"])
        for row in frame.iter_rows(named=True)
    ]
