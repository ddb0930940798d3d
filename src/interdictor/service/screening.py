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
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.dispatch import read_source
from interdictor.intake.mapping import Profile
from interdictor.model import Batch, Reject, empty
from interdictor.screening import Screening, ScreenRun
from interdictor.screening.assembly import refresh
from interdictor.service import answering, coalesce
from interdictor.settings import Settings
from interdictor.store.db import Store
from interdictor.store.network import IDLE_GROWTH, keep_up

log = logging.getLogger(__name__)

MAX_BATCH_SHIPMENTS = 5_000  # a partner's share of one writer round
GONE_POLL = 1.0  # seconds between asking whether a waiting client is still there
STOP_WAIT = 1.5  # seconds a stopping service gives the screening under way


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
                    _settle(s.future, exc=exc)
                    s.chunks = []
                s.pending = None
                out.append([(f"p{g}s{k}c{j}.", s.source, c) for j, c in enumerate(s.chunks)])
            continue
        for s, got in zip(group, per, strict=True):
            s.joined = got
        out.append([(f"g{g}.", None, c) for c in chunks])  # one prefix: raw ids are shared by the group's chunks
    return out


class ClientGone(Exception):
    """The client of a waiting submission went away; its submission is dropped if not yet started."""


def _settle(fut: Future[SubmissionResult], result: SubmissionResult | None = None,
            exc: BaseException | None = None) -> None:
    """Give a submission its outcome unless it has one (its client may have cancelled it meanwhile)."""
    if fut.done():
        return
    try:
        if exc is not None:
            fut.set_exception(exc)
        elif result is not None:
            fut.set_result(result)
    except InvalidStateError:  # cancelled between the check and the set
        pass


