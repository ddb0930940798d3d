"""Goods detector benchmark: throughput of the text + code layers, end to end, and accuracy.

    .venv/bin/python bench/goods.py                 # 300k distinct descriptions, text+code layers
    .venv/bin/python bench/goods.py --e2e 200000    # + end to end: screen with the detector on, store to SQLite
    .venv/bin/python bench/goods.py --accuracy      # recall on the case table + generated variants,
                                                    # false positives on HS nomenclature and ordinary traffic
    .venv/bin/python bench/goods.py --day DAY.csv   # CPU seconds on a generated day, as `interdictor screen`
                                                    # reads it (python -m interdictor.demo.generate DAY.csv
                                                    # --size 100000 --seed 7), and the cold context load

Figures depend on the machine and its load (the development machines are 2 shared cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interdictor.model import Batch  # noqa: E402
from interdictor.screen.goods import build_goods_context, detect_goods  # noqa: E402

ADJ = ["new", "black", "white", "red", "blue", "wireless", "portable", "mini", "large", "small", "plastic", "cotton",
       "stainless steel", "silicone", "leather", "LED", "kids", "women's", "men's", "waterproof", "USB", "smart",
       "gaming", "vintage", "organic", "bamboo", "ceramic", "glass", "wooden", "magnetic", "foldable", "rechargeable"]
NOUN = ["phone case", "t-shirt", "keyboard", "mouse", "charger", "usb cable", "earbuds", "headphones", "sneakers",
        "dress", "jeans", "hoodie", "socks", "backpack", "wallet", "watch strap", "necklace", "earrings", "toy car",
        "doll", "puzzle", "building blocks", "mug", "water bottle", "lunch box", "towel", "pillow case", "curtain",
        "lipstick", "nail polish", "face mask", "shampoo", "hair clip", "wig", "car mount", "brake pads", "led strip",
        "screen protector", "power bank", "bluetooth speaker", "smart watch", "fishing lure", "yoga mat", "sticker",
        "notebook", "pen set", "tea", "dried fruit", "kitchen knife", "spatula", "storage box", "hanger", "candle",
        "picture frame", "desk lamp", "router", "memory card", "camera lens", "tripod", "drone propeller",
        "garlic press", "tablet case", "pill organizer", "coffee capsules", "die cast model car", "heat press"]
SUFFIX = ["", "", "", " set", " 2pcs", " pack of 3", " for iPhone", " for Samsung", " size M", " size L",
          " 500ml", " 1kg", " gift", " with box", " replacement"]
CHEM = ["N-phenethyl-4-piperidone", "4-anilinopiperidine", "1-boc-4-piperidone", "phenylacetone", "APAAN",
        "tert-butyl 4-oxopiperidine-1-carboxylate", "TDP-5 tablet press", "pill press die set", "organic intermediate",
        "industrial chemical", "sample", "ethyl methylphenylglycidate", "4-piperidone hydrochloride",
        "capsule filling machine", "pseudoephedrine HCl", "benzyl alcohol", "aniline"]


def descriptions(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct, realistic e-commerce item descriptions, about 1 % chemical or equipment."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        if rng.random() < 0.01:
            d = f"{rng.choice(CHEM)} {rng.choice(['', '99%', '25kg', 'CAS', 'powder', 'lot ' + str(rng.randint(1, 999))])}"
        else:
            d = f"{rng.choice(ADJ)} {rng.choice(ADJ)} {rng.choice(NOUN)}{rng.choice(SUFFIX)} {rng.choice(['', 'SKU'])}{rng.randint(0, 99999)}"
        out.add(d.strip())
    return sorted(out)


HS = ["847160", "851762", "610910", "392690", "950300", "420292", "330499", "851830", "732393", "630222", ""]


def batch_of(descs: list[str], seed: int = 3) -> Batch:
    rng = random.Random(seed)
    n = len(descs)
    ids = [f"B{i}" for i in range(n)]
    w = [round(rng.uniform(0.1, 3.0), 2) for _ in range(n)]
    sh = pl.DataFrame({"shipment_id": ids, "gross_weight_kg": w, "pieces": [1] * n,
                       "declared_value": [round(rng.uniform(2, 80), 2) for _ in range(n)]})
    it = pl.DataFrame({"shipment_id": ids, "item": [0] * n, "description": descs,
                       "hs_code": [rng.choice(HS) or None for _ in range(n)], "quantity": [1.0] * n})
    pa = pl.DataFrame({"shipment_id": ids, "party": ["consignee"] * n, "name": [f"Person {i % 5000}" for i in range(n)]})
    return Batch.build(sh, it, pa)


def bench_layers(n: int, repeat: int) -> None:
    """Every description new to the context: a fresh context per run, since a context remembers what each
    description holds (a day's later batches, mostly descriptions met before, cost far less)."""
    descs = descriptions(n)
    batch = batch_of(descs)
    warm = batch_of(descriptions(1000, seed=99))
    for label, layers in (("text + code layers", frozenset[str]()), ("whole goods detector", None)):
        best = cpu = None
        for _ in range(repeat):
            g = dataclasses.replace(build_goods_context(), names=None)
            g = dataclasses.replace(g, layers=layers) if layers is not None else g
            detect_goods(warm, g)  # automata built, other descriptions
            t, c = time.perf_counter(), time.process_time()
            reasons = detect_goods(batch, g)
            dt, dc = time.perf_counter() - t, time.process_time() - c
            best = dt if best is None else min(best, dt)
            cpu = dc if cpu is None else min(cpu, dc)
        assert best is not None and cpu is not None
        print(f"{label}: {n:,} distinct descriptions in {best:.2f} s wall ({cpu:.2f} s CPU) = "
              f"{n / best:,.0f} descriptions/s ({reasons.height:,} reasons; best of {repeat})")


def bench_e2e(n: int, detectors: str | None = None) -> None:
    from typer.testing import CliRunner

    from interdictor.cli import app

    descs = descriptions(max(n // 4, 1000))
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifest.csv"
        rows = {
            "shipment_id": [f"E{i}" for i in range(n)],
            "mode": ["express"] * n,
            "origin_country": [rng.choice(["CN", "HK", "US", "DE", "VN"]) for _ in range(n)],
            "routing": [rng.choice(["PVG-ANC-LAX", "HKG-LAX", "SZX-ORD", "FRA-JFK"]) for _ in range(n)],
            "shipper_name": [f"Shipper {i % 3000} Co Ltd" for i in range(n)],
            "shipper_country": ["CN"] * n,
            "consignee_name": [f"Consignee {i % 9000}" for i in range(n)],
            "consignee_city": ["San Diego"] * n,
            "consignee_state": ["CA"] * n,
            "consignee_postal_code": ["92101"] * n,
            "consignee_country": ["US"] * n,
            "pieces": [1] * n,
            "gross_weight_kg": [round(rng.uniform(0.1, 5), 2) for _ in range(n)],
            "declared_value": [round(rng.uniform(2, 200), 2) for _ in range(n)],
            "currency": ["USD"] * n,
            "item_description": [rng.choice(descs) for _ in range(n)],
            "hs_code": [rng.choice(HS) for _ in range(n)],
        }
        pl.DataFrame(rows).write_csv(path)
        out = Path(tmp) / "out.csv"
        db = Path(tmp) / "bench.sqlite"
        runner = CliRunner()
        t = time.perf_counter()
        env = {"INTERDICTOR_DETECTORS": detectors} if detectors else None
        result = runner.invoke(app, ["screen", str(path), "--out", str(out), "--db", f"sqlite:///{db}"], env=env)
        dt = time.perf_counter() - t
        if result.exit_code not in (0, 3):
            print(result.output)
            raise SystemExit(f"screen failed with exit code {result.exit_code}")
        which = detectors or "all detectors"
        print(f"end to end ({which}, stored to SQLite): {n:,} shipments in {dt:.1f} s = "
              f"{n / dt:,.0f} shipments/s")


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (the OPSIN JVM)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


COLD_LOAD = """
import resource, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from interdictor.settings import Settings  # the CLI has these loaded before any part
import polars, sqlalchemy
c = cpu(); t = time.perf_counter()
from interdictor.screen.goods.loader import load_goods
load_goods(Settings())
print(f"{cpu() - c:.3f} {time.perf_counter() - t:.3f}")
"""


def bench_day(path: Path, repeat: int) -> None:
    """Cold context load (a fresh interpreter), then the detector over the day's chunks, CPU included the JVM."""
    import subprocess

    from interdictor.intake.base import ReadOptions
    from interdictor.intake.csv_manifest import read_manifest_csv
    from interdictor.screen.goods.loader import load_goods
    from interdictor.settings import Settings

    loads = []
    for _ in range(max(repeat, 1)):
        out = subprocess.run([sys.executable, "-c", COLD_LOAD], capture_output=True, text=True, check=True,
                             env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")})
        loads.append(tuple(float(x) for x in out.stdout.split()))
    cpu_s, wall_s = min(loads)
    print(f"cold load_goods(settings) in a fresh interpreter: {cpu_s:.2f} s CPU, {wall_s:.2f} s wall "
          f"(best of {len(loads)}; compiled tables read from the user cache when there, else compiled and kept)")
    settings = Settings()
    with path.open("rb") as fh:
        chunks = [c.batch for c in read_manifest_csv(fh, ReadOptions(source_name=path.name, chunk_rows=settings.chunk_rows))]
    n = sum(b.shipments.height for b in chunks)
    rows = sum(b.items.height for b in chunks)
    g = load_goods(settings)
    for run in range(max(repeat, 1)):
        c, t = _cpu(), time.perf_counter()
        reasons = sum(detect_goods(b, g).height for b in chunks)
        if run == 0 and g.names is not None and hasattr(g.names, "close"):
            g.names.close()  # reap the OPSIN JVM so that its CPU time is counted
        dc, dt = _cpu() - c, time.perf_counter() - t
        label = "first pass (RDKit, OPSIN as needed)" if run == 0 else "again (warm)"
        print(f"{label}: {n:,} shipments ({rows:,} lines, {len(chunks)} chunks) in {dc:.2f} s CPU, {dt:.2f} s wall "
              f"= {dc / n * 1e5:.2f} s CPU per 100k shipments; {reasons:,} reasons")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300_000, help="distinct descriptions for the layer benchmark")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--e2e", type=int, default=0, help="also run end to end on this many shipments")
    ap.add_argument("--detectors", default=None, help="comma-separated detectors for --e2e (default: all)")
    ap.add_argument("--skip-layers", action="store_true", help="only the end-to-end run")
    ap.add_argument("--accuracy", action="store_true", help="recall / false-positive figures instead")
    ap.add_argument("--day", type=Path, default=None, help="a manifest CSV (a generated day): CPU per 100k shipments")
    args = ap.parse_args()
    if args.day:
        bench_day(args.day, args.repeat)
        return
    if args.accuracy:
        sys.path.insert(0, str(ROOT / "bench"))
        from goods_accuracy import accuracy

        accuracy()
        return
    if not args.skip_layers:
        bench_layers(args.n, args.repeat)
    if args.e2e:
        bench_e2e(args.e2e, args.detectors)


if __name__ == "__main__":
    main()
