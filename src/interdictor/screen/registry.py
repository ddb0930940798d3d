"""Which detectors run, in order.  Add a detector by adding a line here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, conform, empty
from interdictor.screen.context import Context

Detector = Callable[[Batch, Context], pl.DataFrame]

log = logging.getLogger(__name__)


def _detectors() -> dict[str, Detector]:
    from interdictor.screen import consistency, goods, parties, route

    return {
        "route": route.detect,
        "consistency": consistency.detect,
        "parties": parties.detect,
        "goods": goods.detect,
    }


def available() -> dict[str, Detector]:
    return _detectors()


def run_detectors(batch: Batch, ctx: Context, names: Iterable[str] | None = None) -> pl.DataFrame:
    """Run the named detectors (all by default) and stack their reasons.

    A detector that fails on a batch is a bug, not bad data; it is logged with the
    detector's name and the batch continues through the others, so one broken
    detector cannot stop screening.
    """
    detectors = available()
    frames = []
    for name in names or detectors:
        try:
            out = detectors[name](batch, ctx)
        except Exception:
            log.exception("detector %r failed on a batch of %d shipments", name, len(batch))
            continue
        if out.height:
            frames.append(conform(out, REASON_SCHEMA))
    return pl.concat(frames) if frames else empty(REASON_SCHEMA)
