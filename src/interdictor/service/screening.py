"""Screening submissions: the same ``ScreenRun`` as the CLI, fed by a micro-batcher.

Each request parses its own payload (in the request's worker thread); one writer
thread then screens and stores whatever submissions are waiting, together, as
one batch.  At low traffic a batch is one submission (lowest latency); under
load batches grow by themselves, so the fixed cost of a screening pass is shared
instead of queueing up — this is what keeps p99 flat as the request rate climbs.
One writer also means one ADBC connection and no write contention on SQLite.
"""

from __future__ import annotations

import asyncio
import io
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.dispatch import read_source
from interdictor.intake.mapping import Profile
from interdictor.model import Batch, Reject, empty
from interdictor.screening import Screening, ScreenRun
from interdictor.service import answering, coalesce
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
    pending: coalesce.Pending | None = None  # a small CSV body, read together with others by the writer
    joined: coalesce.Coalesced | None = None  # what it got back from the joined read

    @property
    def ids(self) -> set[str]:
        if self.pending is not None:
            return set(self.pending.ids)
        return {s for c in self.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()}

    @property
    def size(self) -> int:
        if self.pending is not None:
            return len(self.pending.rows)
        return sum(len(c.batch) for c in self.chunks)


@dataclass
class SubmissionResult:
    run_id: str
    fmt: str
    shipments: list[dict[str, Any]]
    rejects: list[Reject]
    notices: list[str]
    ruleset: str


def parse(payload: bytes, *, source: str, fmt: str | None, profile: Profile | None, settings: Settings) -> tuple[str, list[IntakeChunk]]:
    """Read a submitted payload with the reader of its format.  ``IntakeError`` when it cannot be read at all.

    ``profile`` is a profile already found by name (``api_shipments.named_profile``): never a path."""
    opts = ReadOptions(source_name=source, chunk_rows=settings.chunk_rows)
    detected, chunks = read_source(io.BytesIO(payload), fmt, opts, profile)
    return detected, list(chunks)


def merge(parts: list[tuple[str, str | None, IntakeChunk]]) -> IntakeChunk:
    """One chunk holding chunks of several submissions: (raw id prefix, source or None to keep, chunk)."""
    batches: list[Batch] = []
    out = IntakeChunk(batch=Batch.empty())
    for prefix, source, chunk in parts:
        raws = [replace(r, raw_id=prefix + r.raw_id, source=source or r.source) for r in chunk.raw]
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


Unit = tuple[str, str | None, IntakeChunk]


def layers(units: list[list[Unit]]) -> list[list[Unit]]:
    """Chunks grouped so that no layer holds a shipment id twice.

    ``units`` has one list per submission (or joined group), in order.  A message
    sent again later in the same file is a new version of the shipment: it must be
    screened after the earlier one, as the CLI does chunk by chunk.
    """
    out: list[list[Unit]] = []
    ids: list[set[str]] = []
    for seq in units:
        floor = 0
        for unit in seq:
            mine = set(unit[2].batch.shipments.get_column("shipment_id").to_list())
            k = floor
            while k < len(out) and ids[k] & mine:
                k += 1
            if k == len(out):
                out.append([])
                ids.append(set())
            out[k].append(unit)
            ids[k] |= mine
            floor = k
    return out


def units_of(subs: list[Submission], settings: Settings) -> list[list[Unit]]:
    """The chunks to screen: parsed submissions as they are, waiting CSV bodies read together per header."""
    out: list[list[Unit]] = []
    for i, sub in enumerate(subs):
        if sub.pending is None:
            out.append([(f"s{i}c{j}.", sub.source, c) for j, c in enumerate(sub.chunks)])
    waiting = [(i, s) for i, s in enumerate(subs) if s.pending is not None]
    for g, idx in enumerate(coalesce.groups([(s.partner, s.pending) for _, s in waiting if s.pending is not None])):
        group = [waiting[k][1] for k in idx]
        bodies = [s.pending for s in group if s.pending is not None]
        try:
            chunks, per = coalesce.read_joined(bodies, [s.source for s in group],
                                               ReadOptions(source_name=group[0].source, chunk_rows=settings.chunk_rows))
        except IntakeError:  # the joined read failed as a whole: read each body alone, each gets its own error
            for k, s in zip(idx, group, strict=True):
                try:
                    _, s.chunks = parse(s.pending.payload if s.pending else b"", source=s.source, fmt="manifest-csv",
                                        profile=None, settings=settings)
                except (IntakeError, ValueError) as exc:
                    s.future.set_exception(exc)
                    s.chunks = []
                s.pending = None
                out.append([(f"p{g}s{k}c{j}.", s.source, c) for j, c in enumerate(s.chunks)])
            continue
        for s, got in zip(group, per, strict=True):
            s.joined = got
        out.append([(f"g{g}.", None, c) for c in chunks])  # one prefix: raw ids are shared by the group's chunks
    return out


