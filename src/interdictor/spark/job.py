"""The re-screen job: an archive's filing days screened on Spark by the same pass, with one assembled context.

The driver reads the manifest (an archive of another layout is refused), surveys the partitions from the
Parquet footers (``survey``), assembles the screening exactly as ``interdictor screen`` does (option, then
environment, then the store's active versions, then what ships) and broadcasts it to the executors once.
Spark reads the four canonical tables of the good partitions, groups their rows by filing day and partner,
and each group goes through ``batches.screen_group`` — ``screen_batch`` itself — in an Arrow UDF.  The
assessments are written as Parquet under ``--out``, partitioned by filing day; rejected rows under
``--out/_rejects``; and ``--out/_report.json`` says which versions screened, and per partition what came
in, what was screened and what was rejected, and why.

History: reasons that depend on stored history (first seen, clusters of the day, networks, the model's
history features) use what the store held at the assembly's history mark (``versions["history"]``), the
same context for every partition — not the history as it stood when each archived shipment was filed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

import polars as pl
import pyarrow as pa

from interdictor import __version__
from interdictor.archive.layout import CANONICAL, PARTITION, ArchiveError, Manifest, canonical_columns
from interdictor.screening.assembly import Screening, assemble
from interdictor.settings import Settings
from interdictor.spark.batches import ASSESSMENT_COLUMNS, CHUNK, ORDER, RESULT_SCHEMA, TABLE, screen_group
from interdictor.spark.survey import Partition, survey

if TYPE_CHECKING:
    from pyspark.broadcast import Broadcast
    from pyspark.sql import DataFrame, SparkSession

REPORT: Final = "_report.json"
BUCKET: Final = "_bucket"  # a day's shipments cut into groups of about one screening chunk (``read_groups``)
REJECTS: Final = "_rejects"
HISTORY_NOTE: Final = ("reasons that depend on stored history (first seen, the day's clusters, networks, the model's "
                       "history features) use what the store held at the history mark of the assembly "
                       "(versions.history), one context for every partition; a shipment re-screened here may "
                       "therefore count itself, and what was stored after it, as seen before")
# what every re-screen sets: timestamps read and written in UTC, as the archive holds them
SESSION_CONF: Final = {"spark.sql.session.timeZone": "UTC"}
EXIT_OK, EXIT_NOTHING, EXIT_REJECTS = 0, 2, 3


class RescreenError(ValueError):
    """Nothing can be re-screened (not an archive, an unusable --out, a setting that names nothing)."""


@dataclass
class Options:
    """What a re-screen is asked to do (the CLI's and spark-submit's arguments)."""

    input: Path
    out: Path
    settings: Settings = field(default_factory=Settings)
    master: str | None = None  # None: what spark-submit or the session in use says, else local[2]
    since: str | None = None
    until: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    chunk: int = CHUNK


@dataclass
class JobReport:
    """``--out/_report.json`` of a Spark job: which job wrote the folder (another job's output is never
    replaced: ``check_out``), when, and per partition what came in and what became of it, with the totals.
    ``DONE`` names the total that says anything was done (none: exit 2), ``PROBLEMS`` those that say some
    of it was not (exit 3)."""

    DONE: ClassVar[str]
    PROBLEMS: ClassVar[tuple[str, ...]]

    input: str
    out: str
    job: str
    code_version: str = __version__
    started_at: str = ""
    seconds: float = 0.0
    partitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.totals.get(self.DONE, 0) == 0:
            return EXIT_NOTHING
        return EXIT_REJECTS if any(self.totals.get(k, 0) for k in self.PROBLEMS) else EXIT_OK

    def write(self, out: Path) -> None:
        (out / REPORT).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")


@dataclass
class Report(JobReport):
    """The re-screen's report: the versions used and, per partition, rows in, screened and rejected."""

    DONE: ClassVar[str] = "screened"
    PROBLEMS: ClassVar[tuple[str, ...]] = ("rejected", "errors")

    job: str = "rescreen"
    versions: dict[str, str] = field(default_factory=dict)
    history: str = HISTORY_NOTE

    def lines(self) -> list[str]:
        """The report for a console, one line per partition."""
        t = self.totals
        out = [f"{t.get('screened', 0):,} shipments re-screened, {t.get('rejected', 0):,} rows rejected in "
               f"{len(self.partitions):,} partitions ({self.seconds:.1f} s); versions: "
               + ", ".join(f"{k} {v}" for k, v in sorted(self.versions.items()))]
        for day, p in self.partitions.items():
            line = f"  {day}: {p['status']}, {p['screened']:,} screened, {p['rejected']:,} rejected"
            out.append(line + "".join(f"\n    {e}" for e in p["errors"]))
        return out


