"""Which detectors run, in order.  Add a detector by adding a line here."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

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


SMALL_BATCH = 2_000  # shipments up to which the detectors run side by side
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def side_pool() -> ThreadPoolExecutor:
    """Threads for screening work run beside the caller's (small batches' detectors, the risk model)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="interdictor-detector")
        return _pool


def run_detectors(batch: Batch, ctx: Context, names: Iterable[str] | None = None) -> pl.DataFrame:
    """Run the named detectors (all by default) and stack their reasons, in the order named.

    A small batch (a few submissions to the service, a message from the stream) costs each
    detector a few hundred small table operations, each of which lets go of the interpreter
    while it runs: run side by side, the detectors overlap on the two cores.  A large batch
    keeps both cores busy within each operation already, so its detectors run one by one.
    Detectors are pure functions of the batch and the read-only context (the goods memos lock
    what they update), so the order they run in changes nothing.

    A detector that fails on a batch is a bug, not bad data; it is logged with the
    detector's name and the batch continues through the others, so one broken
    detector cannot stop screening.
    """
    detectors = available()
    order = list(names or detectors)
    runs: list[Future[pl.DataFrame] | None] = [None] * len(order)
    if len(batch) <= SMALL_BATCH and len(order) > 1:
        pool = side_pool()
        runs[1:] = [pool.submit(detectors[name], batch, ctx) if name in detectors else None for name in order[1:]]
    frames = []
    for name, run in zip(order, runs, strict=True):
        try:
            out = detectors[name](batch, ctx) if run is None else run.result()
        except Exception:
            log.exception("detector %r failed on a batch of %d shipments", name, len(batch))
            continue
        if out.height:
            frames.append(conform(out, REASON_SCHEMA))
    return pl.concat(frames) if frames else empty(REASON_SCHEMA)
