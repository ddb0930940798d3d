"""Two labelled declaration sets for ``interdictor evaluate``: one memorisation wins, one it cannot.

    python bench/evaluate_sets.py [--rows 20000] [--seed 3] [--dir evaluate-sets]

``importer-identity.csv``: a dozen importers out of 400 are behind most positives, in both periods;
every other column is noise. Remembering who was caught is all it takes, so the lookup baseline
should do at least as well as the model.

``feature-combination.csv``: a positive is a combination — organic chemicals (HS chapter 29) from
two origins at a low declared value per kilogram — and every importer of the test period is new.
Nothing seen in training matches a test row exactly, so the lookup baseline can do no better than
random; a model that learned the combination can.

Both span 2024 (test from 2024-10-01); ``declaration_id`` is unique to each row (drop it). The
commands to evaluate them are printed at the end.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

START = datetime(2024, 1, 1)
TEST_FROM = "2024-10-01"
HS = ["291211", "292149", "293299", "293339", "294200",  # chapter 29: organic chemicals
      "847930", "848180", "390110", "300490", "854231", "610910", "940540"]
ORIGINS = ["CN", "IN", "DE", "US", "MX", "NL", "KR", "TR"]
MODES = ["air", "sea", "road", "post"]


def _common(rng: np.random.Generator, rows: int) -> dict[str, object]:
    seconds = np.sort(rng.integers(0, 366 * 86_400, rows))
    weight = np.round(rng.lognormal(3.0, 1.2, rows), 1) + 0.1
    return {
        "declaration_id": [f"D{i:07d}" for i in range(rows)],
        "declared_at": [START + timedelta(seconds=int(s)) for s in seconds],
        "declarant": [f"BROKER-{b:02d}" for b in rng.integers(0, 40, rows)],
        "seller": [f"S-{s:04d}" for s in rng.integers(0, 600, rows)],
        "hs_code": rng.choice(HS, rows, p=[0.05] * 5 + [0.75 / 7] * 7),
        "origin": rng.choice(ORIGINS, rows),
        "transport_mode": rng.choice(MODES, rows),
        "weight_kg": weight,
        "value_usd": np.round(weight * rng.lognormal(2.3, 1.0, rows), 2),
    }


def importer_identity(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    columns = _common(rng, rows)
    popularity = 1.0 / np.arange(1, 401) ** 0.8
    importer = rng.choice(400, rows, p=popularity / popularity.sum())
    bad = rng.choice(np.arange(10, 200), 12, replace=False)  # neither the biggest nor the rarest
    rate = np.where(np.isin(importer, bad), 0.5, 0.01)
    return pl.DataFrame({**columns, "importer": [f"I-{i:04d}" for i in importer],
                         "fraud": (rng.random(rows) < rate).astype(np.int8)})


def feature_combination(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    columns = _common(rng, rows)
    frame = pl.DataFrame(columns)
    test = (frame["declared_at"] >= datetime.fromisoformat(TEST_FROM)).to_numpy()
    number = rng.integers(0, 400, rows)
    importer = np.where(test, [f"N-{i:04d}" for i in number], [f"I-{i:04d}" for i in number])
    per_kg = frame["value_usd"].to_numpy() / frame["weight_kg"].to_numpy()
    risky = (frame["hs_code"].str.starts_with("29").to_numpy() & frame["origin"].is_in(["CN", "IN"]).to_numpy()
             & (per_kg < 8.0))
    rate = np.where(risky, 0.6, 0.01)
    return frame.with_columns(pl.Series("importer", importer),
                              pl.Series("fraud", (rng.random(rows) < rate).astype(np.int8)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("evaluate-sets"))
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    for name, make in (("importer-identity", importer_identity), ("feature-combination", feature_combination)):
        frame = make(args.rows, args.seed)
        path = args.dir / f"{name}.csv"
        frame.write_csv(path)
        print(f"{path}: {frame.height:,} rows, {int(frame['fraud'].sum()):,} positive")
    print("\nevaluate each with:")
    for name in ("importer-identity", "feature-combination"):
        print(f"  interdictor evaluate {args.dir / name}.csv --label fraud --time declared_at "
              f"--test-from {TEST_FROM} --id importer --id declarant --id seller --drop declaration_id")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
