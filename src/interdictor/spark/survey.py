"""What an archive holds, partition by partition, read from the Parquet footers alone (cheap, on the driver).

Before Spark reads a row, every part file's footer is opened: its rows are counted (what came in, for the
report's ``rows in = screened + rejected``) and its columns checked against the layout.  A file that is not
Parquet, or whose columns are not the layout's (a weight written as text, a column missing), makes its
whole partition rejected — a filing day screened without some of its items would be screened wrongly —
and the job goes on with the other partitions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from interdictor.archive.layout import CANONICAL, PARTITION, canonical_columns

DAY = re.compile(rf"^{PARTITION}=(\d{{4}}-\d{{2}}-\d{{2}})$")


@dataclass
class Partition:
    """One filing day of the archive: its readable files and rows per table, and what is wrong with it."""

    day: str
    files: dict[str, list[Path]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def survey(root: Path, since: str | None = None, until: str | None = None) -> list[Partition]:
    """The partitions of the archive at ``root`` filed from ``since`` to ``until`` (days, inclusive), in day order."""
    days: dict[str, Partition] = {}
    for table in CANONICAL:
        expected = canonical_columns(table)
        base = root / table
        if not base.is_dir():
            continue
        for d in sorted(base.iterdir()):
            if d.name.startswith((".", "_")):
                continue
            m = DAY.match(d.name)
            if m is None or not d.is_dir():
                p = days.setdefault(f"?{d.name}", Partition(day=d.name))
                p.errors.append(f"{table}/{d.name} is not a {PARTITION}=YYYY-MM-DD partition directory")
                continue
            day = m.group(1)
            if (since is not None and day < since) or (until is not None and day > until):
                continue
            p = days.setdefault(day, Partition(day=day))
            p.files.setdefault(table, [])
            p.rows.setdefault(table, 0)
            for f in sorted(d.glob("*.parquet")):
                problem, rows = check_file(f, expected)
                where = f"{table}/{d.name}/{f.name}"
                if problem is not None:
                    p.errors.append(f"{where}: {problem}")
                    continue
                p.files[table].append(f)
                p.rows[table] += rows
    return [days[k] for k in sorted(days)]


def check_file(path: Path, expected: pl.Schema) -> tuple[str | None, int]:
    """(what is wrong with the part file at ``path``, or None; its rows) from its footer."""
    try:
        meta = pq.read_metadata(path)
        schema = meta.schema.to_arrow_schema()
    except (OSError, pa.ArrowException) as exc:
        return f"cannot be read as Parquet ({type(exc).__name__}: {exc})", 0
    try:
        found = pl.from_arrow(schema.empty_table()).schema  # type: ignore[union-attr]
    except Exception as exc:  # a type polars cannot hold is no layout type either
        return f"has columns of types this layout does not use ({exc})", meta.num_rows
    problems = []
    for name, dtype in expected.items():
        if name not in found:
            problems.append(f"column {name} is missing")
        elif found[name] != dtype:
            problems.append(f"column {name} is {found[name]}, the layout has {dtype}")
    extra = [n for n in found if n not in expected]
    if extra:
        problems.append(f"columns {', '.join(extra)} are not in the layout")
    return ("; ".join(problems) if problems else None), meta.num_rows
