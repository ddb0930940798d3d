"""Goods detector benchmark: throughput of the text + code layers, end to end, and accuracy.

    .venv/bin/python bench/goods.py                 # 300k distinct descriptions, text+code layers
    .venv/bin/python bench/goods.py --e2e 200000    # + end to end: screen with the detector on, store to SQLite
    .venv/bin/python bench/goods.py --accuracy      # recall on the case table + generated variants,
                                                    # false positives on HS nomenclature and ordinary traffic

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
    full = dataclasses.replace(build_goods_context(), names=None)
    text_code = dataclasses.replace(full, layers=frozenset())
    descs = descriptions(n)
    batch = batch_of(descs)
    for label, g in (("text + code layers", text_code), ("whole goods detector", full)):
        detect_goods(batch_of(descs[:1000]), g)  # warm up
        best = cpu = None
        for _ in range(repeat):
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300_000, help="distinct descriptions for the layer benchmark")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--e2e", type=int, default=0, help="also run end to end on this many shipments")
    ap.add_argument("--detectors", default=None, help="comma-separated detectors for --e2e (default: all)")
    ap.add_argument("--skip-layers", action="store_true", help="only the end-to-end run")
    ap.add_argument("--accuracy", action="store_true", help="recall / false-positive figures instead")
    args = ap.parse_args()
    if args.accuracy:
        sys.path.insert(0, str(ROOT / "bench"))
        from goods_accuracy import accuracy  # type: ignore[import-not-found]

        accuracy()
        return
    if not args.skip_layers:
        bench_layers(args.n, args.repeat)
    if args.e2e:
        bench_e2e(args.e2e, args.detectors)


if __name__ == "__main__":
    main()
