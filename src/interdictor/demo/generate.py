"""Synthetic partner traffic: a day of express, postal and air-cargo shipments
from Asia into US gateways, written as a manifest CSV (the contract columns of
the README, see docs/architecture.md), with a small share of planted cases whose ground truth is returned
in ``GenerationStats`` — never written into the file.

    generate_manifest(Path("day.csv"), size=1_000_000, seed=7)
    python -m interdictor.demo.generate day.csv --size 1000000 --seed 7 [--truth truth.csv]

Output is a pure function of (size, seed, day, seeded_share): the same
arguments give the same bytes.  The day is cut into time slices of 100,000
shipments, each built column-wise and appended to the file, so memory stays
flat and a million shipments take seconds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np

from interdictor.demo.chunk import MANIFEST_COLUMNS, build_chunk
from interdictor.demo.identifiers import SerialBook
from interdictor.demo.world import build_world

__all__ = [
    "DEFAULT_DAY",
    "MANIFEST_COLUMNS",
    "GenerationStats",
    "SeededShipment",
    "generate_manifest",
    "main",
]

DEFAULT_DAY: Final = dt.date(2026, 6, 1)  # fixed, so a run without --day is reproducible
CHUNK: Final = 100_000
PROGRESS_STEP: Final = 10_000


@dataclass(frozen=True)
class SeededShipment:
    """One planted shipment: the ground truth for scoring a screen of the file."""

    shipment_id: str
    kind: str
    decoy: bool  # a legitimate look-alike: a good screen clears it
    group: str | None  # split consignments and pill-press clusters share a group
    substance: str | None  # the listed chemical (or equipment / decoy substance) behind the lines
    items: tuple[int, ...]  # 0-based item indexes of the planted lines within the shipment


@dataclass
class GenerationStats:
    path: Path
    day: dt.date
    seed: int
    shipments: int = 0
    rows: int = 0
    items: int = 0
    distinct_shippers: int = 0
    distinct_consignees: int = 0
    modes: dict[str, int] = field(default_factory=dict)
    seeded_by_kind: dict[str, int] = field(default_factory=dict)
    seeded: dict[str, str] = field(default_factory=dict)  # shipment_id -> kind
    cases: list[SeededShipment] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def positives(self) -> set[str]:
        """Planted shipments a screen should send to review or exam (decoys excluded)."""
        return {c.shipment_id for c in self.cases if not c.decoy}

    @property
    def decoys(self) -> set[str]:
        return {c.shipment_id for c in self.cases if c.decoy}

    def write_truth(self, path: Path) -> None:
        """The planted cases as CSV (shipment_id, kind, decoy, group, substance, items)."""
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["shipment_id", "kind", "decoy", "group", "substance", "items"])
            for c in self.cases:
                w.writerow(
                    [
                        c.shipment_id,
                        c.kind,
                        str(c.decoy).lower(),
                        c.group or "",
                        c.substance or "",
                        " ".join(str(i) for i in c.items),
                    ]
                )


def generate_manifest(
    path: Path,
    size: int = 50_000,
    seed: int = 7,
    *,
    day: dt.date | None = None,
    seeded_share: float = 0.004,
    progress: Callable[[int], None] | None = None,
) -> GenerationStats:
    """Write ``size`` shipments (one row per item) to ``path``; return what was written."""
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    if not 0.0 <= seeded_share <= 0.5:
        raise ValueError(f"seeded_share must be between 0 and 0.5, got {seeded_share}")
    day = day or DEFAULT_DAY
    started = time.perf_counter()
    path = Path(path)
    stats = GenerationStats(path=path, day=day, seed=seed)
    world = build_world(seed, size, seeded_share)
    cases = world.plan.cases
    bounds = [(s, min(CHUNK, size - s)) for s in range(0, size, CHUNK)]
    # each planted case takes a distinct position in the day, hence a chunk that has room for it
    slots = (
        np.random.default_rng([seed, 3]).choice(size, size=len(cases), replace=False)
        if cases
        else np.zeros(0)
    )
    chunk_of = (slots // CHUNK).astype(np.int64)
    day_epoch = int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())
    book = SerialBook()
    modes: Counter[int] = Counter()
    used_shippers = np.zeros(world.shippers.height, dtype=bool)
    used_pool = np.zeros(world.pool.height, dtype=bool)
    fresh = 0
    with path.open("wb") as fh:
        if not bounds:
            fh.write((",".join(MANIFEST_COLUMNS) + "\n").encode())
        for c, (start, n) in enumerate(bounds):
            window = (start * 86_400 // size, (start + n) * 86_400 // size)
            mine = [cases[int(k)] for k in np.flatnonzero(chunk_of == c)]
            ch = build_chunk(world, np.random.default_rng([seed, 100 + c]), book, n, mine, window, day_epoch)
            for k in range(0, n, PROGRESS_STEP):
                r0, r1 = int(ch.row_start[k]), int(ch.row_start[min(k + PROGRESS_STEP, n)])
                ch.rows.slice(r0, r1 - r0).write_csv(fh, include_header=(c == 0 and k == 0))
                if progress is not None:
                    progress(start + min(k + PROGRESS_STEP, n))
            stats.rows += ch.rows.height
            modes.update(dict(zip(*np.unique(ch.modes, return_counts=True), strict=True)))
            used_shippers[ch.shipper] = True
            used_pool[ch.consignee_pool[ch.consignee_pool >= 0]] = True
            fresh += int((ch.consignee_pool < 0).sum())
            for sid, case, at in ch.planted:
                stats.cases.append(
                    SeededShipment(
                        sid, case.kind, case.kind in world.plan.decoys, case.group, case.chemical, at
                    )
                )
    names = ("express", "postal", "air")
    stats.shipments = size
    stats.items = stats.rows
    stats.modes = {names[int(m)]: int(v) for m, v in sorted(modes.items())}
    stats.distinct_shippers = int(used_shippers.sum())
    stats.distinct_consignees = fresh + int(used_pool.sum())
    stats.seeded = {c.shipment_id: c.kind for c in stats.cases}
    stats.seeded_by_kind = dict(sorted(Counter(c.kind for c in stats.cases).items()))
    stats.seconds = time.perf_counter() - started
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m interdictor.demo.generate",
        description="Write a synthetic day of express, postal and air-cargo manifests (CSV) with planted cases.",
    )
    parser.add_argument("out", type=Path, help="manifest CSV to write")
    parser.add_argument("--size", type=int, default=50_000, help="number of shipments (default 50000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same bytes (default 7)")
    parser.add_argument(
        "--day",
        type=dt.date.fromisoformat,
        default=None,
        help=f"day of the traffic, YYYY-MM-DD (default {DEFAULT_DAY})",
    )
    parser.add_argument(
        "--seeded-share", type=float, default=0.004, help="share of planted shipments (default 0.004)"
    )
    parser.add_argument("--truth", type=Path, default=None, help="also write the planted cases to this CSV")
    args = parser.parse_args(argv)
    try:
        stats = generate_manifest(
            args.out,
            args.size,
            args.seed,
            day=args.day,
            seeded_share=args.seeded_share,
            progress=lambda k: print(f"\r{k:,} / {args.size:,} shipments", end="", file=sys.stderr),
        )
    except (ValueError, OSError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    if args.truth:
        stats.write_truth(args.truth)
    print(
        f"wrote {stats.shipments:,} shipments, {stats.rows:,} rows to {stats.path} in {stats.seconds:.1f} s "
        f"({stats.shipments / max(stats.seconds, 1e-9):,.0f} shipments/s)"
    )
    print(
        f"modes: {stats.modes}; distinct shippers {stats.distinct_shippers:,}, consignees {stats.distinct_consignees:,}"
    )
    print(f"planted: {stats.seeded_by_kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
