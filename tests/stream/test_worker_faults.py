"""Two workers on one stream, one killed mid-stream: every message accounted for exactly once.

Runs against the NATS JetStream server on 127.0.0.1:4222 (skipped, saying so, when none answers),
in a namespace of its own so it never touches real subjects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from interdictor.store import open_store

NATS_URL = os.environ.get("INTERDICTOR_TEST_NATS", "nats://127.0.0.1:4222")
pytestmark = pytest.mark.nats


def _nats_reason() -> str | None:
    import socket

    host, port = NATS_URL.rsplit("//", 1)[-1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        return None
    except OSError as exc:
        return f"NATS not reachable at {NATS_URL}: {exc}"


def message(i: int) -> bytes:
    return json.dumps({
        "shipment_id": f"F{i:05d}", "mode": "express", "origin_country": "CN", "routing": "PVG-ANC-LAX",
        "shipper_name": f"SELLER {i % 7}", "consignee_name": f"PERSON {i}", "consignee_city": "SAN DIEGO",
        "consignee_state": "CA", "consignee_postal_code": "92154", "consignee_country": "US",
        "gross_weight_kg": str(1 + i % 9), "declared_value": str(10 + i), "currency": "USD",
        "item_description": ["PHONE CASE", "LED LIGHTS", "COTTON SHIRT"][i % 3],
    }).encode()


async def _cleanup(ns: str) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    for suffix in ("INTAKE", "ANSWERS", "DEAD"):
        with contextlib.suppress(Exception):  # absent is fine
            await js.delete_stream(f"{ns.upper()}_{suffix}")
    await nc.close()


async def _dead_letters(ns: str) -> int:
    import nats

    nc = await nats.connect(NATS_URL)
    info = await nc.jetstream().stream_info(f"{ns.upper()}_DEAD")
    await nc.close()
    return int(info.state.messages)


def test_two_workers_one_killed_every_message_exactly_once(tmp_path: Path, store_url: str) -> None:
    reason = _nats_reason()
    if reason:
        pytest.skip(reason)
    from interdictor.stream.publish import publish
    from interdictor.stream.subjects import Names

    ns = f"t{uuid.uuid4().hex[:10]}"
    names = Names(ns)
    good = [message(i) for i in range(240)]
    bad = [b"\x00\x01 not a manifest \x02" * 3 + str(i).encode() for i in range(10)]
    open_store(store_url).close()  # migrate once, before the workers race
    env = {**os.environ, "INTERDICTOR_DATABASE_URL": store_url, "INTERDICTOR_NATS_URL": NATS_URL,
           "INTERDICTOR_STREAM_NAMESPACE": ns, "INTERDICTOR_DATA_DIR": str(tmp_path)}
    try:
        asyncio.run(publish(NATS_URL, "faulty", good[:120] + bad[:5], "manifest-jsonl", names))
        cmd = [sys.executable, "-m", "interdictor.cli", "worker", "--batch", "10", "--ack-wait", "3", "--idle-exit", "5"]
        workers = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
        asyncio.run(publish(NATS_URL, "faulty", good[120:] + bad[5:], "manifest-jsonl", names))
        store = open_store(store_url, migrate=False)

        def ledger() -> int:
            with store.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM stream_messages")).scalar_one())

        deadline = time.monotonic() + 120
        while ledger() < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ledger() >= 40, "workers made no progress"
        workers[0].send_signal(signal.SIGKILL)  # mid-stream, with a batch possibly in flight
        workers[0].wait(timeout=10)
        out = workers[1].communicate(timeout=300)[1].decode(errors="replace")
        assert workers[1].returncode == 0, out[-3000:]
        with store.connect() as conn:
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM stream_messages GROUP BY status")).all())
            ships = conn.execute(text("SELECT count(*), count(DISTINCT shipment_id), max(version) FROM shipments")).one()
            dupes = conn.execute(text(
                "SELECT count(*) FROM (SELECT msg_key FROM stream_messages GROUP BY msg_key HAVING count(*) > 1) d"
            )).scalar_one()
            # idle, the surviving worker brought the network up to date: the killed one's shipments too
            grown = conn.execute(text("SELECT count(DISTINCT shipment_id) FROM network_parties")).scalar_one()
        store.close()
        assert statuses == {"processed": 240, "dead": 10}
        assert dupes == 0
        assert tuple(ships) == (240, 240, 1)  # one shipment per good message, never a second version
        assert grown == 240
        assert asyncio.run(_dead_letters(ns)) >= 10  # dead letters published (a kill may publish one twice)
    finally:
        for w in locals().get("workers", []):
            if w.poll() is None:
                w.kill()
        asyncio.run(_cleanup(ns))
