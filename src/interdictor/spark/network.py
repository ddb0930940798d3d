"""The archive's network on Spark: its parties resolved into actors, links and communities by the functions
``interdictor network build`` uses, for analysts to query.

* Spark reads the parties of the archive's good partitions (``job.open_archive``: the manifest, the
  partition survey, the ``--out`` check of the re-screen) and cuts them into groups of about
  ``GROUP`` parties by a hash of the shipment, so every party of a shipment, in every version, meets
  in one group.  Each group (``key_group``, in an Arrow UDF on the executors) keeps its shipments' latest
  version and named parties, as the store's network does, and keys them with ``actors.key_parties``:
  which variant each party is, the variants, the identifiers they use.
* Spark makes the variants and uses distinct over the whole archive (a variant's name is the one of its
  first occurrence, by filing day, partner, shipment and role; a use's ``shown`` the smallest, as the
  store's ``graph_tables`` shows it) and counts the distinct names per identifier; the identifiers with
  ``hub_names`` names or more go through ``screen.parties.hubs.hubs`` — the one hub measure.
* The driver resolves the distinct variants and their phone and e-mail uses into actors with
  ``actors.resolve`` — one global union-find, as a first ``network build`` over a store does.  This step
  holds the distinct variants and strong identifiers of the archive in the driver's memory (not its
  party rows): size ``spark.driver.memory`` for them.
* The communities are the store's: ``store.network.graph_frames``, ``network.graph.build``,
  ``communities.labels_of`` and ``summarise`` on the driver, which then holds the graph of every
  party row (about 1 GB per million shipments); ``--no-communities`` leaves them out.

Everything is written as Parquet under ``--out`` (``TABLES``) with ``_report.json``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

import polars as pl
import pyarrow as pa

from interdictor.archive.layout import PARTITION, RECORD_SCHEMAS, canonical_columns
from interdictor.network import NetworkConfig
from interdictor.network.actors import OCCURRENCE_SCHEMA, Keyed, key_parties, resolve
from interdictor.spark.batches import ORDER
from interdictor.spark.job import (
    BUCKET,
    SESSION_CONF,
    JobReport,
    Options,
    arrow_schema,
    open_archive,
    require_java,
    session,
    spark_schema,
)
from interdictor.spark.survey import Partition

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

GROUP: Final = 200_000  # parties keyed at once by one Python worker (about 70,000 shipments)
WHAT: Final = "_what"  # what a row of a keyed group is: occurrence, variant, use or count
DRIVER_NOTE: Final = ("actors are resolved on the driver: one union-find over the archive's distinct variants and "
                      "their phones and e-mails (not its party rows); communities, when built, hold the graph of "
                      "every party row on the driver")
TABLES: Final = {
    "actors": "one row per actor: its variants, names, parties, shipments, partners, first and last filing day "
              "and community",
    "variants": "each name-and-address variant with its actor and the evidence that tied it",
    "occurrences": "each party of each shipment (its latest version) with its variant and actor, by filing day",
    "uses": "each variant's identifiers (address, phone, e-mail, domain) with its actor and whether it is a hub",
    "communities": "each community of two actors or more, as `interdictor network communities` lists them",
}
KEYED_SCHEMA: Final = pl.Schema({
    WHAT: pl.String(), PARTITION: pl.String(), "partner": pl.String(), "shipment_id": pl.String(),
    "version": pl.Int32(), "party": pl.String(), "variant": pl.String(), "name": pl.String(), "name_key": pl.String(),
    "kind": pl.String(), "value": pl.String(), "shown": pl.String(), "n": pl.Int64(),
})
# what a group counts per partition (``WHAT`` "count", the count's name in ``kind``)
COUNTS: Final = ("resolved", "older_versions", "unnamed", "repeated")


def key_group(group: pl.DataFrame) -> pl.DataFrame:
    """One group's archived parties (every version of its shipments, ``ORDER`` their place in the files) keyed
    by ``key_parties``: KEYED_SCHEMA rows — each party's occurrence, each variant with its first occurrence,
    each variant's uses — and per partition how many parties were resolved or left out, and why."""
    group = group.sort(ORDER)
    latest = group.filter(pl.col("version") == pl.col("version").max().over("partner", "shipment_id"))
    named = latest.filter(pl.col("name").is_not_null())  # as the store's network: a party without a name is no one
    keyed = key_parties(named)
    days = latest.select("partner", "shipment_id", PARTITION).unique(["partner", "shipment_id"], keep="first",
                                                                      maintain_order=True)
    occ = keyed.occurrences.join(days, on=["partner", "shipment_id"], how="left", maintain_order="left")
    first = occ.unique("variant", keep="first", maintain_order=True).select(
        "variant", PARTITION, "partner", "shipment_id", "party")
    keys = ["partner", "shipment_id", "party"]
    unnamed = latest.join(occ.select(keys), on=keys, how="anti").group_by(PARTITION).len("n")
    counts = pl.concat([
        occ.group_by(PARTITION).len("n").with_columns(pl.lit("resolved").alias("kind")),
        group.group_by(PARTITION).len("n").join(latest.group_by(PARTITION).len("latest"), on=PARTITION, how="left")
        .select(PARTITION, (pl.col("n") - pl.col("latest").fill_null(0)).alias("n"), pl.lit("older_versions").alias("kind")),
        unnamed.with_columns(pl.lit("unnamed").alias("kind")),
        latest.group_by(PARTITION).len("n").join(occ.group_by(PARTITION).len("o"), on=PARTITION, how="left")
        .join(unnamed.rename({"n": "u"}), on=PARTITION, how="left")
        .select(PARTITION, (pl.col("n") - pl.col("o").fill_null(0) - pl.col("u").fill_null(0)).alias("n"),
                pl.lit("repeated").alias("kind")),
    ])
    return pl.concat([
        _keyed(occ, "occurrence"),
        _keyed(keyed.variants.join(first, on="variant", how="left", maintain_order="left"), "variant"),
        _keyed(keyed.uses, "use"),
        _keyed(counts, "count"),
    ])


