"""Messages per second end to end through the stream: publish, worker(s) parse, screen, store, answer.

Publishes N one-shipment partner messages (JSON manifests in the contract's shape, varied goods,
parties and routes) into a namespace of its own on NATS JetStream (127.0.0.1:4222), starts K
``interdictor worker`` processes on a fresh database, and times from the workers' start until the
ledger holds every message.  Run with 1 and with 2 workers:

    python bench/stream.py --messages 5000 --workers 1
    python bench/stream.py --messages 5000 --workers 2 --db postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime

from sqlalchemy import text

GOODS = ["PHONE CASE", "LED LIGHTS", "COTTON SHIRT", "USB CABLE", "TOY CAR", "KITCHEN KNIFE SET", "ORGANIC INTERMEDIATE",
         "WIRELESS EARBUDS", "YOGA MAT", "SILICONE MOULD"]
CITIES = [("SAN DIEGO", "CA", "92154"), ("CHULA VISTA", "CA", "91910"), ("LOS ANGELES", "CA", "90001"),
          ("PORTLAND", "OR", "97201"), ("LAREDO", "TX", "78040"), ("CHICAGO", "IL", "60601")]


def message(i: int) -> bytes:
    city, state, zip5 = CITIES[i % len(CITIES)]
    return json.dumps({
        "shipment_id": f"B{i:07d}", "mode": ["express", "postal", "air"][i % 3], "origin_country": "CN",
        "routing": ["PVG-ANC-LAX", "CAN-LAX", "SZX-SGN-LAX"][i % 3], "shipper_name": f"SHENZHEN SELLER {i % 97} CO LTD",
        "consignee_name": f"PERSON {i}", "consignee_address": f"{i % 900 + 1} MAIN ST", "consignee_city": city,
        "consignee_state": state, "consignee_postal_code": zip5, "consignee_country": "US",
        "gross_weight_kg": str(1 + i % 30), "declared_value": str(5 + i % 400), "currency": "USD",
        "item_description": GOODS[i % len(GOODS)], "hs_code": "392690",
    }).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--nats", default="nats://127.0.0.1:4222")
    args = ap.parse_args()

    from interdictor.store import open_store
    from interdictor.stream.publish import publish
    from interdictor.stream.subjects import Names

    ns = f"bench{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/stream.sqlite"
        open_store(url).close()
        msgs = [message(i) for i in range(args.messages)]
        t = time.perf_counter()
        asyncio.run(publish(args.nats, "bench", msgs, "json-manifest", Names(ns)))
        print(f"published {len(msgs):,} messages in {time.perf_counter() - t:.1f} s")
        env = {**os.environ, "INTERDICTOR_DATABASE_URL": url, "INTERDICTOR_NATS_URL": args.nats,
               "INTERDICTOR_STREAM_NAMESPACE": ns, "INTERDICTOR_DATA_DIR": tmp}
        cmd = [sys.executable, "-m", "interdictor.cli", "worker", "--batch", str(args.batch), "--idle-exit", "5"]
        start = time.perf_counter()
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(args.workers)]
        store = open_store(url, migrate=False)
        done = 0
        while done < args.messages and all(p.poll() is None for p in procs):
            time.sleep(0.25)
            with store.connect() as conn:
                done = int(conn.execute(text("SELECT count(*) FROM stream_messages")).scalar_one())
        elapsed = time.perf_counter() - start
        with store.connect() as conn:
            first, last = conn.execute(text("SELECT min(at), max(at) FROM stream_messages")).one()
            statuses: dict[str, int] = dict(conn.execute(text("SELECT status, count(*) FROM stream_messages GROUP BY status")).all())
        store.close()
        for p in procs:
            p.wait(timeout=60)
        if isinstance(first, str):  # SQLite hands text back for raw SQL
            first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
        busy = (last - first).total_seconds() if first and last else float("nan")
        print(f"{args.workers} worker(s): {done:,} messages in {elapsed:.1f} s from start "
              f"({done / elapsed:,.0f} msg/s, includes start-up); first to last stored {busy:.1f} s "
              f"({done / busy:,.0f} msg/s); {statuses}")


if __name__ == "__main__":
    main()
