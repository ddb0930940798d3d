"""``interdictor worker``: a durable JetStream pull consumer shared by any number of workers.

Each fetch takes up to ``batch`` messages; they are processed together (one
screening pass per partner), the results recorded, answers and dead letters
published, and only then acknowledged.  A worker that dies before acknowledging
leaves its messages to be redelivered to another after ``ack_wait``; the ledger
and content-compared versions make the redelivery a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nats
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.errors import NotFoundError

from interdictor.alerts import DeliveryThread
from interdictor.background import ChoreThread, chores
from interdictor.screening import Screening, assemble
from interdictor.screening.assembly import refresh
from interdictor.screening.reassess import with_current_network
from interdictor.settings import Settings
from interdictor.store.db import Store, open_store
from interdictor.store.network import IDLE_GROWTH, keep_up
from interdictor.stream import subjects as sj
from interdictor.stream.process import Incoming, Result, process

log = logging.getLogger(__name__)
MARKS_EVERY = 60.0  # seconds between readings of the seizure marks (a seizure reaches the screens this soon)


@dataclass
class WorkerStats:
    processed: int = 0
    duplicates: int = 0
    dead: int = 0
    failed_batches: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


async def ensure_streams(js: nats.js.JetStreamContext, names: sj.Names) -> None:
    """Create the intake, answers and dead-letter streams when they do not exist yet."""
    wanted = [
        StreamConfig(name=names.intake_stream, subjects=[f"{names.intake_prefix}.>"],
                     retention=RetentionPolicy.WORK_QUEUE, max_msg_size=16 * 1024 * 1024, duplicate_window=120.0),
        StreamConfig(name=names.answers_stream, subjects=[f"{names.ns}.answers.>"], max_age=7 * 24 * 3600.0),
        StreamConfig(name=names.dead_stream, subjects=[f"{names.ns}.dead.>"], max_age=30 * 24 * 3600.0),
    ]
    for cfg in wanted:
        assert cfg.name is not None
        try:
            await js.stream_info(cfg.name)
        except NotFoundError:
            await js.add_stream(cfg)


async def ensure_consumer(js: nats.js.JetStreamContext, names: sj.Names, ack_wait: float) -> None:
    try:
        await js.consumer_info(names.intake_stream, names.durable)
    except NotFoundError:
        await js.add_consumer(names.intake_stream, ConsumerConfig(
            durable_name=names.durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=ack_wait, max_deliver=-1,
            max_ack_pending=10_000, filter_subject=f"{names.intake_prefix}.>",
        ))


async def run_worker(
    settings: Settings,
    *,
    batch: int = 100,
    ack_wait: float = 30.0,
    idle_exit: float | None = None,
    name: str | None = None,
    on_result: Callable[[Result], None] | None = None,
    store: Store | None = None,
    screening: Screening | None = None,
    deliver: bool = True,
    background: bool = True,
) -> WorkerStats:
    """Consume until SIGINT/SIGTERM (or ``idle_exit`` seconds without a message).  With ``deliver``, the
    alert deliverer runs beside it in a thread of its own (watch hits of the batches it screens); with
    ``background``, the chores (close notification windows, refresh the learned set) in another."""
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    names = sj.Names(settings.stream_namespace)
    own_store = store is None
    store = store or open_store(settings.resolved_database_url())
    if screening is None:
        screening = await asyncio.to_thread(assemble, settings, store)
    stats = WorkerStats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    nc = await nats.connect(settings.nats_url, name=f"interdictor-worker-{name}", connect_timeout=5,
                            max_reconnect_attempts=-1)
    deliverer = DeliveryThread(store, settings) if deliver else None
    if deliverer is not None:
        deliverer.start()
    chore_thread = ChoreThread(chores(store, settings, on_emit=deliverer.wake if deliverer else None)) \
        if background else None
    if chore_thread is not None:
        chore_thread.start()
    try:
        js = nc.jetstream()
        await ensure_streams(js, names)
        await ensure_consumer(js, names, ack_wait)
        sub = await js.pull_subscribe(f"{names.intake_prefix}.>", durable=names.durable, stream=names.intake_stream)
        idle = 0.0
        grown_more = False
        marked = time.monotonic()
        while not stop.is_set():
            try:
                msgs = await sub.fetch(batch, timeout=1.0)
            except (TimeoutError, nats.errors.TimeoutError):
                idle += 1.0
                if idle == 1.0 or grown_more:  # idle after work: the network follows what was stored, a slice a second
                    grown = await asyncio.to_thread(keep_up, store, None, IDLE_GROWTH)
                    grown_more = grown is not None and grown.more
                if idle_exit is not None and idle >= idle_exit:
                    break
                continue
            idle = 0.0
            if time.monotonic() - marked >= MARKS_EVERY:  # seizures recorded since reach this worker's screens
                screening = await asyncio.to_thread(with_current_network, screening, store, settings)
                marked = time.monotonic()
            incoming = [Incoming(m.subject, m.data, seq=m.metadata.sequence.stream if m.metadata else None, names=names)
                        for m in msgs]
            try:  # a model activated or a set learned since the last batch screens this one
                screening = await asyncio.to_thread(refresh, screening, store, settings)
                results = await asyncio.to_thread(process, store, screening, incoming, name)
            except Exception:  # the store failed: hand the messages back for redelivery
                log.exception("a batch of %d messages failed; they will be redelivered", len(msgs))
                stats.failed_batches += 1
                for m in msgs:
                    await m.nak(delay=2.0)
                continue
            for m, res in zip(msgs, _aligned(incoming, results), strict=True):
                if res.status == "processed" and res.answer is not None and res.partner:
                    await js.publish(names.answers(res.partner), json.dumps(res.answer).encode(),
                                     headers={"Interdictor-Message-Key": res.key})
                elif res.status == "dead":
                    await js.publish(names.dead(res.partner or "unknown"), m.data,
                                     headers={"Interdictor-Reason": (res.reason or "")[:1000].replace("\n", " "),
                                              "Interdictor-Subject": m.subject, "Interdictor-Message-Key": res.key})
                await m.ack()
                stats.by_status[res.status] = stats.by_status.get(res.status, 0) + 1
                if on_result:
                    on_result(res)
            stats.processed = stats.by_status.get("processed", 0)
            stats.duplicates = stats.by_status.get("duplicate", 0)
            stats.dead = stats.by_status.get("dead", 0)
        await sub.unsubscribe()
    finally:
        if chore_thread is not None:
            await asyncio.to_thread(chore_thread.stop)
        if deliverer is not None:
            await asyncio.to_thread(deliverer.stop)
        await nc.close()
        if own_store:
            store.close()
    return stats


def _aligned(incoming: list[Incoming], results: list[Result]) -> list[Result]:
    """Results in the order of the messages (``process`` groups them by partner)."""
    by_key: dict[str, list[Result]] = {}
    for r in results:
        by_key.setdefault(r.key, []).append(r)
    out = []
    for m in incoming:
        bucket = by_key.get(m.key) or [Result(m.key, "duplicate", m.route.partner if m.route else None)]
        out.append(bucket.pop(0) if len(bucket) > 1 else bucket[0])
    return out