class Screener:
    """Screens submissions against the store with one writer thread."""

    def __init__(self, store: Store, screening: Screening, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.screening = screening
        self._q: queue.SimpleQueue[Submission | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.submissions = 0
        self.busy_seconds = 0.0  # writer time spent reading joined bodies, screening and storing
        self.read_seconds = 0.0  # of which: reading joined CSV bodies

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

    def backlog(self) -> int:
        """Submissions waiting for the writer."""
        return self._q.qsize()

    def submit(self, sub: Submission, timeout: float = 120.0) -> SubmissionResult:
        self.start()
        self._q.put(sub)
        return sub.future.result(timeout=timeout)

    async def submit_async(self, sub: Submission, timeout: float = 120.0) -> SubmissionResult:
        """Wait for the writer without holding a worker thread: thousands of requests can wait at once,
        so batches grow with the load instead of being capped by the thread pool."""
        self.start()
        self._q.put(sub)
        return await asyncio.wait_for(asyncio.wrap_future(sub.future), timeout)

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
        run = ScreenRun(sc, partner=partner, source=source[:500],
                        fmt=subs[0].fmt if len({s.fmt for s in subs}) == 1 else "mixed", store=self.store,
                        list_reasons=True)
        by_id: dict[str, dict[str, Any]] = {}
        t0 = time.perf_counter()
        units = units_of(subs, self.settings)
        self.read_seconds += time.perf_counter() - t0
        for layer in layers(units):
            chunk = merge(layer)
            got = run.add(chunk)
            ids = chunk.batch.shipments.select("shipment_id", "hawb", "mawb", "postal_item_id")
            flat = (got.select("shipment_id", "reasons").explode("reasons").drop_nulls("reasons").unnest("reasons")
                    if got.height else empty({"shipment_id": pl.String, "code": pl.String,
                                              "weight": pl.Float64, "evidence": pl.String}))
            said = answering.answers_of(ids, got.select("shipment_id", "disposition"), flat, sc.ruleset)
            for r in got.join(ids, on="shipment_id", how="left").to_dicts():
                by_id[r["shipment_id"]] = {**r, **said.get(r["shipment_id"], {})}
        run.finish()
        self.busy_seconds += time.perf_counter() - t0
        self.batches += 1
        self.submissions += len(subs)
        for sub in subs:
            if sub.future.done():
                continue
            if sub.joined is not None:
                mine, rejects, notices = sub.joined.ids, sub.joined.rejects, sub.joined.notices
            else:
                mine = [s for c in sub.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()]
                rejects = [r for c in sub.chunks for r in c.rejects]
                notices = [n for c in sub.chunks for n in c.notices]
            ships = [_shipment_answer(by_id[s]) for s in dict.fromkeys(mine) if s in by_id]
            sub.future.set_result(SubmissionResult(run.summary.run_id, sub.fmt, ships, rejects, notices,
                                                   sc.ruleset.label))


def _shipment_answer(row: dict[str, Any]) -> dict[str, Any]:
    reasons = row.get("reasons") or []
    return {
        "shipment_id": row["shipment_id"], "hawb": row.get("hawb"), "mawb": row.get("mawb"),
        "postal_item_id": row.get("postal_item_id"), "answer": row.get("answer", "accepted"),
        "reason_codes": row.get("reason_codes", []), "data_requested": row.get("data_requested", []),
        "score": row["score"], "disposition": row["disposition"], "corridor": row.get("corridor"),
        "reasons": [{"code": r["code"], "weight": r["weight"], "evidence": r["evidence"]} for r in reasons],
    }


def results_frame(result: SubmissionResult) -> pl.DataFrame:
    return pl.DataFrame(result.shipments) if result.shipments else pl.DataFrame()


__all__ = ["IntakeError", "Screener", "Submission", "SubmissionResult", "parse"]
