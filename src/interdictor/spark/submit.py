"""``spark-submit .../interdictor/spark/submit.py --input DIR --out DIR``: the re-screen job under spark-submit.

The same job as ``interdictor spark rescreen`` (``job.execute``), for a cluster: spark-submit's
``--master``, ``--conf`` and resources apply.  See docs/spark.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from interdictor.spark.job import execute, options


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="submit.py", description="Re-screen an Interdictor Parquet archive on Spark.")
    p.add_argument("--input", required=True, type=Path, help="the archive (interdictor export --format parquet)")
    p.add_argument("--out", required=True, type=Path, help="where the assessments and _report.json go")
    p.add_argument("--ruleset", help="rule set NAME or NAME-vN (default: INTERDICTOR_RULESET, the store's active one, "
                                     "the shipped default)")
    p.add_argument("--db", help="database URL the screening's versions and history are read from")
    p.add_argument("--master", help="Spark master (default: spark-submit's --master)")
    p.add_argument("--since", help="first filing day to re-screen, YYYY-MM-DD")
    p.add_argument("--until", help="last filing day to re-screen, YYYY-MM-DD")
    p.add_argument("--conf", action="append", default=[], help="Spark setting KEY=VALUE (repeat)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    a = parser().parse_args(argv)
    return execute(lambda: options(a.input, a.out, ruleset=a.ruleset, db=a.db, master=a.master, since=a.since,
                                   until=a.until, conf=a.conf))


if __name__ == "__main__":
    sys.exit(main())
