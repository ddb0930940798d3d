"""API latency: submit-and-screen one shipment per request, from a second process on loopback.

Starts ``interdictor serve`` as a subprocess on a fresh database (the embedded
SQLite file, or a fresh PostgreSQL database), creates a partner and its API key,
then drives ``POST /api/v1/manifests`` with one shipment per request at a fixed
arrival rate (open loop: requests are sent on schedule whether or not earlier
ones have finished, so queueing shows up in the latency).  Reports p50/p90/p99
per rate and the first rate whose p99 exceeds the target, and per request: the server's CPU
milliseconds (``cpu/req``, every thread) and the screener's milliseconds (``screen/req``: reading the
joined bodies, screening and storing, shared by the submissions of a batch); the difference is
what each request costs around the screening (HTTP, authentication, parsing, the answer).

    .venv/bin/python bench/api.py                       # SQLite, rates 50 100 150 200 300
    .venv/bin/python bench/api.py --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/api.py --rates 100 --seconds 30
    .venv/bin/python bench/api.py --server-cpus 0           # the server pinned to one CPU

Traffic goes only to 127.0.0.1, is bounded in count and time, and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import httpx

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "fixtures" / "corridor_sample.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"interdictor_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{admin_url.rsplit('/', 1)[0]}/{name}", name


def drop_pg(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def make_keys(env: dict[str, str], db: str) -> tuple[str, str]:
    """(a partner's key, an analyst's key for the metrics)."""
    py = [sys.executable, "-m", "interdictor.cli"]

    def run(*a: str) -> str:
        return subprocess.run([*py, *a, "--db", db], env=env, check=True, capture_output=True, text=True).stdout

    run("orgs", "add", "bench-express", "--name", "Bench Express")
    run("orgs", "add", "authority", "--name", "Targeting authority", "--kind", "authority")
    partner = run("keys", "create", "--org", "bench-express").strip().splitlines()[-1]
    analyst = run("keys", "create", "--org", "authority", "--role", "analyst").strip().splitlines()[-1]
    return partner, analyst


def payloads(n: int, run: str) -> list[bytes]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [r for r in lines[1:] if r.strip()]
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        sid = row.split(",", 1)[0]
        out.append(f"{header}\n{row.replace(sid, f'B{run}{i:07d}', 1)}\n".encode())
    return out


async def drive(url: str, key: str, rate: float, seconds: float, bodies: list[bytes]) -> dict[str, float]:
    """Send ``rate * seconds`` requests on schedule (aiohttp: its C parser and connection pool keep the
    client's own cost per request small, so the client is not what limits the rate)."""
    lat: list[float] = []
    errors = 0
    n = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=512, limit_per_host=512)
    timeout = aiohttp.ClientTimeout(total=30.0)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as client:
        headers = {"Authorization": f"Bearer {key}", "content-type": "text/csv"}

        async def one(body: bytes) -> None:
            nonlocal errors
            t = time.perf_counter()
            try:
                async with client.post("/api/v1/manifests?filename=one.csv", data=body, headers=headers) as r:
                    await r.read()
                    ok = r.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            lat.append(time.perf_counter() - t)
            if not ok:
                errors += 1

        start = time.perf_counter()
        tasks = []
        for i in range(n):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(bodies[i])))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - start
    lat.sort()

    def q(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

    return {"rate": rate, "sent": n, "errors": errors, "throughput": n / wall, "p50": q(0.50), "p90": q(0.90),
            "p99": q(0.99), "max": lat[-1] * 1000, "mean": statistics.fmean(lat) * 1000}


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def screening(url: str, analyst: str) -> dict[str, Any] | None:
    """The service's screening metrics (batches, submissions, busy and reading seconds), None if unreadable."""
    r = httpx.get(f"{url}/api/v1/metrics", headers={"Authorization": f"Bearer {analyst}"}, timeout=5)
    return r.json().get("screening") if r.status_code == 200 else None


def busy_seconds(url: str, analyst: str) -> float:
    """The screener's time so far: reading joined bodies, screening and storing."""
    got = screening(url, analyst)
    return float(got["busy_seconds"]) if got else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="PostgreSQL admin URL (a fresh database is made and dropped); default: SQLite")
    ap.add_argument("--rates", type=float, nargs="+", default=[50, 100, 150, 200, 300])
    ap.add_argument("--seconds", type=float, default=15.0, help="seconds per rate (bounded)")
    ap.add_argument("--target-ms", type=float, default=50.0)
    ap.add_argument("--server-cpus", type=int, nargs="+", metavar="CPU",
                    help="run the server on these CPUs only (as 'taskset -c'); default: every CPU, shared with this "
                         "client")
    args = ap.parse_args()
    cpus = set(args.server_cpus or ())
    if cpus and not cpus <= os.sched_getaffinity(0):
        ap.error(f"--server-cpus: this process may run on CPUs {sorted(os.sched_getaffinity(0))} only")
    seconds = min(args.seconds, 60.0)
    tmp = Path(tempfile.mkdtemp(prefix="interdictor-bench-"))
    env = {**os.environ, "INTERDICTOR_DATA_DIR": str(tmp), "INTERDICTOR_SECRET_KEY": uuid.uuid4().hex * 2}
    pg_name = None
    if args.db:
        db, pg_name = pg_database(args.db)
    else:
        db = f"sqlite:///{tmp / 'bench.sqlite'}"
    port = free_port()
    server = None
    try:
        subprocess.run([sys.executable, "-m", "interdictor.cli", "db", "--db", db], env=env, check=True,
                       capture_output=True)
        key, analyst = make_keys(env, db)
        server = subprocess.Popen([sys.executable, "-m", "interdictor.cli", "serve", "--port", str(port), "--db", db,
                                   "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE,
                                  preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                err = server.stderr.read().decode() if server.stderr and server.poll() is not None else ""
                print(f"the server did not start\n{err}", file=sys.stderr)
                return 2
            time.sleep(0.5)
        backend = "PostgreSQL" if args.db else "SQLite"
        where = f"server on CPU {', '.join(map(str, sorted(cpus)))}" if cpus else "server and client share every CPU"
        print(f"# {backend}, one shipment per request, {seconds:.0f} s per rate, loopback, {where}")
        asyncio.run(drive(url, key, 20, 3, payloads(60, "W")))  # warm up
        print(f"{'rate/s':>7} {'sent':>6} {'err':>4} {'done/s':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}"
              f" {'cpu/req':>8} {'screen/req':>10}")
        crossed = None
        for k, rate in enumerate(args.rates):
            cpu0, busy0 = cpu_seconds(server.pid), busy_seconds(url, analyst)
            res = asyncio.run(drive(url, key, rate, seconds, payloads(int(rate * seconds), f"R{k}")))
            cpu = (cpu_seconds(server.pid) - cpu0) / res["sent"] * 1000
            busy = (busy_seconds(url, analyst) - busy0) / res["sent"] * 1000
            print(f"{res['rate']:>7.0f} {res['sent']:>6} {res['errors']:>4} {res['throughput']:>7.1f} {res['p50']:>7.1f} "
                  f"{res['p90']:>7.1f} {res['p99']:>7.1f} {res['max']:>7.1f} {cpu:>8.1f} {busy:>10.1f}", flush=True)
            if crossed is None and res["p99"] > args.target_ms:
                crossed = rate
        if crossed is None:
            print(f"p99 stayed at or under {args.target_ms:.0f} ms up to {args.rates[-1]:.0f} requests/s")
        else:
            print(f"p99 crosses {args.target_ms:.0f} ms at {crossed:.0f} requests/s")
        final = screening(url, analyst)
        if final is not None:
            print(final)
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg_name and args.db:
            drop_pg(args.db, pg_name)


if __name__ == "__main__":
    raise SystemExit(main())
