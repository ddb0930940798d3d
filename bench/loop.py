"""Does the loop learn? Screen generated days, import their exam outcomes, learn, screen the next day.

Days of demo traffic (``interdictor.demo.generate``) are screened into a fresh SQLite store; for each
day the exams are its queue's picks (ports' budgets 2 % of traffic) and every planted shipment the
queue missed (a planted one is seized, anything else nothing_found), imported as ``interdictor
outcomes import`` would, then ``interdictor learn`` (``interdictor.demo.loop``, as ``interdictor demo
--days``). A further day is screened twice — rules alone and with the model — and the planted
shipments' recall in the top 1 % (the exam budget's share) is compared.

    .venv/bin/python bench/loop.py
    .venv/bin/python bench/loop.py --days 6 --size 3000 --share 0.02
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interdictor.demo.generate import generate_manifest  # noqa: E402
from interdictor.demo.loop import recall_at, screen_day, simulate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=5, help="days to learn from (default 5)")
    ap.add_argument("--size", type=int, default=2000, help="shipments per day (default 2000)")
    ap.add_argument("--share", type=float, default=0.02, help="planted share of each day (default 0.02)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    start = dt.date(2026, 6, 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'loop.db'}"
        days = simulate(url, folder, days=args.days, size=args.size, share=args.share, seed=args.seed, start=start)
        test_day = start + dt.timedelta(days=args.days)
        stats = generate_manifest(folder / "test.csv", args.size, seed=args.seed + 1000, day=test_day,
                                  seeded_share=args.share)
        rules = screen_day(url, folder / "test.csv", "rules", model="off")
        model = screen_day(url, folder / "test.csv", "model")
        report = {
            "days": args.days, "size": args.size, "planted_share": args.share, "days_run": [{"day": d.day.isoformat(), "model": d.model, "recall@1%": {"rules": d.rules,
                                                                                "rules+model": d.combined},
                          "exams": d.exams, "found_by_queue": d.picked_found, "learned": d.learned}
                         for d in days],
            "learn": {"learned": days[-1].learned, "validation": days[-1].why},
            "test_day": {"shipments": args.size, "planted": len(stats.positives),
                         "recall@1%": {"rules": recall_at(rules, stats.positives, 1),
                                       "rules+model": recall_at(model, stats.positives, 1)},
                         "recall@5%": {"rules": recall_at(rules, stats.positives, 5),
                                       "rules+model": recall_at(model, stats.positives, 5)}},
        }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
