"""Name-matching benchmark on the labelled pairs of nomenklatura's name bench.

    .venv/bin/python bench/names.py [--cases PATH] [--errors]

The pairs are split in two halves by a stable hash.  The threshold is chosen on
half A and precision / recall / F1 are reported on half B (the figure to quote),
then the other way round; the two-fold mean is printed last.  ``--errors`` lists
the held-out pairs the matcher gets wrong.  The data is not part of the project:
by default it is read from ``../shared/data/names/nomenklatura_name_bench/``
beside the repository, and the script exits with a message when it is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from interdictor.screen.parties.evaluate import (
    LabelledPair,
    best_threshold,
    held_out,
    read_pairs,
    score_pairs,
    split,
)
from interdictor.screen.parties.similarity import DEFAULT_PARAMS, Params

DEFAULT = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "names"
    / "nomenklatura_name_bench"
    / "cases.csv"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=DEFAULT)
    ap.add_argument("--errors", action="store_true", help="list held-out pairs the matcher gets wrong")
    ap.add_argument(
        "--tune",
        choices=["A", "B"],
        help="search the matcher's parameters on this half only (coordinate descent) and report the other",
    )
    args = ap.parse_args()
    if not args.cases.exists():
        print(f"name bench absent ({args.cases}); nothing to measure", file=sys.stderr)
        return 0
    pairs = read_pairs(args.cases)
    a, b = split(pairs)
    if args.tune:
        tune_half, test_half = (a, b) if args.tune == "A" else (b, a)
        return tune(tune_half, test_half)
    t0 = time.perf_counter()
    ab = held_out(a, b)
    ba = held_out(b, a)
    dt = time.perf_counter() - t0
    print(f"{len(pairs)} labelled pairs; half A {len(a)}, half B {len(b)}")
    print(f"A -> B  tuned on A: {ab.tuned.line()}")
    print(f"        held-out B: {ab.held_out.line()}")
    print(f"B -> A  tuned on B: {ba.tuned.line()}")
    print(f"        held-out A: {ba.held_out.line()}")
    mean = (ab.held_out.f1 + ba.held_out.f1) / 2
    print(f"two-fold held-out F1: {mean:.3f}   ({2 * len(pairs) / dt:,.0f} comparisons/s)")
    if args.errors:
        scores = score_pairs(b)
        for p, s in zip(b, scores, strict=True):
            if (s >= ab.tuned.threshold) != p.match:
                kind = "FN" if p.match else "FP"
                print(f"{kind} {s:.3f}  {p.left!r} | {p.right!r}")
    return 0


GRID: dict[str, tuple[float, ...]] = {
    "align_min": (0.4, 0.45, 0.5, 0.55, 0.6),
    "agree_lo": (0.4, 0.45, 0.5, 0.55, 0.6),
    "agree_hi": (0.8, 0.85, 0.9, 0.95, 1.0),
    "conflict": (0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
    "extra_person": (0.1, 0.2, 0.3, 0.4, 0.5),
    "extra_org": (0.3, 0.4, 0.5, 0.6, 0.8),
    "phonetic": (0.0, 0.85, 0.9, 0.95),
    "initial_sim": (0.7, 0.8, 0.9, 1.0),
    "initial_weight": (0.3, 0.5, 0.7, 1.0),
    "cross_kind": (0.7, 0.8, 0.9, 1.0),
}


def tune(tune_half: list[LabelledPair], test_half: list[LabelledPair]) -> int:
    """Coordinate descent on the tuning half only; the test half is looked at once, at the end."""
    labels = [p.match for p in tune_half]

    def f1(params: Params) -> float:
        return best_threshold(score_pairs(tune_half, params), labels).f1

    params = DEFAULT_PARAMS
    best = f1(params)
    for _round in range(3):
        improved = False
        for name, values in GRID.items():
            for value in values:
                trial = replace(params, **{name: value})
                score = f1(trial)
                if score > best + 1e-9:
                    params, best, improved = trial, score, True
        if not improved:
            break
    print(f"tuned: {params}")
    result = held_out(tune_half, test_half, lambda ps: score_pairs(ps, params))
    print(f"tuning half:   {result.tuned.line()}")
    print(f"held-out half: {result.held_out.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