def _keyed(df: pl.DataFrame, what: str) -> pl.DataFrame:
    return df.select(pl.lit(what).alias(WHAT), *((pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c)
                                                 for c, t in KEYED_SCHEMA.items() if c != WHAT))


@dataclass
class NetworkReport(JobReport):
    """The network build's report: per partition the parties in, resolved and left out (and why); the totals."""

    DONE: ClassVar[str] = "resolved"
    PROBLEMS: ClassVar[tuple[str, ...]] = ("partitions_rejected", "errors")

    job: str = "network"
    hub_names: int = NetworkConfig().hub_names
    driver: str = DRIVER_NOTE
    tables: dict[str, str] = field(default_factory=lambda: dict(TABLES))

    def lines(self) -> list[str]:
        t = self.totals
        out = [f"{t.get('resolved', 0):,} parties resolved into {t.get('actors', 0):,} actors ({t.get('variants', 0):,} "
               f"variants, {t.get('hubs', 0):,} hub identifiers, {t.get('communities', 0):,} communities) from "
               f"{len(self.partitions):,} partitions ({self.seconds:.1f} s)"]
        for day, p in self.partitions.items():
            out.append(f"  {day}: {p['status']}, {p['resolved']:,} of {p['rows_in']:,} parties resolved"
                       + "".join(f"\n    {e}" for e in p["errors"]))
        return out


def run(options: Options, say: Callable[[str], None] = print, communities: bool = True,
        cfg: NetworkConfig | None = None) -> NetworkReport:
    """Build the network of the archive ``options.input`` into ``options.out`` (``interdictor spark network``)."""
    parts = open_archive(options, "network build", "network")
    say(f"surveyed {len(parts)} partitions of {options.input} ({sum(p.ok for p in parts)} readable); "
        "building the network…")
    require_java()
    spark, own = session(options.master, options.conf, "interdictor network")
    try:
        return build(spark, parts, options.input, options.out, cfg or NetworkConfig(), communities, say)
    finally:
        if own:
            spark.stop()