def options(input: Path, out: Path, *, ruleset: str | None = None, db: str | None = None, master: str | None = None,
            since: str | None = None, until: str | None = None, conf: list[str] | None = None) -> Options:
    """The options of a re-screen from its arguments (the CLI's and spark-submit's): settings as ``screen``
    takes them — an option over the environment (``INTERDICTOR_*``)."""
    settings = Settings().with_database(db)
    if ruleset is not None:
        settings = settings.with_ruleset(ruleset)
    for name, day in (("--since", since), ("--until", until)):
        if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise RescreenError(f"{name} {day!r} is not a day: give YYYY-MM-DD")
    pairs = {}
    for item in conf or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise RescreenError(f"--conf {item!r} is not KEY=VALUE")
        pairs[key.strip()] = value
    return Options(input=input, out=out, settings=settings, master=master, since=since, until=until, conf=pairs)


def execute(make: Callable[[], Options], say: Callable[[str], None] = print,
            job: Callable[[Options, Callable[[str], None]], Any] | None = None, wrote: str = "the assessments") -> int:
    """Run a re-screen (or ``job``, the network's) and say how it went; the exit code: 0 all screened, 3 some
    partitions or rows rejected, 2 nothing screened (not an archive, a bad option, no Java, nothing readable)."""
    from interdictor.screening.assembly import AssemblyError
    from interdictor.store.db import StoreError

    try:
        opts = make()
        report = (job or run)(opts, say)
    except (RescreenError, AssemblyError, StoreError) as exc:
        say(f"error: {exc}")
        return EXIT_NOTHING
    except ImportError as exc:
        say(f"error: {exc}: install the Spark extra (pip install 'interdictor[spark]')")
        return EXIT_NOTHING
    for line in report.lines():
        say(line)
    say(f"wrote {wrote} to {opts.out} and the report to {opts.out / REPORT}")
    return report.exit_code


def run(options: Options, say: Callable[[str], None] = print) -> Report:
    """Re-screen the archive ``options.input`` into ``options.out``: the shared body of ``interdictor spark
    rescreen`` and ``spark-submit .../submit.py``.  A ``RescreenError`` when nothing can be re-screened."""
    root, out = options.input, options.out
    parts = open_archive(options)
    say(f"surveyed {len(parts)} partitions of {root} ({sum(p.ok for p in parts)} readable); assembling the screening…")
    screening = assemble_from(options.settings)
    require_java()
    spark, own = session(options.master, options.conf)
    try:
        return rescreen(spark, screening, parts, root, out, options.chunk)
    finally:
        if own:
            spark.stop()


def open_archive(options: Options, what: str = "re-screen", job: str = "rescreen") -> list[Partition]:
    """The partitions of the archive ``options.input`` in the days asked for (``survey``), once its manifest
    is this layout's and ``options.out`` may be written (``check_out``); a ``RescreenError`` saying why not."""
    root = options.input
    try:
        Manifest.read(root)
    except ArchiveError as exc:
        raise RescreenError(str(exc)) from exc
    check_out(options.out, what, job)
    parts = survey(root, options.since, options.until)
    if not parts:
        raise RescreenError(f"{root} holds no partitions"
                            + (" in the days asked for" if options.since or options.until else ""))
    return parts


def require_java() -> None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise RescreenError("Spark needs Java 17 or later and none was found (install openjdk-17-jre-headless, "
                            "or set JAVA_HOME)")


def assemble_from(settings: Settings) -> Screening:
    """The screening ``interdictor screen`` would use with these settings and their store."""
    from interdictor.store import open_store

    store = open_store(settings.resolved_database_url())
    try:
        return assemble(settings, store)
    finally:
        store.close()


def check_out(out: Path, what: str = "re-screen", job: str = "rescreen") -> None:
    """Refuse an ``--out`` that holds something other than an earlier output of this ``job`` (which is
    replaced): a file, a folder without a report, or another job's output (its report's ``job``)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / REPORT).is_file())):
        raise RescreenError(f"{out} exists and is not an earlier {what}'s output: give a new or empty directory")
    if (out / REPORT).is_file():
        try:
            wrote = json.loads((out / REPORT).read_text(encoding="utf-8")).get("job", "rescreen")
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            wrote = None
        if wrote != job:
            raise RescreenError(f"{out} holds the output of another job ({wrote or 'an unreadable report'}), not "
                                f"of an earlier {what}: give a new or empty directory")


def session(master: str | None, conf: dict[str, str], name: str = "interdictor rescreen") -> tuple[SparkSession, bool]:
    """(the Spark session, whether this call started it).  A session already running (spark-submit's, a test's)
    is used as it is; else one on ``master`` (default ``local[2]``), its Python workers this interpreter."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        for k, v in {**SESSION_CONF, **conf}.items():
            active.conf.set(k, v)
        return active, False
    builder = SparkSession.builder.appName(name)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # under spark-submit: its --master and --conf hold
    if master is not None or not submitted:
        master = master or "local[2]"
        builder = builder.master(master)
        if master.startswith("local"):
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers run this interpreter
    if not sys.stderr.isatty():  # Spark's stage bars are for a terminal; in a log they are thousands of lines
        builder = builder.config("spark.ui.showConsoleProgress", "false")
    for k, v in {**SESSION_CONF, **conf}.items():
        builder = builder.config(k, v)
    return builder.getOrCreate(), True


