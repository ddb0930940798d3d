"""Targeting accuracy on a generated day: recall of planted cases, false positives on ordinary traffic.

Generates a day with the demo generator (its planted cases written to a separate truth file, never
into the manifest), screens it with ``interdictor screen --no-store``, and reports:

* dispositions over all shipments, and the share of ordinary (unplanted) shipments sent to review,
  exam or hold — the false-positive load on targeters — and the leading reasons that sent them;
* recall of the planted positives at ``review`` or above and at ``exam`` or above, by kind;
* decoys (legitimate look-alikes) and how high they scored;
* precision and recall when only the top 0.5 %, 1 % and 2 % of shipments are inspected.

    python bench/accuracy.py --size 50000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

LEVEL = {"clear": 0, "review": 1, "exam": 2, "hold": 3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--detectors", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        day, truth, out = Path(tmp) / "day.csv", Path(tmp) / "truth.csv", Path(tmp) / "ranked.csv"
        subprocess.run([sys.executable, "-m", "interdictor.demo.generate", str(day), "--size", str(args.size),
                        "--seed", str(args.seed), "--truth", str(truth)], check=True, capture_output=True)
        env = None
        if args.detectors:
            import os

            env = {**os.environ, "INTERDICTOR_DETECTORS": args.detectors}
        proc = subprocess.run([sys.executable, "-m", "interdictor.cli", "screen", str(day), "--no-store", "--out", str(out)],
                              capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 3):
            sys.exit(proc.stderr[-3000:])
        ranked = pl.read_csv(out, infer_schema_length=0).with_columns(pl.col("score").cast(pl.Float64))
        planted = pl.read_csv(truth, infer_schema_length=0).unique("shipment_id")
    n = ranked.height
    df = ranked.join(planted.select("shipment_id", "kind", "decoy"), on="shipment_id", how="left").with_columns(
        pl.col("disposition").replace_strict(LEVEL, return_dtype=pl.Int8).alias("level"),
        pl.col("kind").is_not_null().alias("planted"),
        (pl.col("decoy") == "true").fill_null(False).alias("is_decoy"),
    ).with_columns((pl.col("planted") & ~pl.col("is_decoy")).alias("positive"))
    ordinary = df.filter(~pl.col("planted"))
    positives = df.filter(pl.col("positive"))
    decoys = df.filter(pl.col("is_decoy"))
    print(f"{n:,} shipments; {positives.height} planted positives, {decoys.height} decoys, {ordinary.height:,} ordinary")
    print("dispositions: " + ", ".join(f"{d} {df.filter(pl.col('disposition') == d).height:,}" for d in LEVEL))
    for lvl, name in ((1, "review+"), (2, "exam+")):
        fp = ordinary.filter(pl.col("level") >= lvl).height
        print(f"ordinary traffic at {name}: {fp:,} ({fp / max(ordinary.height, 1):.2%})")
    # what sends ordinary traffic to review: the leading (heaviest) reason of each such shipment
    leading = (ordinary.filter(pl.col("level") >= 1)
               .select(pl.col("reasons").str.extract(r"^([A-Z][A-Z0-9_]+):", 1).fill_null("(none)").alias("code"))
               .group_by("code").len().sort(["len", "code"], descending=[True, False]).head(6))
    if leading.height:
        print("  leading reason of those: " + ", ".join(f"{c} {k}" for c, k in leading.iter_rows()))
    print("recall of planted positives (review+ / exam+), by kind:")
    for kind, g in positives.group_by("kind"):
        r1 = g.filter(pl.col("level") >= 1).height / g.height
        r2 = g.filter(pl.col("level") >= 2).height / g.height
        print(f"  {kind[0]:>20}: {g.height:4d}  {r1:6.1%}  {r2:6.1%}")
    r1 = positives.filter(pl.col("level") >= 1).height / max(positives.height, 1)
    r2 = positives.filter(pl.col("level") >= 2).height / max(positives.height, 1)
    print(f"  {'all':>20}: {positives.height:4d}  {r1:6.1%}  {r2:6.1%}")
    print(f"decoys at review+: {decoys.filter(pl.col('level') >= 1).height}/{decoys.height}, "
          f"at exam+: {decoys.filter(pl.col('level') >= 2).height}/{decoys.height}")
    top = df.sort("score", descending=True)
    for share in (0.005, 0.01, 0.02):
        k = max(1, int(n * share))
        hit = top.head(k).filter(pl.col("positive")).height
        print(f"inspect top {share:.1%} ({k:,}): precision {hit / k:.1%}, recall {hit / max(positives.height, 1):.1%}")


if __name__ == "__main__":
    main()