def build(spark: SparkSession, parts: list[Partition], root: Path, out: Path, cfg: NetworkConfig,
          communities: bool = True, say: Callable[[str], None] = print) -> NetworkReport:
    """The network of the good partitions of ``parts`` written under ``out`` (replaced), with its report."""
    from pyspark import StorageLevel

    started = datetime.now(UTC)
    report = NetworkReport(input=str(root), out=str(out), started_at=started.isoformat(), hub_names=cfg.hub_names)
    for k, v in SESSION_CONF.items():
        spark.conf.set(k, v)
    good = [p for p in parts if p.ok]
    if out.exists():
        shutil.rmtree(out)
    totals = {"parties_in": sum(p.rows.get("parties", 0) for p in good), "resolved": 0, "variants": 0, "actors": 0,
              "uses": 0, "hubs": 0, "communities": 0}
    counts: list[Any] = []
    if good and totals["parties_in"]:
        keyed = keyed_parties(spark, root, good).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            totals, counts = _network(spark, keyed, root, good, out, cfg, communities, say)
        finally:
            keyed.unpersist()
    out.mkdir(parents=True, exist_ok=True)
    report.partitions = tally(parts, counts)
    totals.update(partitions=len(parts), partitions_rejected=sum(not p.ok for p in parts),
                  errors=sum(len(p["errors"]) for p in report.partitions.values()))
    report.totals = totals
    report.seconds = round((datetime.now(UTC) - started).total_seconds(), 3)
    report.write(out)
    return report