def rescreen(spark: SparkSession, screening: Screening, parts: list[Partition], root: Path, out: Path,
             chunk: int = CHUNK) -> Report:
    """Screen the good partitions of ``parts`` with ``screening`` broadcast once; write results and the report."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    started = datetime.now(UTC)
    report = Report(input=str(root), out=str(out), started_at=started.isoformat(), versions=dict(screening.versions))
    for k, v in SESSION_CONF.items():
        spark.conf.set(k, v)
    good = [p for p in parts if p.ok]
    set_shuffle_partitions(spark, good, chunk)
    if out.exists():
        shutil.rmtree(out)
    counts: list[Any] = []
    whys: list[Any] = []
    if good:
        shared = spark.sparkContext.broadcast(screening)
        rows = read_groups(spark, root, good, chunk)

        def screen(table: pa.Table) -> pa.Table:  # typed: pyspark reads the UDF's kind from its hints
            return _screen_arrow(shared, chunk, table)

        result = rows.groupBy(PARTITION, "partner", BUCKET).applyInArrow(screen, spark_schema(RESULT_SCHEMA))
        result = result.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            assessed = result.filter(F.col("rejected").isNull())
            (assessed.repartition(PARTITION)
             .sortWithinPartitions(PARTITION, F.col("score").desc(), "partner", "shipment_id")
             .select(*ASSESSMENT_COLUMNS, PARTITION)
             .write.mode("overwrite").partitionBy(PARTITION).parquet(str(out)))
            counts = (result.groupBy(PARTITION, "partner", "table")
                      .agg(F.count(F.when(F.col("rejected").isNull(), 1)).alias("screened"),
                           F.count("rejected").alias("rejected")).collect())
            rejected = result.filter(F.col("rejected").isNotNull())
            whys = rejected.groupBy(PARTITION, "table", "rejected").count().collect()
            if whys:
                (rejected.select(PARTITION, "table", "partner", "shipment_id", "version", F.col("rejected").alias("reason"))
                 .coalesce(1).write.mode("overwrite").partitionBy(PARTITION).parquet(str(out / REJECTS)))
        finally:
            result.unpersist()
            shared.destroy()
    out.mkdir(parents=True, exist_ok=True)
    report.partitions = tally(parts, counts, whys)
    report.totals = {
        "screened": sum(p["screened"] for p in report.partitions.values()),
        "rejected": sum(p["rejected"] for p in report.partitions.values()),
        "errors": sum(len(p["errors"]) for p in report.partitions.values()),
        "partitions": len(report.partitions),
        "partitions_rejected": sum(p["status"] == "rejected" for p in report.partitions.values()),
    }
    report.seconds = round((datetime.now(UTC) - started).total_seconds(), 3)
    report.write(out)
    return report


def buckets_of(part: Partition, chunk: int) -> int:
    """How many groups of about ``chunk`` shipments a day is cut into: ``ceil(shipments / chunk)``, at least one."""
    return max(1, -(-part.rows.get("shipments", 0) // chunk))


def set_shuffle_partitions(spark: SparkSession, parts: list[Partition], chunk: int) -> None:
    """Unless the user set ``spark.sql.shuffle.partitions`` (``--conf``, spark-submit, the session), one shuffle
    partition per group of about ``chunk`` shipments, at least the executors' cores: Spark's default of 200
    makes a small archive's re-screen mostly the overhead of empty tasks, and a 10 M archive's tasks too big."""
    if spark.sparkContext.getConf().contains("spark.sql.shuffle.partitions"):
        return
    groups = sum(buckets_of(p, chunk) for p in parts)
    spark.conf.set("spark.sql.shuffle.partitions", str(max(spark.sparkContext.defaultParallelism, min(groups, 4000))))


def read_groups(spark: SparkSession, root: Path, parts: list[Partition], chunk: int = CHUNK) -> DataFrame:
    """The four tables' rows of ``parts`` as one frame: each row with its table, its place in the files and
    its shipment's bucket (``BUCKET``).  A day of ``n`` shipments is cut into ``ceil(n / chunk)`` buckets by a
    hash of the shipment id, so a shipment's rows of every table meet in one group of about ``chunk``
    shipments — one screening chunk, never a whole national day in one Python worker — and a day's groups
    are spread over the executors.  A day of ``chunk`` shipments or fewer is one group."""
    from pyspark.sql import functions as F

    frames = []
    for table in CANONICAL:
        files = [str(f) for p in parts for f in p.files.get(table, [])]
        schema = spark_schema(pl.Schema({**canonical_columns(table), PARTITION: pl.String()}))
        if files:
            df = spark.read.schema(schema).option("basePath", str(root / table)).parquet(*files)
        else:
            df = spark.createDataFrame([], schema)
        frames.append(df.withColumn(TABLE, F.lit(table)).withColumn(ORDER, F.monotonically_increasing_id()))
    rows = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
    buckets = spark.createDataFrame([(p.day, buckets_of(p, chunk)) for p in parts],
                                    f"{PARTITION} string, _buckets long")
    rows = rows.join(F.broadcast(buckets), on=PARTITION, how="left")
    return rows.withColumn(BUCKET, F.pmod(F.xxhash64("shipment_id"), F.col("_buckets"))).drop("_buckets")


def tally(parts: list[Partition], counts: list[Any], whys: list[Any]) -> dict[str, dict[str, Any]]:
    """Per partition: rows in (from the footers), screened and rejected (from the job), the errors with their
    counts; rows in that the job neither screened nor rejected are an error, never silently lost."""
    out: dict[str, dict[str, Any]] = {}
    for p in parts:
        shipments = p.rows.get("shipments", 0)
        out[p.day] = {"status": "screened" if p.ok else "rejected", "rows_in": dict(p.rows), "screened": 0,
                      "rejected": 0 if p.ok else shipments, "partners": {},
                      "errors": list(p.errors) + ([] if p.ok else [f"partition rejected: its {shipments:,} shipments "
                                                                    "were not screened"])}
    seen: dict[tuple[str, str], int] = {}
    for r in counts:
        entry = out[r[PARTITION]]
        if r["table"] == "shipments":
            entry["screened"] += r["screened"]
            entry["rejected"] += r["rejected"]
            partner = entry["partners"].setdefault(str(r["partner"]), {"screened": 0, "rejected": 0})
            partner["screened"] += r["screened"]
            partner["rejected"] += r["rejected"]
        seen[(r[PARTITION], r["table"])] = seen.get((r[PARTITION], r["table"]), 0) + r["screened"] + r["rejected"]
    for r in whys:
        out[r[PARTITION]]["errors"].append(f"{r['count']:,} {r['table']} rows rejected: {r['rejected']}")
    for p in parts:
        if not p.ok:
            continue
        # every shipment row comes back screened or rejected (a child row comes back only when rejected)
        n_in, n_out = p.rows.get("shipments", 0), seen.get((p.day, "shipments"), 0)
        if n_in != n_out:
            out[p.day]["errors"].append(f"{n_in - n_out:,} of {n_in:,} shipments rows neither screened nor rejected "
                                        "(a part file Spark could not read?)")
    return out


def _screen_arrow(shared: Broadcast[Screening], chunk: int, table: pa.Table) -> pa.Table:
    """The Arrow UDF: one group's rows in, its result rows out (on an executor)."""
    group = pl.from_arrow(table)
    assert isinstance(group, pl.DataFrame)
    return screen_group(group, shared.value, chunk).to_arrow().cast(arrow_schema(RESULT_SCHEMA))


def arrow_schema(schema: pl.Schema) -> pa.Schema:
    """``schema`` in Arrow's plain (not large) types, as Spark's Arrow exchange expects them."""
    return pa.schema([pa.field(k, _arrow(v)) for k, v in schema.items()])


def _arrow(dtype: Any) -> pa.DataType:
    """One polars type (an instance, or a class such as ``pl.String``) as a plain Arrow type."""
    d = dtype() if isinstance(dtype, type) else dtype
    if isinstance(d, pl.Datetime):
        return pa.timestamp("us", tz=d.time_zone)
    if isinstance(d, pl.List):
        return pa.list_(_arrow(d.inner))
    if isinstance(d, pl.Struct):
        return pa.struct([pa.field(f.name, _arrow(f.dtype)) for f in d.fields])
    simple = {pl.String: pa.string(), pl.Int32: pa.int32(), pl.Int64: pa.int64(), pl.Float64: pa.float64(),
              pl.Boolean: pa.bool_()}
    return simple[type(d)]


def spark_schema(schema: pl.Schema) -> Any:
    """``schema`` as a Spark ``StructType``."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema(schema))
