"""``interdictor export --format parquet``: the store's current shipments, their latest assessments, decisions
and outcomes as an archive partitioned by filing day (``archive/``), read back with polars."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from interdictor.archive.layout import MANIFEST, PARTITION, ArchiveError, Manifest, canonical_columns, scan
from interdictor.archive.write import ArchiveWriter
from interdictor.cli import app
from interdictor.demo.generate import generate_manifest
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.model import legs_from_routing
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store import schema as t
from interdictor.store.db import Store
from interdictor.store.decisions import add_decision, add_outcome

DAY1, DAY2, GHOST_DAY = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 9)
KEY = ["partner", "shipment_id", "version"]


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """Two generated days of traffic (CSV manifests), 120 shipments each."""
    where = tmp_path_factory.mktemp("traffic")
    days = []
    for seed, day in ((1, DAY1), (2, DAY2)):
        path = where / f"{day}.csv"
        generate_manifest(path, size=120, seed=seed, day=day)
        days.append(path.read_bytes())
    return days[0], days[1]


def screen(store: Store, data: bytes, partner: str = "acme") -> None:
    settings = Settings().model_copy(update={"detectors": "route,consistency"})
    run = ScreenRun(assemble(settings, store), partner=partner, source="m.csv", fmt="manifest-csv", store=store)
    for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name="m.csv")):
        run.add(chunk)
    run.finish()


def rows_of(data: bytes, ids: list[str], **change: str | None) -> bytes:
    """The rows of ``ids`` of a manifest, with the columns of ``change`` set to its values."""
    rows = pl.read_csv(io.BytesIO(data), infer_schema=False).filter(pl.col("shipment_id").is_in(ids))
    return rows.with_columns(pl.lit(v, pl.String).alias(k) for k, v in change.items()).write_csv().encode()


def ids_of(data: bytes) -> list[str]:
    return pl.read_csv(io.BytesIO(data), columns=["shipment_id"], infer_schema=False)["shipment_id"].unique(
        maintain_order=True).to_list()


def stored_traffic(url: str, traffic: tuple[bytes, bytes]) -> dict[str, list[str]]:
    """Both days stored under partner acme, a few of the first day's shipments amended (version 2), one
    shipment filed with no time (received today), and decisions and outcomes on some; which ids are which."""
    day1, day2 = traffic
    ids1, ids2 = ids_of(day1), ids_of(day2)
    amended = ids1[:4]
    store = open_store(url)
    try:
        screen(store, day1)
        screen(store, day2)
        # an amendment: the same shipments, their values declared in another currency
        screen(store, rows_of(day1, amended, currency="EUR"))
        # the same shipment again under another partner, with no filing time
        undated = ids2[0]
        screen(store, rows_of(day2, [undated], filed_at=None), partner="globex")
        with store.begin() as conn:
            for sid, version in ((amended[0], 2), (ids2[1], 1)):
                ship = {"partner": "acme", "shipment_id": sid, "version": version}
                did = add_decision(conn, "officer", ship, None, decision="exam", reason="r",
                                   answer="hold_for_screening", pick_kind="manual")
                add_outcome(conn, "officer", ship, did, result="seized", what="pills", quantity=2.0, unit="kg",
                            agency=None, note=None, examined_at=datetime(2026, 3, 4, 12, tzinfo=UTC))
            # a decision on a shipment the store does not hold: archived by the day it was made
            add_decision(conn, "officer", {"partner": "acme", "shipment_id": "GHOST", "version": 1}, None,
                         decision="release", reason="r", answer="released", pick_kind="manual",
                         decided_at=datetime(GHOST_DAY.year, GHOST_DAY.month, GHOST_DAY.day, 23, 59, tzinfo=UTC))
    finally:
        store.close()
    return {"day1": ids1, "day2": ids2, "amended": amended, "undated": [undated]}


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("INTERDICTOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "400")
    return CliRunner()


def export(runner: CliRunner, url: str, out: Path, *more: str) -> str:
    result = runner.invoke(app, ["export", "--format", "parquet", "--out", str(out), "--db", url, *more])
    assert result.exit_code == 0, result.output
    return result.output


def read(root: Path, table: str) -> pl.DataFrame:
    return scan(root, table).collect()


def current(url: str, table: t.Table, schema: pl.Schema) -> pl.DataFrame:
    """``table``'s rows of every shipment's current version, as the store holds them."""
    S = t.shipments
    store = open_store(url, migrate=False)
    try:
        on = (S.c.partner == table.c.partner) & (S.c.shipment_id == table.c.shipment_id) & (S.c.version == table.c.version)
        stmt = select(*[table.c[c] for c in schema]).select_from(table.join(S, on) if table is not S else S)
        return store.read_frame(stmt.where(S.c.is_current.is_(True)), dict(schema))
    finally:
        store.close()


def test_the_archive_holds_each_shipments_latest_version_once_as_stored(
        runner: CliRunner, store_url: str, traffic: tuple[bytes, bytes], tmp_path: Path) -> None:
    ids = stored_traffic(store_url, traffic)
    out = tmp_path / "archive"
    line = export(runner, store_url, out)
    manifest = Manifest.read(out)
    ships = read(out, "shipments")
    # every current version, once, with the values the store holds
    assert ships.select(KEY).is_duplicated().sum() == 0
    assert ships.height == len(ids["day1"]) + len(ids["day2"]) + 1
    for name, table, order in (("shipments", t.shipments, KEY), ("items", t.items, [*KEY, "item"]),
                               ("parties", t.parties, [*KEY, "party"])):
        cols = canonical_columns(name)
        archived = read(out, name).drop(PARTITION).sort(order)
        assert archived.schema == cols
        assert archived.equals(current(store_url, table, cols).sort(order)), name
    # amended shipments: their latest version only
    amended = ships.filter(pl.col("shipment_id").is_in(ids["amended"]) & (pl.col("partner") == "acme"))
    assert amended["version"].to_list() == [2] * len(ids["amended"]) and set(amended["currency"]) == {"EUR"}
    items = read(out, "items").filter(pl.col("shipment_id").is_in(ids["amended"]), pl.col("partner") == "acme")
    assert not items.is_empty() and set(items["version"]) == {2}
    # legs as a reader gives them: from the routing
    legs = read(out, "legs").drop(PARTITION).sort([*KEY, "seq"])
    expected = legs_from_routing(ships.select("shipment_id", "routing").filter(ships["partner"] == "acme"))
    assert legs.filter(pl.col("partner") == "acme").select("shipment_id", "seq", "point").equals(
        expected.sort("shipment_id", "seq"))
    # partitions by filing day (the undated one by the day it was received)
    received = current(store_url, t.shipments, pl.Schema({"partner": pl.String, "received_at": pl.Datetime("us", "UTC")}))
    today = received.filter(pl.col("partner") == "globex")["received_at"].dt.date()[0]  # UTC
    by_day = {d: set(g["shipment_id"]) for (d,), g in ships.filter(pl.col("partner") == "acme").group_by(PARTITION)}
    assert by_day == {DAY1: set(ids["day1"]), DAY2: set(ids["day2"])}
    assert ships.filter(pl.col("partner") == "globex")[PARTITION].to_list() == [today]
    assert sorted((out / "shipments").iterdir()) == [out / "shipments" / f"filed_day={d}"
                                                     for d in sorted({DAY1, DAY2, today})]
    # the manifest counts what the files hold
    assert manifest.days == sorted(d.isoformat() for d in {DAY1, DAY2, today, GHOST_DAY})
    for table, n in manifest.tables.items():
        assert read(out, table).height == n, table
    assert manifest.tables["shipments"] == ships.height and manifest.since is None
    assert f"shipments {ships.height:,}" in " ".join(line.split())
    # the latest assessment of each current version, with its run's reasons
    assessed = read(out, "assessments")
    assert assessed.select(KEY).sort(KEY).equals(ships.select(KEY).sort(KEY))
    assert assessed.filter(pl.col("shipment_id").is_in(ids["amended"]), pl.col("partner") == "acme")[
        "version"].to_list() == [2] * len(ids["amended"])
    stored_reasons = current(store_url, t.reasons, pl.Schema({"partner": pl.String, "shipment_id": pl.String,
                                                              "run_id": pl.String, "code": pl.String}))
    got = assessed.select("partner", "shipment_id", "run_id", pl.col("reasons").list.eval(pl.element().struct
                                                                                         .field("code")))
    for row in got.iter_rows(named=True):
        want = stored_reasons.filter(pl.col("partner") == row["partner"], pl.col("shipment_id") == row["shipment_id"],
                                     pl.col("run_id") == row["run_id"])["code"]
        assert sorted(row["reasons"]) == sorted(want.to_list())
    assert set(assessed["model"]) == {"none"} and all(json.loads(v)["ruleset"] for v in assessed["inputs"])
    # decisions and outcomes, in their shipment's partition
    decisions, outcomes = read(out, "decisions"), read(out, "outcomes")
    assert dict(zip(decisions["shipment_id"], decisions[PARTITION], strict=True)) == {
        ids["amended"][0]: DAY1, ids["day2"][1]: DAY2, "GHOST": GHOST_DAY}
    assert dict(zip(outcomes["shipment_id"], outcomes[PARTITION], strict=True)) == {ids["amended"][0]: DAY1,
                                                                                    ids["day2"][1]: DAY2}
    assert set(outcomes["result"]) == {"seized"}
    assert set(outcomes["decision_id"]) == set(decisions.filter(pl.col("shipment_id") != "GHOST")["decision_id"])


def test_the_latest_of_several_assessments_of_a_version_is_archived(
        runner: CliRunner, traffic: tuple[bytes, bytes], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    day1, _ = traffic
    sid = ids_of(day1)[0]
    store = open_store(url)
    try:
        screen(store, rows_of(day1, [sid]))
        key = {"partner": "acme", "shipment_id": sid, "version": 1}
        later = datetime(2099, 1, 1, tzinfo=UTC)
        store.insert_frames([
            ("assessments", pl.DataFrame([{**key, "run_id": "later", "score": 99.0, "disposition": "hold",
                                           "corridor": None, "ruleset": "default", "ruleset_version": 3,
                                           "created_at": later}])),
            ("reasons", pl.DataFrame([{**key, "run_id": "later", "code": "LIST_HIT", "weight": 99.0,
                                       "evidence": "x", "item": None, "party": "consignee"}])),
        ])
    finally:
        store.close()
    export(runner, url, tmp_path / "a")
    row = read(tmp_path / "a", "assessments").row(0, named=True)
    assert (row["run_id"], row["score"], row["disposition"]) == ("later", 99.0, "hold")
    assert row["reasons"] == [{"code": "LIST_HIT", "weight": 99.0, "evidence": "x", "item": None, "party": "consignee"}]
    assert row["model"] is None and row["inputs"] is None  # no run recorded what it screened with


def test_since_keeps_the_days_from_it_on(runner: CliRunner, traffic: tuple[bytes, bytes], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = open_store(url)
    try:
        screen(store, traffic[0])
        screen(store, traffic[1])
    finally:
        store.close()
    out = tmp_path / "a"
    export(runner, url, out, "--since", DAY2.isoformat())
    manifest = Manifest.read(out)
    assert manifest.since == DAY2.isoformat() and manifest.days == [DAY2.isoformat()]
    ships = read(out, "shipments")
    assert set(ships["shipment_id"]) == set(ids_of(traffic[1]))
    assert set(read(out, "items")[PARTITION]) == {DAY2}


def test_a_small_buffer_writes_many_parts_and_the_same_rows(traffic: tuple[bytes, bytes], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from interdictor.archive.export import export_store

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    held: list[int] = []
    add = ArchiveWriter.add

    def watched(self: ArchiveWriter, table: str, frame: pl.DataFrame) -> None:
        add(self, table, frame)
        held.append(self.buffered_bytes)

    store = open_store(url)
    try:
        screen(store, traffic[0])
        whole = export_store(store, tmp_path / "whole")
        monkeypatch.setattr(ArchiveWriter, "add", watched)
        budget = 40_000
        small = export_store(store, tmp_path / "small", slice_rows=17, part_rows=50, buffer_bytes=budget)
    finally:
        store.close()
    assert held and max(held) <= budget  # never more than the budget held in memory
    assert len(list((tmp_path / "small" / "items").rglob("*.parquet"))) > 3
    assert len(list((tmp_path / "whole" / "items").rglob("*.parquet"))) == 1
    for table in ("shipments", "items", "parties", "legs", "assessments"):
        order = [c for c in ("partner", "shipment_id", "version", "item", "party", "seq")
                 if c in scan(tmp_path / "whole", table).collect_schema()]
        assert read(tmp_path / "whole", table).sort(order).equals(read(tmp_path / "small", table).sort(order)), table
    assert whole.manifest.tables == small.manifest.tables


def test_an_archive_of_another_layout_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / "a"
    export(runner, url, out)  # an empty store: an empty archive, every table there
    assert Manifest.read(out).tables == dict.fromkeys(Manifest.read(out).tables, 0)
    assert read(out, "shipments").is_empty() and read(out, "shipments").schema["version"] == pl.Int32
    data = json.loads((out / MANIFEST).read_text())
    for change, says in (({"schema": 99}, "layout 99"), ({"canonical": "0123456789abcdef"}, "other canonical"),
                         ({"format": "other"}, "not an Interdictor archive")):
        (out / MANIFEST).write_text(json.dumps({**data, **change}))
        with pytest.raises(ArchiveError, match=says):
            Manifest.read(out)
    (out / MANIFEST).write_text("{not json")
    with pytest.raises(ArchiveError, match="cannot be read"):
        Manifest.read(out)
    (out / MANIFEST).unlink()
    with pytest.raises(ArchiveError, match=r"no _archive\.json"):
        Manifest.read(out)


def test_bad_input_is_a_clear_error_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"

    def refused(*args: str, says: str) -> None:
        result = runner.invoke(app, ["export", *args, "--db", url])
        assert result.exit_code == 2, result.output
        assert says in " ".join(result.output.split()), result.output

    out = tmp_path / "a"
    refused("--format", "csv", "--out", str(out), says="one of: parquet")
    refused("--out", str(out), "--since", "2026-13-01", says="not a day")
    assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    refused("--out", str(blocker / "a"), says="cannot write the archive beside")
    refused("--out", str(blocker), says="is a file")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    for force in ([], ["--force"]):  # a directory of other things is never replaced
        refused("--out", str(other), *force, says="holds no archive")
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    export(runner, url, out)
    before = Manifest.read(out).exported_at
    refused("--out", str(out), says="pass --force")
    assert Manifest.read(out).exported_at == before
    export(runner, url, out, "--force")  # an archive is replaced with --force
    assert Manifest.read(out).tables["shipments"] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    export(runner, url, empty)  # an empty directory is filled
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name or ".old-" in p.name]


def test_a_failed_write_leaves_the_archive_there_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "a"
    with ArchiveWriter(out) as w:
        w.add("shipments", pl.DataFrame({"partner": ["p"], "shipment_id": ["s"], "version": [1],
                                         PARTITION: [DAY1]}))
        first = w.close()
    with pytest.raises(RuntimeError), ArchiveWriter(out, replace=True) as w:
        w.add("shipments", pl.DataFrame({"partner": ["p"], "shipment_id": ["t"], "version": [1],
                                         PARTITION: [DAY2]}))
        raise RuntimeError("interrupted")
    assert Manifest.read(out) == first and read(out, "shipments")["shipment_id"].to_list() == ["s"]
    assert [p.name for p in tmp_path.iterdir()] == ["a"]
    with pytest.raises(ArchiveError, match="filed_day"), ArchiveWriter(tmp_path / "b") as w:
        w.add("items", pl.DataFrame({"partner": ["p"], "shipment_id": ["s"], "version": [1]}))
    assert not (tmp_path / "b").exists()