def keyed_parties(spark: SparkSession, root: Path, parts: list[Partition]) -> DataFrame:
    """The parties of ``parts`` keyed on the executors (``key_group``, KEYED_SCHEMA rows), in groups of about
    ``GROUP`` parties cut by a hash of the shipment."""
    from pyspark.sql import functions as F

    files = [str(f) for p in parts for f in p.files.get("parties", [])]
    schema = spark_schema(pl.Schema({**canonical_columns("parties"), PARTITION: pl.String()}))
    rows = spark.read.schema(schema).option("basePath", str(root / "parties")).parquet(*files)
    groups = max(1, -(-sum(p.rows.get("parties", 0) for p in parts) // GROUP))
    rows = rows.withColumn(ORDER, F.monotonically_increasing_id()).withColumn(
        BUCKET, F.pmod(F.xxhash64("partner", "shipment_id"), F.lit(groups)))

    def key(table: pa.Table) -> pa.Table:  # typed: pyspark reads the UDF's kind from its hints
        return _key_arrow(table)

    return rows.groupBy(BUCKET).applyInArrow(key, spark_schema(KEYED_SCHEMA))


def _key_arrow(table: pa.Table) -> pa.Table:
    group = pl.from_arrow(table)
    assert isinstance(group, pl.DataFrame)
    return key_group(group).to_arrow().cast(arrow_schema(KEYED_SCHEMA))


def _polars(df: DataFrame) -> pl.DataFrame:
    """A (small, or driver-sized) Spark frame on the driver, through Arrow."""
    out = pl.from_arrow(df.toArrow())
    assert isinstance(out, pl.DataFrame)
    return out


def _network(spark: SparkSession, keyed: DataFrame, root: Path, parts: list[Partition], out: Path,
             cfg: NetworkConfig, communities: bool, say: Callable[[str], None]) -> tuple[dict[str, int], list[Any]]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from interdictor.network.communities import COMMUNITY_SCHEMA, actor_communities, labels_of, summarise
    from interdictor.network.graph import build as build_graph
    from interdictor.screen.parties import hubs as hub_measure
    from interdictor.store.network import SHARING, VSCHEMA, graph_frames

    what = F.col(WHAT)
    counts = keyed.filter(what == "count").groupBy(PARTITION, "kind").agg(F.sum("n").alias("n")).collect()
    occ = keyed.filter(what == "occurrence").select(PARTITION, *OCCURRENCE_SCHEMA)
    first = F.min(F.struct(PARTITION, "partner", "shipment_id", "party", "name"))
    variants = keyed.filter(what == "variant").groupBy("variant").agg(
        first.getField("name").alias("name"), F.min("name_key").alias("name_key"))
    uses = keyed.filter(what == "use").groupBy("variant", "kind", "value").agg(
        F.min("name_key").alias("name_key"), F.min("shown").alias("shown")).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        # the hub measure: distinct names per identifier counted by Spark, the few with enough names measured
        names = uses.groupBy("kind", "value").agg(F.countDistinct("name_key").cast("long").alias("names"))
        hubs = hub_measure.hubs(_polars(names.filter(F.col("names") >= cfg.hub_names)).select(
            pl.col(c).cast(t) for c, t in hub_measure.COUNT_SCHEMA.items()), cfg.hub_names)
        say(f"{hubs.height:,} hub identifiers; resolving the variants into actors on the driver…")
        distinct = _polars(variants).sort("variant")
        strong = _polars(uses.filter(F.col("kind").isin("phone", "email"))).sort("variant", "kind", "value")
        res = resolve(Keyed(OCCURRENCE_SCHEMA.to_frame(), distinct, strong), pl.DataFrame(schema=VSCHEMA),
                      pl.DataFrame(schema=SHARING), hubs)
        resolved = res.variants.select("variant", "actor_id", "name", "name_key", "evidence")
        mapping = spark.createDataFrame(resolved.to_arrow().cast(arrow_schema(resolved.schema)))
        hub_df = spark.createDataFrame(hubs.to_arrow().cast(arrow_schema(hubs.schema)))
        occ = occ.join(mapping.select("variant", "actor_id"), on="variant").persist(StorageLevel.MEMORY_AND_DISK)
        try:
            per_actor = None
            summary = pl.DataFrame(schema=COMMUNITY_SCHEMA)
            if communities:
                say("building the communities on the driver…")
                graph = build_graph(*graph_frames(_polars(occ.select("partner", "shipment_id", "party", "variant")),
                                                  resolved.select("variant", "actor_id", "name", "evidence"),
                                                  _polars(uses.select("variant", "kind", "value", "name_key", "shown")),
                                                  cfg), cfg)
                labels = labels_of(graph, cfg)
                summary = summarise(graph, labels, seen(spark, root, parts), marks(spark, root))
                per_actor = actor_communities(graph, labels, summary)
                del graph, labels
            (occ.select("partner", "shipment_id", "version", "party", "variant", "actor_id", PARTITION)
             .repartition(PARTITION).sortWithinPartitions(PARTITION, "partner", "shipment_id", "party")
             .write.mode("overwrite").partitionBy(PARTITION).parquet(str(out / "occurrences")))
            mapping.write.mode("overwrite").parquet(str(out / "variants"))
            (uses.join(mapping.select("variant", "actor_id"), on="variant")
             .join(F.broadcast(hub_df), on=["kind", "value"], how="left")
             .select("actor_id", "variant", "kind", "value", "shown", F.col("names").isNotNull().alias("hub"),
                     F.col("names").alias("hub_names"))
             .write.mode("overwrite").parquet(str(out / "uses")))
            actors = occ.groupBy("actor_id").agg(
                F.countDistinct("variant").alias("variants"), F.count(F.lit(1)).alias("parties"),
                F.countDistinct("partner", "shipment_id").alias("shipments"),
                F.countDistinct("partner").alias("partners"),
                F.min(PARTITION).alias("first_seen"), F.max(PARTITION).alias("last_seen"))
            actor_names = mapping.groupBy("actor_id").agg(F.sort_array(F.collect_set("name")).alias("names"))
            actors = actors.join(actor_names, on="actor_id", how="left")
            if per_actor is not None and per_actor.height:
                actors = actors.join(spark.createDataFrame(per_actor.to_arrow().cast(arrow_schema(per_actor.schema))),
                                     on="actor_id", how="left")
            else:
                actors = actors.withColumn("community", F.lit(None).cast("string"))
            (actors.select("actor_id", "names", "variants", "parties", "shipments", "partners", "first_seen",
                           "last_seen", "community")
             .write.mode("overwrite").parquet(str(out / "actors")))
            if communities:
                (out / "communities").mkdir(parents=True, exist_ok=True)
                summary.write_parquet(out / "communities" / "part-00000.parquet")
            totals = {"parties_in": sum(p.rows.get("parties", 0) for p in parts),
                      "resolved": sum(int(r["n"]) for r in counts if r["kind"] == "resolved"),
                      "variants": resolved.height, "actors": resolved["actor_id"].n_unique(),
                      "uses": uses.count(), "hubs": hubs.height, "communities": summary.height}
        finally:
            occ.unpersist()
    finally:
        uses.unpersist()
    return totals, counts


def seen(spark: SparkSession, root: Path, parts: list[Partition]) -> pl.DataFrame:
    """partner, shipment_id, seen: when each archived shipment was filed (its filing day when the filing gave
    no time), as the store's ``network.seen`` gives it for stored shipments."""
    from pyspark.sql import functions as F

    files = [str(f) for p in parts for f in p.files.get("shipments", [])]
    if not files:
        return pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String, "seen": pl.Datetime("us")})
    schema = spark_schema(pl.Schema({**canonical_columns("shipments"), PARTITION: pl.String()}))
    rows = spark.read.schema(schema).option("basePath", str(root / "shipments")).parquet(*files)
    when = F.coalesce(F.col("filed_at"), F.to_timestamp(PARTITION)).alias("seen")
    df = _polars(rows.groupBy("partner", "shipment_id").agg(F.max(when).alias("seen")))
    return df.with_columns(pl.col("seen").dt.replace_time_zone(None).cast(pl.Datetime("us")))


