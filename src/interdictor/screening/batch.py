"""One screening pass over a batch, pure: detectors, rule-set weights, corridors, score.

``screen_batch`` is the same for a CLI file, an HTTP submission, a stream message
or a batch job; ``ScreenRun`` (``screening/run.py``) drives it over a reader's
chunks and stores what it finds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

import polars as pl

from interdictor.learn.loop import CODE as MODEL_CODE
from interdictor.learn.loop import Traffic
from interdictor.model import REASON_SCHEMA, Batch, Reject, conform, empty, reasons_frame
from interdictor.network.risk import CODES as NETWORK_CODES
from interdictor.network.risk import reasons as network_reasons
from interdictor.reference.corridors import CorridorConfig, assign_corridor
from interdictor.score.calibration import Calibration
from interdictor.score.rules import RuleSet
from interdictor.score.scorer import score, weigh
from interdictor.screen.context import Context
from interdictor.screen.registry import run_detectors, side_pool

MAX_EVIDENCE = 600


def intake_reasons(batch: Batch, rejects: Iterable[Reject]) -> pl.DataFrame:
    """A shipment with a rejected row or field says so — a bad line never hides silently."""
    ids = set(batch.shipments.get_column("shipment_id").to_list())
    rows = []
    for r in rejects:
        if r.shipment_id is None or r.shipment_id not in ids:
            continue
        code = "DATA_ROW_REJECTED" if r.kind == "row" or r.field is None or r.field == "shipment_id" else "DATA_FIELD_REJECTED"
        where = f"line {r.line}" if r.line is not None else "the message"
        what = f" field {r.field}" if r.field else ""
        rows.append({"shipment_id": r.shipment_id, "code": code, "weight": 15.0 if code == "DATA_ROW_REJECTED" else 3.0,
                     "evidence": f"{where}{what} rejected: {r.reason}"})
    return reasons_frame(rows)


def screen_batch(
    batch: Batch,
    ctx: Context,
    ruleset: RuleSet,
    corridors: CorridorConfig,
    extra_reasons: pl.DataFrame | None = None,
    detectors: list[str] | None = None,
    calibration: Calibration | None = None,
    partner: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(assessments ``shipment_id, score, disposition, corridor``, weighed reasons) for a batch filed by
    ``partner`` (when known: a seized shipment screened again is not linked to its own seizure); the corridors'
    thresholds, raised where ``calibration`` learned higher exam scores from the store's traffic."""
    reasons = run_detectors(batch, ctx, detectors)
    if extra_reasons is not None and extra_reasons.height:
        reasons = pl.concat([reasons, conform(extra_reasons, REASON_SCHEMA)])
    reasons = weigh(reasons, ruleset)
    coords = empty({"shipment_id": pl.String, "lat": pl.Float64, "lon": pl.Float64})
    route = ctx.part("route")
    if route is not None:
        coords = route.geo.locate_consignees(batch.parties).select("shipment_id", "lat", "lon")
    corridor_of = assign_corridor(batch.shipments, batch.legs, coords, corridors.corridors, corridors.default.name)
    scorer = ctx.part("model")
    scoring = None
    if scorer is not None and len(batch):
        # the model's features and predictions (polars and LightGBM, mostly without the interpreter lock) are
        # made beside the network's reasons; the shipments those reasons touch are predicted again in finish
        scoring = side_pool().submit(scorer.prepare, model_traffic(batch, reasons, corridor_of))
    marks = ctx.part("network")
    later = None
    if marks is not None and len(batch):
        # weighed already: the rule's weight is the most a network reason adds, decayed with hops and time
        weights = {c: ruleset.rules[c].weight for c in NETWORK_CODES if c in ruleset.rules}
        later = network_reasons(batch.parties, batch.shipments, marks, weights, partner)
        if later.height:
            reasons = pl.concat([reasons, later])
    reasons = reasons.with_columns(pl.col("evidence").str.slice(0, MAX_EVIDENCE))
    if scorer is not None and scoring is not None:
        found = scorer.finish(scoring.result(), later)
        if found.height:
            # the model proposes its weight from its probability; the rule set's weight is the most it adds
            rule = ruleset.rules.get(MODEL_CODE)
            if rule is not None:
                found = found.with_columns(pl.col("weight").clip(0, rule.weight))
            reasons = pl.concat([reasons, conform(found, REASON_SCHEMA)])
    thresholds = {c.name: c.thresholds for c in corridors.all}
    if calibration is not None:
        thresholds = calibration.thresholds(thresholds)
    assessed = score(batch.shipments.get_column("shipment_id"), reasons, ruleset, corridor_of, thresholds)
    return assessed, reasons


