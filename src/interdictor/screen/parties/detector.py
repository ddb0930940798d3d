"""The parties detector: ``detect(batch, ctx) -> reasons``.

Pure: everything it knows comes from ``ctx.part("parties")`` (built by
``loader.load_parties``); with no part it returns no reasons.  Work is on
columns and on distinct values; per-row Python runs only for parties that hit
a list, share an address, or belong to a group worth a look.
"""

from __future__ import annotations

import logging

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, conform, empty, reasons_frame
from interdictor.screen.context import Context
from interdictor.screen.parties import clusters
from interdictor.screen.parties.actors import link_actors, repeat_consignees, split_reasons
from interdictor.screen.parties.address_reasons import address_reasons
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.list_reasons import list_reasons, strongest_per_entry
from interdictor.screen.parties.part import PartiesPart

log = logging.getLogger(__name__)

PART = "parties"


def detect(batch: Batch, ctx: Context) -> pl.DataFrame:
    part = ctx.part(PART)
    if not isinstance(part, PartiesPart) or batch.parties.is_empty():
        return empty(REASON_SCHEMA)
    parties = annotate(batch.parties)
    frames = []
    rows = strongest_per_entry(list_reasons(parties, part))
    if rows:
        frames.append(reasons_frame({k: v for k, v in r.items() if not k.startswith("_")} for r in rows))
    frames.append(address_reasons(parties, batch.items, part))
    clustered = clusters.in_context(batch, ctx, parties)
    frames.append(clustered.reasons)
    sink = ctx.part(clusters.GROWN)
    if isinstance(sink, clusters.GrownKeys):  # a storing run re-assesses them at its end
        sink.add(clustered.grown)
    # actors only where a split consignment is possible: a consignee seen several times
    repeat = repeat_consignees(parties, part.config)
    if repeat.height:  # most batches of a few shipments: no consignee recurs, nothing to link
        actors, _ = link_actors(repeat, part.config.threshold, evidence=False)
        frames.append(split_reasons(actors, batch.shipments, part.config))
    frames = [f for f in frames if f.height]
    if not frames:
        return empty(REASON_SCHEMA)
    return one_per_code(pl.concat([conform(f, REASON_SCHEMA) for f in frames]))


def one_per_code(reasons: pl.DataFrame, also: int = 3) -> pl.DataFrame:
    """One reason per shipment, party and code: the heaviest, with the others in its evidence.

    Two list entries of one supplier (its OFAC entry and its indictment) or two
    inconsistencies of one address are one finding; counted twice, noisy-or would
    take them for independent evidence."""
    ranked = reasons.sort("weight", descending=True, maintain_order=True)
    out = ranked.group_by("shipment_id", "party", "code", maintain_order=True).agg(
        pl.col("weight").first(),
        pl.col("evidence").first().alias("_first"),
        pl.col("evidence").slice(1, also).alias("_more"),
        pl.len().alias("_n"),
        pl.col("item").first(),
    )
    more = pl.col("_more").list.join(" ‖ ")
    evidence = (
        pl.when(pl.col("_n") > 1)
        .then(pl.format("{} ‖ also: {}", pl.col("_first"), more))
        .otherwise(pl.col("_first"))
    )
    return conform(out.with_columns(evidence.alias("evidence")), REASON_SCHEMA)
