"""Partner side of the stream: publish raw messages, read answers back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from interdictor.stream import subjects as sj
from interdictor.stream.worker import ensure_streams


async def publish(url: str, partner: str, messages: Sequence[bytes], fmt: str = "auto",
                  names: sj.Names | None = None) -> int:
    """Publish each message on ``<ns>.intake.<partner>.<fmt>``; returns how many the stream took."""
    names = names or sj.Names()
    subject = names.intake(partner, fmt)
    nc = await nats.connect(url, connect_timeout=5)
    try:
        js = nc.jetstream()
        await ensure_streams(js, names)
        n = 0
        for data in messages:
            # JetStream drops a message it has seen within its duplicate window (same id)
            await js.publish(subject, data, headers={"Nats-Msg-Id": sj.message_key(partner, fmt, data)})
            n += 1
        return n
    finally:
        await nc.close()


async def read_answers(url: str, partner: str, limit: int | None = None, wait: float = 5.0,
                       names: sj.Names | None = None) -> list[dict[str, Any]]:
    """Answers published for ``partner`` (all retained ones, oldest first)."""
    names = names or sj.Names()
    nc = await nats.connect(url, connect_timeout=5)
    out: list[dict[str, Any]] = []
    try:
        js = nc.jetstream()
        await ensure_streams(js, names)
        sub = await js.pull_subscribe(names.answers(partner), stream=names.answers_stream,
                                      config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        while limit is None or len(out) < limit:
            try:
                msgs = await sub.fetch(min(100, (limit or 100) - len(out)) or 1, timeout=wait)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            for m in msgs:
                out.append(json.loads(m.data))
                await m.ack()
        await sub.unsubscribe()
    finally:
        await nc.close()
    return out


def run(coro: Any) -> Any:
    return asyncio.run(coro)
