"""Screening submissions: the same ``ScreenRun`` as the CLI, fed by a micro-batcher.

Each request parses its own payload (in the request's worker thread); one writer
thread then screens and stores whatever submissions are waiting, together, as
one batch.  At low traffic a batch is one submission (lowest latency); under
load batches grow by themselves, so the fixed cost of a screening pass is shared
instead of queueing up — this is what keeps p99 flat as the request rate climbs.
One writer also means one ADBC connection and no write contention on SQLite.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.dispatch import read_source
from interdictor.model import Batch, Reject
from interdictor.pipeline import ScreenRun
from interdictor.reference.corridors import CorridorConfig
from interdictor.score.rules import RuleSet
from interdictor.screen.context import Context
from interdictor.service import answering
from interdictor.settings import Settings
from interdictor.store.db import Store

log = logging.getLogger(__name__)

MAX_BATCH_SHIPMENTS = 5_000


@dataclass
class Submission:
    partner: str
    source: str
    fmt: str
    chunks: list[IntakeChunk]
    future: Future[SubmissionResult] = field(default_factory=Future)

    @property
    def ids(self) -> set[str]:
        return {s for c in self.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()}

    @property
    def size(self) -> int:
        return sum(len(c.batch) for c in self.chunks)


@dataclass
class SubmissionResult:
    run_id: str
    fmt: str
    shipments: list[dict[str, Any]]
    rejects: list[Reject]
    notices: list[str]
    ruleset: str


@dataclass
class Screening:
    """The read-only screening state: loaded once, swapped whole after a change."""

    ctx: Context
    ruleset: RuleSet
    corridors: CorridorConfig


def parse(payload: bytes, *, source: str, fmt: str | None, profile: str | None, settings: Settings) -> tuple[str, list[IntakeChunk]]:
    """Read a submitted payload with the reader of its format.  ``IntakeError`` when it cannot be read at all."""
    from interdictor.intake.mapping import load_profile

    prof = load_profile(profile) if profile else None
    opts = ReadOptions(source_name=source, chunk_rows=settings.chunk_rows)
    detected, chunks = read_source(io.BytesIO(payload), fmt, opts, prof)
    return detected, list(chunks)


def merge(parts: list[tuple[str, str, IntakeChunk]]) -> IntakeChunk:
    """One chunk holding chunks of several submissions: (raw id prefix, source, chunk); raw ids kept apart."""
    batches: list[Batch] = []
    out = IntakeChunk(batch=Batch.empty())
    for prefix, source, chunk in parts:
        raws = [replace(r, raw_id=prefix + r.raw_id, source=source) for r in chunk.raw]
        out.raw.extend(raws)
        if chunk.raw_of:
            out.raw_of.update({sid: prefix + rid for sid, rid in chunk.raw_of.items()})
        elif len(raws) == 1:
            out.raw_of.update({sid: raws[0].raw_id for sid in chunk.batch.shipments.get_column("shipment_id").to_list()})
        # the store keeps a reject's field name in 64 characters; XML element paths can be longer
        out.rejects.extend(r if r.field is None or len(r.field) <= 64 else replace(r, field="…" + r.field[-63:])
                           for r in chunk.rejects)
        out.notices.extend(chunk.notices)
        out.rows += chunk.rows
        batches.append(chunk.batch)
    out.batch = Batch.concat(batches) if batches else Batch.empty()
    return out


def layers(subs: list[Submission]) -> list[list[tuple[str, str, IntakeChunk]]]:
    """Chunks grouped so that no layer holds a shipment id twice.

    A message sent again later in the same file is a new version of the shipment:
    it must be screened after the earlier one, as the CLI does chunk by chunk.
    """
    out: list[list[tuple[str, str, IntakeChunk]]] = []
    ids: list[set[str]] = []
    for i, sub in enumerate(subs):
        floor = 0
        for j, chunk in enumerate(sub.chunks):
            mine = set(chunk.batch.shipments.get_column("shipment_id").to_list())
            k = floor
            while k < len(out) and ids[k] & mine:
                k += 1
            if k == len(out):
                out.append([])
                ids.append(set())
            out[k].append((f"s{i}c{j}.", sub.source, chunk))
            ids[k] |= mine
            floor = k
    return out


class Screener:
    """Screens submissions against the store with one writer thread."""

    def __init__(self, store: Store, screening: Screening) -> None:
        self.store = store
        self.screening = screening
        self._q: queue.SimpleQueue[Submission | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.submissions = 0

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="interdictor-screener", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._q.put(None)
                self._thread.join(timeout=30)
                self._thread = None

    def submit(self, sub: Submission, timeout: float = 120.0) -> SubmissionResult:
        self.start()
        self._q.put(sub)
        return sub.future.result(timeout=timeout)

    # ---------------------------------------------------------------- writer thread

    def _loop(self) -> None:
        pending: list[Submission] = []
        while True:
            if not pending:
                first = self._q.get()
                if first is None:
                    return
                pending.append(first)
            stop = False
            while sum(s.size for s in pending) < MAX_BATCH_SHIPMENTS:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                pending.append(nxt)
            pending = self._run_round(pending)
            if stop:
                for sub in pending:
                    sub.future.set_exception(RuntimeError("the service is shutting down"))
                return

    def _run_round(self, pending: list[Submission]) -> list[Submission]:
        """Screen what can go together now; returns what must wait (same shipment sent twice)."""
        later: list[Submission] = []
        groups: dict[str, list[Submission]] = {}
        seen: dict[str, set[str]] = {}
        for sub in pending:
            ids = sub.ids
            taken = seen.setdefault(sub.partner, set())
            if ids & taken:
                later.append(sub)  # a version must be settled before the next one is compared to it
                continue
            taken |= ids
            groups.setdefault(sub.partner, []).append(sub)
        for partner, subs in groups.items():
            try:
                self._screen(partner, subs)
            except Exception as exc:
                log.exception("screening a batch of %d submissions failed", len(subs))
                for sub in subs:
                    if not sub.future.done():
                        sub.future.set_exception(exc)
        return later

    def _screen(self, partner: str, subs: list[Submission]) -> None:
        sc = self.screening
        source = subs[0].source if len(subs) == 1 else f"{len(subs)} submissions: " + ", ".join(s.source for s in subs[:5])
        run = ScreenRun(ctx=sc.ctx, ruleset=sc.ruleset, corridors=sc.corridors, partner=partner, source=source[:500],
                        fmt=subs[0].fmt if len({s.fmt for s in subs}) == 1 else "mixed", store=self.store,
                        list_reasons=True)
        by_id: dict[str, dict[str, Any]] = {}
        for layer in layers(subs):
            chunk = merge(layer)
            got = run.add(chunk)
            ids = chunk.batch.shipments.select("shipment_id", "hawb", "mawb", "postal_item_id")
            by_id.update({r["shipment_id"]: r for r in got.join(ids, on="shipment_id", how="left").to_dicts()})
        run.finish()
        self.batches += 1
        self.submissions += len(subs)
        for sub in subs:
            mine = list(dict.fromkeys(s for c in sub.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()))
            ships = [_shipment_answer(by_id[s], sc.ruleset) for s in mine if s in by_id]
            rejects = [r for c in sub.chunks for r in c.rejects]
            notices = [n for c in sub.chunks for n in c.notices]
            sub.future.set_result(SubmissionResult(run.summary.run_id, sub.fmt, ships, rejects, notices,
                                                   sc.ruleset.label))


def _shipment_answer(row: dict[str, Any], ruleset: RuleSet) -> dict[str, Any]:
    reasons = row.get("reasons") or []
    view = answering.partner_view(row["disposition"], reasons, ruleset)
    return {
        "shipment_id": row["shipment_id"], "hawb": row.get("hawb"), "mawb": row.get("mawb"),
        "postal_item_id": row.get("postal_item_id"), **view,
        "score": row["score"], "disposition": row["disposition"], "corridor": row.get("corridor"),
        "reasons": [{"code": r["code"], "weight": r["weight"], "evidence": r["evidence"]} for r in reasons],
    }


def load_screening(store: Store | None, settings: Settings) -> Screening:
    """Context, active rule set and corridors, read from the store (or shipped data without one)."""
    from interdictor.screen.loaders import load_context
    from interdictor.service.config import active_ruleset, corridor_config

    if store is None:
        return Screening(load_context(settings, None), active_ruleset(None, settings), corridor_config(None, settings))
    with store.connect() as conn:
        return Screening(load_context(settings, conn), active_ruleset(conn, settings), corridor_config(conn, settings))


def results_frame(result: SubmissionResult) -> pl.DataFrame:
    return pl.DataFrame(result.shipments) if result.shipments else pl.DataFrame()


__all__ = ["IntakeError", "Screener", "Screening", "Submission", "SubmissionResult", "load_screening", "parse"]
