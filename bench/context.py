"""Context families: recall of each planted family in the top 1 % and 5 % of scores, and the share of
each family and of ordinary traffic recommended for exam or hold.

Ordinary traffic is the demo generator's day (nothing planted) plus a legitimate consolidator (hundreds
of sellers at one address, which must not fire); the five families of ``demo.context_cases`` are
planted on top from the tuning template set, or with ``--holdout`` from the held-out set and seed.
Screened without a store, with every detector, as ``interdictor screen --no-store`` would — first on the
corridors' own thresholds, then calibrated: exam thresholds learned (``score.calibration``, as ``interdictor
profiles learn`` learns them from stored assessments) from another ordinary day of the same size and a seed
of its own, as a store that had screened that day would hold them.

    python bench/context.py --size 30000
    python bench/context.py --size 30000 --holdout
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interdictor.demo.chunk import MANIFEST_COLUMNS  # noqa: E402
from interdictor.demo.context_cases import FAMILIES, consolidator_rows, plant  # noqa: E402
from interdictor.demo.generate import DEFAULT_DAY, generate_manifest  # noqa: E402
from interdictor.intake.base import ReadOptions  # noqa: E402
from interdictor.intake.csv_manifest import read_manifest_csv  # noqa: E402
from interdictor.reference.watchlists import curated_list  # noqa: E402
from interdictor.score.calibration import Calibration, from_learned, hard_floors, learn_exam_scores  # noqa: E402
from interdictor.screening import ScreenRun, assemble  # noqa: E402
from interdictor.settings import Settings  # noqa: E402

TUNE_SEED, HOLDOUT_SEED = 11, 29
HISTORY_SEED = 1_000  # added to the seed: the earlier day the calibration is learned from


def listed_companies() -> list[str]:
    return [e.name for e in curated_list().entries if getattr(e, "kind", "") == "entity"]


def build(size: int, holdout: bool, per_family: int, sellers: int, out: Path) -> dict[str, str]:
    seed = HOLDOUT_SEED if holdout else TUNE_SEED
    generate_manifest(out, size, seed, seeded_share=0.0)
    planted = plant(seed, holdout, DEFAULT_DAY, per_family, listed_companies())
    rows = planted.rows + consolidator_rows(seed, DEFAULT_DAY, sellers, holdout)
    buf = io.StringIO()
    w = csv.DictWriter(buf, list(MANIFEST_COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writerows(rows)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(buf.getvalue())
    return planted.truth


def screen(path: Path, calibration: Calibration | None = None) -> pl.DataFrame:
    screening = assemble(Settings())
    if calibration is not None:
        screening = replace(screening, calibration=calibration)
    with ScreenRun(screening, partner="bench", source=path.name) as run:
        with path.open("rb") as fh:
            for chunk in read_manifest_csv(fh, ReadOptions(source_name=path.name)):
                run.add(chunk)
        return run.finish()


def learn_calibration(size: int, seed: int, out: Path) -> Calibration:
    """Exam thresholds learned from an earlier ordinary day's scores, those an exam or hold floor put there left out."""
    generate_manifest(out, size, seed + HISTORY_SEED, seeded_share=0.0)
    ranked = screen(out)
    floors = sorted(hard_floors(assemble(Settings()).ruleset))
    codes = pl.col("reasons").cast(pl.String).fill_null("").str.extract_all(r"(?:^|\| )([A-Z_]+):")
    unfloored = ranked.filter(~codes.list.eval(pl.element().str.strip_prefix("| ").str.strip_suffix(":")
                                               .is_in(floors)).list.any())
    return from_learned(learn_exam_scores(unfloored.select("corridor", "score")), f"history-seed-{seed + HISTORY_SEED}")


def report(ranked: pl.DataFrame, truth: dict[str, str]) -> pl.DataFrame:
    n = ranked.height
    fam = pl.DataFrame({"shipment_id": list(truth), "family": list(truth.values())})
    r = (ranked.sort("score", descending=True).with_row_index("rank")
         .join(fam, on="shipment_id", how="left").with_columns(pl.col("family").fill_null("ordinary")))
    top1, top5 = math.ceil(n * 0.01), math.ceil(n * 0.05)
    return (r.group_by("family").agg(
        pl.len().alias("shipments"),
        ((pl.col("rank") < top1).mean() * 100).round(1).alias("top1%"),
        ((pl.col("rank") < top5).mean() * 100).round(1).alias("top5%"),
        (pl.col("disposition").is_in(["exam", "hold"]).mean() * 100).round(2).alias("exam_or_hold%"),
        pl.col("score").median().alias("median_score"),
        (pl.col("reasons").cast(pl.String).str.contains("CLUSTER_").mean() * 100).round(2).alias("cluster%"),
    ).sort(pl.col("family").replace_strict({f: i for i, f in enumerate([*FAMILIES, "ordinary"])}, default=99)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=30_000, help="ordinary shipments from the demo generator")
    ap.add_argument("--per-family", type=int, default=40, help="planted shipments per family")
    ap.add_argument("--sellers", type=int, default=300, help="a legitimate consolidator's sellers (ordinary)")
    ap.add_argument("--holdout", action="store_true", help="the held-out seed and template set")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "context.csv"
        truth = build(args.size, args.holdout, args.per_family, args.sellers, path)
        seed = HOLDOUT_SEED if args.holdout else TUNE_SEED
        calibration = learn_calibration(args.size, seed, Path(tmp) / "history.csv")
        runs = []
        for label, calib in (("corridors' thresholds", None), ("calibrated", calibration)):
            t0 = time.perf_counter()
            runs.append((label, screen(path, calib), time.perf_counter() - t0))
    for label, ranked, took in runs:
        table = report(ranked, truth)
        consolidator = ranked.filter(pl.col("shipment_id").str.starts_with("CON"))
        with pl.Config(tbl_rows=20, tbl_width_chars=120):
            print(f"{'holdout' if args.holdout else 'tuning'} set, {label}: {ranked.height:,} shipments screened "
                  f"in {took:.1f} s")
            if label == "calibrated":
                print(f"exam thresholds learned from {calibration.version}: "
                      + ", ".join(f"{c} {t:.2f}" for c, t in sorted(calibration.exam_at.items())))
            print(table)
            fired = consolidator.filter(pl.col("reasons").cast(pl.String).str.contains("CLUSTER_")).height
            print(f"consolidator ({consolidator.height} sellers at one address): {fired} with a cluster reason, "
                  f"{consolidator.filter(pl.col('disposition').is_in(['exam', 'hold'])).height} sent to exam or hold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
