"""Screening runs: a reader's chunks through ``screen_batch``, stored when a store is given.

``ScreenRun`` is the one driver for every entry point — a CLI file, an HTTP
submission, a stream message — and records everything: raw payloads, canonical
versions, assessments (with the versions of every input the pass used), reasons
and rejects.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl

from interdictor.intake.base import IntakeChunk
from interdictor.model import REASON_SCHEMA, Reject, conform, empty
from interdictor.screen.parties.clusters import GROWN, GrownKeys
from interdictor.screen.parties.part import PartiesPart
from interdictor.screening.assembly import Screening
from interdictor.screening.batch import (
    content_hashes,
    intake_reasons,
    reasons_lists,
    reasons_text,
    screen_batch,
)
from interdictor.screening.loaders import day_history
from interdictor.screening.reassess import Reassessed, reassess
from interdictor.settings import Settings
from interdictor.store import repo, watches
from interdictor.store.db import Store
from interdictor.store.runs import RunSummary

log = logging.getLogger(__name__)


class WriteBehind:
    """Stores screened chunks in a thread of its own while the next chunk is screened.

    SQLite's and PostgreSQL's bulk writes run in C (or wait on the server) without
    the GIL, so on two cores writing chunk *n* overlaps screening chunk *n + 1*.
    At most ``depth`` chunks wait; a chunk whose shipments are still on their way
    to the store waits for them first (its versions must see them).  An error in
    the writer is raised in the caller's thread, by the next ``submit``, ``wait``
    or ``close``.
    """

    def __init__(self, store: Store, depth: int = 1) -> None:
        self.store = store
        self._q: queue.Queue[tuple[Callable[[], None], pl.Series] | None] = queue.Queue(maxsize=depth)
        self._pending: list[pl.Series] = []
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="interdictor-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            while True:
                job = self._q.get()
                try:
                    if job is None:
                        return
                    if self._error is None:
                        try:
                            job[0]()
                        except BaseException as exc:  # handed to the caller's thread
                            self._error = exc
                    with self._lock:
                        self._pending = [p for p in self._pending if p is not job[1]]
                finally:
                    self._q.task_done()
        finally:
            self.store.release_adbc()

    def _raise(self) -> None:
        if self._error is not None:
            exc, self._error = self._error, None
            raise exc

    def submit(self, write: Callable[[], None], ids: pl.Series) -> None:
        self._raise()
        with self._lock:
            self._pending.append(ids)
        self._q.put((write, ids))

    def wait_for(self, ids: pl.Series) -> None:
        """Return once none of ``ids`` is still waiting to be written."""
        with self._lock:
            pending = list(self._pending)
        if any(ids.is_in(p.implode()).any() for p in pending):
            self.wait()
        self._raise()

    def wait(self) -> None:
        self._q.join()
        self._raise()

    def close(self) -> None:
        if self._thread.is_alive():
            self._q.put(None)
            self._thread.join()
        self._raise()


class ScreenRun:
    """Screens the chunks of one source; stores them when given a store."""

    def __init__(
        self,
        screening: Screening,
        *,
        partner: str = "cli",
        source: str = "-",
        fmt: str | None = None,
        store: Store | None = None,
        corridor: str | None = None,
        list_reasons: bool = False,
        keep_frames: bool = False,
        write_behind: bool = False,
    ) -> None:
        self.screening = screening
        self.partner = partner
        self.fmt = fmt
        self.store = store
        self.corridor = corridor
        self.list_reasons = list_reasons
        self.keep_frames = keep_frames  # keep assessments and weighed reasons for callers (answers)
        self.summary = RunSummary(run_id=str(uuid.uuid4()), source=source, partner=partner,
                                  thresholds=dict(screening.calibration.exam_at), thresholds_version=screening.calibration.version)
        self._results: list[pl.DataFrame] = []
        self._assessed: list[pl.DataFrame] = []
        self._reasons: list[pl.DataFrame] = []
        self._started = time.perf_counter()
        self.rejects: list[Reject] = []
        # write_behind: chunks are stored in a thread of their own (whole files: the CLI)
        self._writer: WriteBehind | None = None
        self._finished = False
        self._watches = watches.watch_table(store) if store is not None else None
        # stored shipments this run's batches grew into a cluster that fires: re-assessed at ``finish``
        self._grown: GrownKeys | None = None
        self._ids: list[pl.Series] = []
        self.reassessed: Reassessed | None = None
        if store is not None and isinstance(screening.ctx.part("parties"), PartiesPart):
            self._grown = GrownKeys()
            self.screening = replace(screening, ctx=screening.ctx.with_part(GROWN, self._grown))
        if store is not None:
            repo.start_run(store, self.summary, fmt, screening.ruleset, screening.versions)
            if write_behind:
                self._writer = WriteBehind(store)

    def add(self, chunk: IntakeChunk) -> pl.DataFrame:
        """Screen (and store) one chunk; returns its assessments with reasons."""
        batch = chunk.batch
        s = self.summary
        s.rows += chunk.rows
        s.rejects += len(chunk.rejects)
        s.reject_rows += sum(1 for r in chunk.rejects if r.kind in ("row", "message", "file"))
        s.notices.extend(chunk.notices)
        self.rejects.extend(chunk.rejects)
        extra = [intake_reasons(batch, chunk.rejects)]
        now = datetime.now(UTC)
        heads = None
        hashes = empty({"shipment_id": pl.String, "content_hash": pl.String})
        if self.store is not None and len(batch):
            hashes = content_hashes(batch)
            if self._writer is not None:
                self._writer.wait_for(hashes.get_column("shipment_id"))
            heads = repo.versions_for(self.store, self.partner, hashes)
            amended = heads.filter(pl.col("status") == "amended")
            if amended.height:
                extra.append(amended.select(
                    "shipment_id", pl.lit("SHIPMENT_AMENDED").alias("code"), pl.lit(5.0).alias("weight"),
                    pl.format("filed again with different content: version {} replaces version {}",
                              pl.col("version"), pl.col("version") - 1).alias("evidence"),
                ))
        sc = self.screening
        assessed, reasons = screen_batch(batch, sc.ctx, sc.ruleset, sc.corridors,
                                         pl.concat([conform(e, REASON_SCHEMA) for e in extra]), sc.detectors,
                                         sc.calibration, self.partner)
        if self.store is not None:
            # watch hits are events written in the transaction that stores their shipments (the outbox)
            events = (self._watch_events(chunk, heads, assessed)
                      if self._watches is not None and not self._watches.is_empty() else None)
            # the rows are prepared here (polars, in parallel) so the writer thread only appends
            rows = repo.prepare_chunk(self.summary, chunk, hashes, heads, assessed, reasons, sc.ruleset, now,
                                      events)
            # the network is not grown here: it follows the stored shipments (``store.network.update``)
            store = self.store
            if self._writer is not None:
                # one writer: SQLite must never see two threads' bulk writes at once (a malformed file)
                self._writer.submit(lambda: rows.write(store), hashes.get_column("shipment_id"))
            else:
                rows.write(store)
            if heads is not None:
                s.new_versions += heads.filter(pl.col("status") != "unchanged").height
                s.amended += heads.filter(pl.col("status") == "amended").height
                s.unchanged += heads.filter(pl.col("status") == "unchanged").height
            s.stored = True
            if self._grown is not None:
                self._ids.append(batch.shipments.get_column("shipment_id"))
        s.shipments += len(batch)
        if self.keep_frames:
            self._assessed.append(assessed)
            self._reasons.append(reasons)
        if self.corridor is not None:
            inside = assessed.filter(pl.col("corridor") == self.corridor)
            s.outside_corridor += assessed.height - inside.height
            assessed = inside
        s.dispositions.update(assessed.get_column("disposition").to_list())
        text = reasons_lists(reasons) if self.list_reasons else reasons_text(reasons)
        out = assessed.join(text, on="shipment_id", how="left")
        if not self.list_reasons:
            out = out.with_columns(pl.col("reasons").fill_null(""))
        self._results.append(out)
        return out

    def _watch_events(self, chunk: IntakeChunk, heads: pl.DataFrame | None, assessed: pl.DataFrame) -> pl.DataFrame:
        """``watch.hit`` events of the shipments this chunk stores (new versions; an unchanged resubmission
        raises nothing again), written with them in one transaction."""
        assert self._watches is not None
        batch = chunk.batch
        ships = batch.shipments
        if heads is not None:
            ships = ships.join(heads.filter(pl.col("status") != "unchanged").select("shipment_id"),
                               on="shipment_id", how="semi")
        found = watches.hits(self._watches, self.partner, ships, batch.parties, assessed)
        return watches.hit_events(found, self.partner, ships)

    @property
    def assessed(self) -> pl.DataFrame:
        """Assessments of every chunk added so far (with ``keep_frames``)."""
        return pl.concat(self._assessed) if self._assessed else pl.DataFrame(
            schema={"shipment_id": pl.String, "score": pl.Float64, "disposition": pl.String, "corridor": pl.String})

    @property
    def reasons(self) -> pl.DataFrame:
        """Weighed reasons of every chunk added so far (with ``keep_frames``)."""
        return pl.concat(self._reasons) if self._reasons else empty(REASON_SCHEMA)

    def __enter__(self) -> ScreenRun:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self.close(exc if exc is not None else "the run was left before it finished")

    def close(self, error: BaseException | str | None = None) -> None:
        """End a run cut short: stop the write-behind thread after what it holds is written, and record
        the run as failed (with ``error``) unless it finished.  Safe to call after ``finish``."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            with contextlib.suppress(Exception):  # the run is being abandoned; its error is the caller's
                writer.close()
        if self.store is not None and not self._finished:
            self._finished = True
            why = error if isinstance(error, str) else (f"{type(error).__name__}: {error}" if error else "stopped")
            with contextlib.suppress(Exception):  # the store may be what failed
                repo.fail_run(self.store, self.summary, why)

    def finish(self) -> pl.DataFrame:
        """Ranked results of the whole run."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
        self.summary.seconds = time.perf_counter() - self._started
        if self.store is not None:
            repo.finish_run(self.store, self.summary)
        self._finished = True
        self._reassess_grown()
        if not self._results:
            schema = {"shipment_id": pl.String, "score": pl.Float64, "disposition": pl.String, "corridor": pl.String,
                      "reasons": pl.String}
            return empty(schema)
        return pl.concat(self._results).sort(["score", "shipment_id"], descending=[True, False])

    def _reassess_grown(self) -> None:
        """Re-assess the earlier stored shipments of the day whose cluster this run's files grew into one that
        fires (not this run's own), against the day as now stored, in a run whose trigger is
        ``cluster:RUN_ID``.  A failure is logged: this run's assessments are stored either way."""
        if self.store is None or self._grown is None:
            return
        keys = self._grown.keys()
        if self._ids:
            mine = pl.concat(self._ids).unique().implode()
            keys = keys.filter(~((pl.col("partner") == self.partner) & pl.col("shipment_id").is_in(mine)))
        if keys.is_empty():
            return
        try:
            settings = Settings()
            ctx = self.screening.ctx.with_part(GROWN, None)  # the re-assessment collects nothing further
            part = ctx.part("parties")
            assert isinstance(part, PartiesPart)
            with self.store.connect() as conn:
                day = day_history(conn, settings, part.clusters.window_days)
            sc = replace(self.screening, ctx=ctx.with_part("parties", replace(part, day=day)))
            self.reassessed = reassess(self.store, sc, keys, f"cluster:{self.summary.run_id}",
                                       days=settings.reassess_days)
        except Exception as exc:
            log.warning("%d shipments whose cluster grew were not re-assessed (%s: %s)", keys.height,
                        type(exc).__name__, exc)


def prefetch(chunks: Iterator[IntakeChunk], depth: int = 1) -> Iterator[IntakeChunk]:
    """Read the next chunk in a background thread while this one is screened.

    Parsing (numpy, polars) and screening (polars) release the GIL for most of
    their work, so on two cores reading and screening overlap.  An error in the
    reader is raised here, in the caller's thread, at the chunk where it happened.
    """
    q: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def pump() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                q.put(("chunk", chunk))
            q.put(("done", None))
        except BaseException as exc:  # handed to the consumer, who raises it
            q.put(("error", exc))

    thread = threading.Thread(target=pump, name="interdictor-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(item, BaseException)
                raise item
            assert isinstance(item, IntakeChunk)
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting to put, then let it finish
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


__all__ = ["RunSummary", "ScreenRun", "WriteBehind", "prefetch"]