def model_traffic(batch: Batch, reasons: pl.DataFrame, corridor_of: pl.DataFrame) -> Traffic:
    """The batch as the risk model reads it: its own fields, its corridor, the weighed reasons the
    detectors gave it, and its time (the filing time, else now) for history features."""
    now = datetime.now(UTC).replace(tzinfo=None)
    ships = batch.shipments.join(corridor_of.select("shipment_id", "corridor"), on="shipment_id", how="left",
                                 maintain_order="left").with_columns(
        pl.col("filed_at").dt.replace_time_zone(None).cast(pl.Datetime("us")).fill_null(now).alias("time"))
    none = pl.DataFrame(schema={"shipment_id": pl.String, "at": pl.Datetime("us"), "result": pl.String,
                                "pick_kind": pl.String})
    return Traffic(ships, batch.items, batch.parties, reasons.select("shipment_id", "code", "weight"), none)


def content_hashes(batch: Batch) -> pl.DataFrame:
    """``shipment_id, content_hash``: a stable digest of a shipment's canonical content.

    Provenance (line numbers, raw ids) is left out, so the same shipment sent
    again in another file is recognised as unchanged.  Rows are hashed in the
    order the reader gives them (items by index, parties by role), which is the
    order of the partner's data.  blake2b, not polars' hash: the digest is
    stored, and must not change when a library is upgraded.
    """

    parts = [
        batch.shipments.select("shipment_id", _row_text(tuple(batch.shipments.columns), ("shipment_id", "line"))),
        batch.items.select("shipment_id", _row_text(tuple(batch.items.columns), ("shipment_id", "line"))),
        batch.parties.select("shipment_id", _row_text(tuple(batch.parties.columns), ("shipment_id",))),
    ]
    rows = pl.concat(parts).group_by("shipment_id", maintain_order=True).agg(pl.col("t").str.join("\x1e"))
    digests = [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in rows.get_column("t").to_list()]
    return pl.DataFrame({"shipment_id": rows.get_column("shipment_id"), "content_hash": digests})


@lru_cache(maxsize=32)
def _row_text(columns: tuple[str, ...], skip: tuple[str, ...]) -> pl.Expr:
    """A row's fields as one text ``t`` (nulls marked), for its digest."""
    return pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("\u2400") for c in columns if c not in skip], separator="\x1f"
    ).alias("t")


# strongest first; ties by code, then item and evidence, so the same shipment always lists its reasons alike
_REASON_ORDER = ("shipment_id", "weight", "code", "item", "evidence")
_REASON_DESC = [False, True, False, False, False]


def reasons_text(reasons: pl.DataFrame) -> pl.DataFrame:
    """``shipment_id, reasons`` as ``code:weight:evidence | ...`` (strongest first)."""
    clean = pl.col("evidence").fill_null("").str.replace_all(r"[|\r\n]+", " ")
    return (
        reasons.sort(*_REASON_ORDER, descending=_REASON_DESC, nulls_last=True)
        .group_by("shipment_id", maintain_order=True)
        .agg(pl.concat_str([pl.col("code"), pl.col("weight").round(1).cast(pl.String), clean], separator=":")
             .str.join(" | ").alias("reasons"))
    )


def reasons_lists(reasons: pl.DataFrame) -> pl.DataFrame:
    """``shipment_id, reasons`` as a list of ``{code, weight, evidence, item, party}``."""
    return (
        reasons.sort(*_REASON_ORDER, descending=_REASON_DESC, nulls_last=True)
        .group_by("shipment_id", maintain_order=True)
        .agg(pl.struct("code", "weight", "evidence", "item", "party").alias("reasons"))
    )