class Screener:
    """Screens submissions against the store with one writer thread, partners taking turns.

    Each partner has a queue; a writer round takes from every partner with work, in turn,
    up to ``MAX_BATCH_SHIPMENTS`` shipments each (at least one submission) — so a partner's
    large upload delays another partner's submission by one share, not by all of it.  A
    submission whose client went away before the writer took it is dropped unscreened.
    """

    def __init__(self, store: Store, screening: Screening, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.screening = screening
        self._cv = threading.Condition()
        self._queues: dict[str, deque[Submission]] = {}
        self._turns: deque[str] = deque()  # partners with work waiting, in the order they are served
        self._waiting = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.submissions = 0
        self.dropped = 0  # submissions cancelled (client gone, wait timed out) before the writer took them
        self.busy_seconds = 0.0  # writer time spent reading joined bodies, screening and storing
        self.read_seconds = 0.0  # of which: reading joined CSV bodies

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._loop, name="interdictor-screener", daemon=True)
                self._thread.start()

    def stop(self, wait: float = STOP_WAIT) -> None:
        """Stop taking work; waiting submissions fail with 'shutting down'.  A screening under way is given
        ``wait`` seconds: the thread is a daemon, so a long one cannot hold the process (its transaction
        is not committed, and the partner sends again)."""
        with self._lock:
            if self._thread is not None:
                with self._cv:
                    self._stopping = True
                    self._cv.notify_all()
                self._thread.join(timeout=wait)
                self._thread = None
        self._fail_waiting()

    def backlog(self) -> int:
        """Submissions waiting for the writer."""
        return self._waiting

    def put(self, sub: Submission) -> None:
        """Queue a submission behind its partner's earlier ones."""
        with self._cv:
            q = self._queues.get(sub.partner)
            if q is None:
                q = self._queues[sub.partner] = deque()
                self._turns.append(sub.partner)
            q.append(sub)
            self._waiting += 1
            self._cv.notify()

    def submit(self, sub: Submission, timeout: float = 120.0) -> SubmissionResult:
        self.start()
        self.put(sub)
        try:
            return sub.future.result(timeout=timeout)
        finally:
            sub.future.cancel()  # a no-op once settled; otherwise the writer skips it

    async def submit_async(self, sub: Submission, timeout: float = 120.0,
                           gone: Callable[[], Awaitable[bool]] | None = None) -> SubmissionResult:
        """Wait for the writer without holding a worker thread: thousands of requests can wait at once,
        so batches grow with the load instead of being capped by the thread pool.  ``gone`` (the
        request's ``is_disconnected``) is asked every second; when the client has left, or the wait
        times out or is cancelled, a submission the writer has not taken yet is dropped."""
        self.start()
        self.put(sub)
        waiter = asyncio.wrap_future(sub.future)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError
                done, _ = await asyncio.wait({waiter}, timeout=min(left, GONE_POLL))
                if done:
                    return waiter.result()
                if gone is not None and await gone():
                    raise ClientGone
        finally:
            sub.future.cancel()

    # ---------------------------------------------------------------- writer thread

    def take_round(self, block: bool = True) -> list[Submission] | None:
        """The next round of work: each partner with work, in turn, up to its share.  None when stopping
        (or, without ``block``, when nothing waits)."""
        with self._cv:
            while not self._turns and not self._stopping and block:
                self._cv.wait()
            if self._stopping or not self._turns:
                return None
            picked: list[Submission] = []
            for _ in range(len(self._turns)):
                partner = self._turns.popleft()
                q = self._queues[partner]
                share = MAX_BATCH_SHIPMENTS
                took = 0
                while q:
                    sub = q[0]
                    if sub.future.cancelled():
                        q.popleft()
                        self._waiting -= 1
                        self.dropped += 1
                        continue
                    if took and sub.size > share:
                        break
                    q.popleft()
                    self._waiting -= 1
                    picked.append(sub)
                    share -= sub.size
                    took += 1
                if q:
                    self._turns.append(partner)  # the rest waits for the next round, behind the others
                else:
                    del self._queues[partner]
            return picked

    def _requeue(self, subs: list[Submission]) -> None:
        """Put submissions back at the head of their partners' queues (a shipment sent twice must wait
        for its earlier version)."""
        with self._cv:
            for sub in reversed(subs):
                q = self._queues.get(sub.partner)
                if q is None:
                    q = self._queues[sub.partner] = deque()
                    self._turns.appendleft(sub.partner)
                q.appendleft(sub)
                self._waiting += 1

    def _fail_waiting(self) -> None:
        with self._cv:
            subs = [s for q in self._queues.values() for s in q]
            self._queues.clear()
            self._turns.clear()
            self._waiting = 0
        for sub in subs:
            _settle(sub.future, exc=RuntimeError("the service is shutting down"))

    def _loop(self) -> None:
        while True:
            picked = self.take_round()
            if picked is None:
                return
            self._requeue(self._run_round(picked))
            # nothing waits: the network follows what was stored (in this thread, the store's one writer), a
            # slice at a time, the queue looked at between slices
            while not self._waiting and not self._stopping:
                grown = keep_up(self.store, most=IDLE_GROWTH)
                if grown is None or not grown.more:
                    break

    def _run_round(self, pending: list[Submission]) -> list[Submission]:
        """Screen what can go together now, partner by partner; returns what must wait (same shipment sent
        twice) or was not reached because the service is stopping."""
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
            subs = [s for s in subs if not s.future.cancelled()]
            if self._stopping:
                later.extend(subs)
                continue
            if not subs:
                continue
            try:
                self._screen(partner, subs)
            except Exception as exc:
                log.exception("screening a batch of %d submissions failed", len(subs))
                for sub in subs:
                    _settle(sub.future, exc=exc)
        return later

    def _screen(self, partner: str, subs: list[Submission]) -> None:
        sc = self.screening = refresh(self.screening, self.store, self.settings)
        source = subs[0].source if len(subs) == 1 else f"{len(subs)} submissions: " + ", ".join(s.source for s in subs[:5])
        with ScreenRun(sc, partner=partner, source=source[:500],
                       fmt=subs[0].fmt if len({s.fmt for s in subs}) == 1 else "mixed", store=self.store,
                       list_reasons=True) as run:
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
            _settle(sub.future, SubmissionResult(run.summary.run_id, sub.fmt, ships, rejects, notices,
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


__all__ = ["ClientGone", "IntakeError", "Screener", "Submission", "SubmissionResult", "parse"]