def marks(spark: SparkSession, root: Path) -> pl.DataFrame:
    """partner, shipment_id, result, when: the seizures and referrals the archive records, as the store's
    ``network.outcome_marks`` gives them."""
    from pyspark.sql import functions as F

    empty = pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String, "result": pl.String,
                                 "when": pl.String})
    files = sorted(str(f) for f in (root / "outcomes").glob(f"{PARTITION}=*/*.parquet"))
    if not files:
        return empty
    rows = spark.read.schema(spark_schema(RECORD_SCHEMAS["outcomes"])).parquet(*files)
    df = _polars(rows.filter(F.col("result").isin("seized", "referred")).select(
        "partner", "shipment_id", "result",
        F.date_format(F.coalesce("examined_at", "recorded_at"), "yyyy-MM-dd").alias("when")))
    return df.select(pl.col(c).cast(t) for c, t in empty.schema.items())


def tally(parts: list[Partition], counts: list[Any]) -> dict[str, dict[str, Any]]:
    """Per partition: parties in (from the footers), resolved and left out (from the job), the errors; parties
    in that the job neither resolved nor left out with a reason are an error, never silently lost."""
    out: dict[str, dict[str, Any]] = {}
    for p in parts:
        n = p.rows.get("parties", 0)
        out[p.day] = {"status": "built" if p.ok else "rejected", "rows_in": n, **dict.fromkeys(COUNTS, 0),
                      "errors": list(p.errors) + ([] if p.ok else [f"partition rejected: its {n:,} parties are not "
                                                                    "in the network"])}
    for r in counts:
        out[r[PARTITION]][r["kind"]] += int(r["n"])
    for p in parts:
        e = out[p.day]
        missing = e["rows_in"] - sum(e[k] for k in COUNTS)
        if p.ok and missing:
            e["errors"].append(f"{missing:,} of {e['rows_in']:,} parties neither resolved nor left out with a reason "
                               "(a part file Spark could not read?)")
    return out

