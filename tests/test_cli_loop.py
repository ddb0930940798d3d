"""``interdictor queue`` and ``interdictor outcomes import`` on a screened day, on SQLite and PostgreSQL:
the queue is the workspace's, imported outcomes are the workspace's records, and importing twice is once."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.queue.build import QUEUE_COLUMNS, pick_kind
from interdictor.screening import ScreenRun, assemble
from interdictor.screening.assembly import choose_corridors
from interdictor.service import insight, work
from interdictor.service.principal import Principal
from interdictor.settings import Settings
from interdictor.store import config, open_store
from interdictor.store import schema as core
from interdictor.store import schema_service as sv
from interdictor.store.config import Budgets, port_budgets
from interdictor.store.scope import Scope

SAMPLE = Path(__file__).parent / "fixtures" / "corridor_sample.csv"
DAY = date(2026, 11, 27)
COPIES = 6  # of the five sample shipments, filed on DAY


def manifest() -> bytes:
    """The sample's shipments six times over on DAY, once the day before, once with no filing time."""
    header, *lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    out = [header]
    for k in range(COPIES):
        out += [f"D{k}{line}" for line in lines]
    out += [f"PREV{line}".replace("2026-11-27T", "2026-11-26T") for line in lines]
    out += [f"NOF{line}".replace(line.split(",")[6], "") for line in lines]
    return ("\n".join(out) + "\n").encode()


@pytest.fixture()
def db(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A screened day: san-diego examines from 30 and its port LAX has 3 exams (2 + 1 exploring), los-angeles
    examines from 20 with 2 exams at LAX (1 + 1)."""
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    store = open_store(store_url)
    try:
        with store.begin() as conn:
            config.set_corridor(conn, "san-diego", {"thresholds": {"review": 10.0, "exam": 30.0, "hold": 90.0}}, "test")
            config.set_corridor(conn, "los-angeles", {"thresholds": {"review": 10.0, "exam": 20.0, "hold": 90.0}}, "test")
            config.set_port_budget(conn, "san-diego", "LAX", 3, 0.34, "test")
            config.set_port_budget(conn, "los-angeles", "LAX", 2, 0.5, "test")
        screening = assemble(Settings().model_copy(update={"detectors": "route,consistency"}), store)
        run = ScreenRun(screening, partner="acme", source="day.csv", fmt="manifest-csv", store=store)
        for chunk in read_manifest_csv(io.BytesIO(manifest()), ReadOptions(source_name="day.csv")):
            run.add(chunk)
        run.finish()
    finally:
        store.close()
    return store_url


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def cli_queue(db: str, tmp_path: Path, *args: str) -> pl.DataFrame:
    out = tmp_path / "queue.parquet"
    code, output = cli("queue", "--day", DAY.isoformat(), *args, "--out", str(out), "--db", db)
    assert code == 0, output
    return pl.read_parquet(out)


def workspace_queue(db: str, corridor: str, day: date = DAY, port: str | None = None) -> pl.DataFrame:
    store = open_store(db)
    try:
        with store.connect() as conn:
            cfg = choose_corridors(conn, Settings())
            return insight.queue(conn, Scope.everything(), cfg, Budgets(cfg, port_budgets(conn)), corridor=corridor,
                                 day=day, port=port)
    finally:
        store.close()


def counts(db: str) -> tuple[int, int, int]:
    store = open_store(db)
    try:
        with store.connect() as conn:
            return tuple(int(conn.execute(select(func.count()).select_from(t)).scalar_one())  # type: ignore[return-value]
                         for t in (sv.outcomes, sv.decisions, core.audit_log))
    finally:
        store.close()


def reassessment_runs(db: str) -> int:
    store = open_store(db)
    try:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(core.ingest_runs).where(
                core.ingest_runs.c.trigger.is_not(None))).scalar_one())
    finally:
        store.close()


def decisions(db: str) -> dict[str, dict[str, object]]:
    store = open_store(db)
    try:
        with store.connect() as conn:
            return {r["shipment_id"]: dict(r) for r in conn.execute(select(sv.decisions)).mappings()}
    finally:
        store.close()


@pytest.mark.parametrize(("corridor", "port"), [("san-diego", None), ("los-angeles", "LAX"), ("san-francisco", None)])
def test_the_queue_is_the_workspaces_queue(db: str, tmp_path: Path, corridor: str, port: str | None) -> None:
    args = ["--corridor", corridor] + (["--port", port] if port else [])
    mine = cli_queue(db, tmp_path, *args)
    theirs = workspace_queue(db, corridor, port=port).select(QUEUE_COLUMNS)
    assert mine.height > 0
    assert mine.columns == list(QUEUE_COLUMNS)
    assert mine.rows() == theirs.rows()  # the same rows in the same order


def test_the_whole_days_queue_is_every_corridors_queue_and_each_port_keeps_its_budget(db: str, tmp_path: Path) -> None:
    q = cli_queue(db, tmp_path)
    corridors = set(q.get_column("corridor").to_list())
    assert {"san-diego", "los-angeles", "san-francisco"} <= corridors
    for c in corridors:
        assert set(q.filter(pl.col("corridor") == c).get_column("shipment_id").to_list()) == set(
            workspace_queue(db, c).get_column("shipment_id").to_list())
    sd = q.filter(pl.col("corridor") == "san-diego")
    # every san-diego shipment is recommended for exam: 2 picked, the rest left to review, none to explore
    assert sd.get_column("pick").value_counts().sort("pick").rows() == [("exam", 2), ("review", 2 * COPIES - 2)]
    la = q.filter(pl.col("corridor") == "los-angeles")
    assert la.filter(pl.col("pick") == "exam").height == 1 and la.filter(pl.col("pick") == "explore").height == 1
    assert q.get_column("rank").to_list() == list(range(1, q.height + 1))
    assert not q.filter(pl.col("shipment_id").str.starts_with("PREV") | pl.col("shipment_id").str.starts_with("NOF")
                        ).height


@pytest.mark.parametrize(("budget", "share", "exam", "explore"), [("4", "0.5", 2, 2), ("5", "0", 5, 0), ("3", "1", 0, 3)])
def test_one_budget_and_share_cap_the_whole_queue(db: str, tmp_path: Path, budget: str, share: str, exam: int,
                                                   explore: int) -> None:
    q = cli_queue(db, tmp_path, "--budget", budget, "--exploration", share)
    assert q.filter(pl.col("pick") == "exam").height == exam
    assert q.filter(pl.col("pick") == "explore").height == explore
    assert q.filter(pl.col("exploration")).height == explore


def test_a_day_is_the_filing_day_or_the_day_received_without_one(db: str, tmp_path: Path) -> None:
    before = cli_queue(db, tmp_path, "--day", "2026-11-26")  # the later --day wins
    assert before.height and all(s.startswith("PREV") for s in before.get_column("shipment_id").to_list())
    today = datetime.now(UTC).date().isoformat()
    received = cli_queue(db, tmp_path, "--day", today)
    assert received.height and all(s.startswith("NOF") for s in received.get_column("shipment_id").to_list())


def test_the_queue_as_csv_on_stdout_and_its_refusals(db: str) -> None:
    code, output = cli("queue", "--day", DAY.isoformat(), "--corridor", "san-diego", "--db", db)
    assert code == 0
    assert output.splitlines()[0] == ",".join(QUEUE_COLUMNS)
    for args, words in ((["--day", "27/11/2026"], "YYYY-MM-DD"), (["--day", "2026-11-27", "--corridor", "atlantis"],
                         "unknown corridor"), (["--day", "2026-11-27", "--out", "q.xlsx"], "extension")):
        code, output = cli("queue", *args, "--db", db)
        assert code == 2 and words in output, output


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("partner,shipment_id,result,examined_at,what,agency,quantity,unit\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")
    return path


BAD = [  # (row, field)
    ("acme,D0EX100003,lost,2026-11-27T16:00:00Z,,,,", "result"),
    ("acme,D0EX100003,seized,2026-11-27T16:00:00Z,,,,", "what"),
    ("acme,NOSUCH1,nothing_found,2026-11-27T16:00:00Z,,,,", "shipment_id"),
    ("acme,D0EX100003,nothing_found,the 27th,,,,", "examined_at"),
    ("globex,D0EX100003,nothing_found,2026-11-27T16:00:00Z,,,,", "partner"),
]


def test_bad_rows_are_rejected_with_line_and_field_and_good_rows_stored(db: str, tmp_path: Path) -> None:
    good = ["acme,D1EX100001,seized,2026-11-27T15:00:00Z,NPP drum,,25,kg",
            "acme,D1EX100002,referred,2026-11-27T15:30:00Z,,DEA,,"]
    path = write(tmp_path, "o.csv", [good[0], *(row for row, _ in BAD), good[1]])
    rejects = tmp_path / "rejects.csv"
    before = counts(db)
    code, output = cli("outcomes", "import", str(path), "--rejects", str(rejects), "--db", db)
    assert code == 3, output
    got = pl.read_csv(rejects)
    assert got.select("file", "line", "field").rows() == [("o.csv", i + 3, field) for i, (_, field) in enumerate(BAD)]
    assert counts(db)[0] == before[0] + 2
    assert "2 outcomes stored" in output


def test_importing_the_same_file_twice_changes_nothing(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", ["acme,D2EX100001,seized,2026-11-27T15:00:00Z,NPP drum,,25,kg",
                                     "acme,D2EX100005,nothing_found,2026-11-27,,,,",
                                     "acme,D2EX100005,nothing_found,2026-11-27,,,,"])  # the same exam twice
    before = counts(db)
    code, output = cli("outcomes", "import", str(path), "--notify", "--db", db)
    assert code == 0, output
    once = counts(db)
    # an audit line each, one for the incident the seizure opened (--notify), and the start and finish of the
    # run re-assessing the seizure's linked live shipments
    reassessed = 2 * reassessment_runs(db)
    assert "assessed again" in output and "1 incidents opened" in output
    assert once[:2] == (before[0] + 2, before[1] + 2) and once[2] == before[2] + 5 + reassessed
    code, output = cli("outcomes", "import", str(path), "--db", db)
    assert code == 0, output
    assert counts(db) == once
    assert "0 outcomes stored" in output and "3 already stored" in output


def test_notify_opens_an_incident_for_each_seizure_and_raises_its_event(db: str, tmp_path: Path) -> None:
    from interdictor.store import events, incidents

    path = write(tmp_path, "o.csv", ["acme,D3EX100004,seized,2026-11-27T15:00:00Z,NPP drum,,25,kg",
                                     "acme,D3EX100002,seized,2026-11-27T16:00:00Z,pill press,,1,pcs",
                                     "acme,D3EX100005,nothing_found,2026-11-27,,,,"])
    code, output = cli("outcomes", "import", str(path), "--db", db)  # without --notify: recorded only
    assert code == 0 and "incidents" not in output
    path = write(tmp_path, "o2.csv", ["acme,D4EX100004,seized,2026-11-27T15:00:00Z,NPP drum,,25,kg"])
    code, output = cli("outcomes", "import", str(path), "--notify", "--db", db)
    assert code == 0, output
    store = open_store(db)
    try:
        with store.connect() as conn:
            found = incidents.list_incidents(conn, Scope.everything())
            raised = events.events(conn, event="incident.created")
    finally:
        store.close()
    assert [(i["shipment_id"], i["source"]) for i in found] == [("D4EX100004", "import")]
    assert found[0]["non_nominal"]["what"] == {"substance": "NPP drum", "quantity": 25.0, "unit": "kg"}
    assert found[0]["non_nominal"]["how"]["dates"]["examined_at"].startswith("2026-11-27T15:00")
    assert [e["data"]["incident_id"] for e in raised] == [found[0]["incident_id"]]


def test_an_implied_decision_is_picked_as_the_days_queue_picked_it_else_imported(db: str, tmp_path: Path) -> None:
    q = cli_queue(db, tmp_path)
    queued = {s: pick_kind(p, k, "imported") for s, p, k in q.select("shipment_id", "pick", "explore_kind").rows()}
    day = [f"D{k}EX10000{n}" for k in range(COPIES) for n in range(1, 6)]
    expected = {s: queued.get(s, "imported") for s in day}
    assert {"exploit", "explore_uncertain", "imported"} <= set(expected.values())  # every case is here
    path = write(tmp_path, "o.csv", [f"acme,{s},nothing_found,2026-11-27T18:00:00Z,,,," for s in day])
    code, output = cli("outcomes", "import", str(path), "--db", db)
    assert code == 0, output
    got = decisions(db)
    assert {s: got[s]["pick_kind"] for s in day} == expected
    assert all(got[s]["decision"] == "exam" and got[s]["exploration"] == expected[s].startswith("explore_")
               for s in day)


def test_an_outcome_of_a_shipment_decided_already_implies_no_second_decision(db: str, tmp_path: Path) -> None:
    store = open_store(db)
    try:
        with store.begin() as conn:
            cfg = choose_corridors(conn, Settings())
            who = Principal(actor="user:tina", org_id="authority", org_kind="authority", role="targeter")
            work.record_decision(conn, who, "acme", "D3EX100001", decision="exam", reason="looks wrong", cfg=cfg,
                                 budgets=Budgets(cfg, port_budgets(conn)))
    finally:
        store.close()
    before = counts(db)
    code, output = cli("outcomes", "import", str(write(tmp_path, "o.csv", [
        "acme,D3EX100001,seized,2026-11-27T15:00:00Z,NPP drum,,25,kg"])), "--db", db)
    assert code == 0, output
    assert counts(db)[:2] == (before[0] + 1, before[1])


def test_a_targeters_decision_records_the_queues_pick_or_manual(db: str) -> None:
    sd, la = workspace_queue(db, "san-diego"), workspace_queue(db, "los-angeles")
    exam = sd.filter(pl.col("pick") == "exam").get_column("shipment_id")[0]
    review = sd.filter(pl.col("pick") == "review").get_column("shipment_id")[0]
    explore = la.filter(pl.col("pick") == "explore").row(0, named=True)
    store = open_store(db)
    try:
        with store.begin() as conn:
            cfg = choose_corridors(conn, Settings())
            who = Principal(actor="user:tina", org_id="authority", org_kind="authority", role="targeter")
            for sid, decision in ((exam, "exam"), (explore["shipment_id"], "release"), (review, "hold")):
                work.record_decision(conn, who, "acme", sid, decision=decision, reason="checked", cfg=cfg,
                                     budgets=Budgets(cfg, port_budgets(conn)))
    finally:
        store.close()
    got = decisions(db)
    explored = f"explore_{explore['explore_kind']}"
    assert (got[exam]["pick_kind"], got[review]["pick_kind"]) == ("exploit", "manual")
    assert got[explore["shipment_id"]]["pick_kind"] == explored and got[explore["shipment_id"]]["exploration"]
    assert not got[exam]["exploration"] and not got[review]["exploration"]
    # the workspace's queue shows how each row would be picked, and how each decided one was
    sd, la = workspace_queue(db, "san-diego"), workspace_queue(db, "los-angeles")
    assert dict(sd.select("shipment_id", "decided_pick").drop_nulls().rows()) == {exam: "exploit", review: "manual"}
    assert dict(la.select("shipment_id", "decided_pick").drop_nulls().rows()) == {explore["shipment_id"]: explored}
    assert sd.filter(pl.col("shipment_id") == exam).get_column("pick_kind").to_list() == ["exploit"]
    assert sd.filter(pl.col("shipment_id") == review).get_column("pick_kind").to_list() == [None]


@pytest.mark.parametrize(("data", "code", "words"), [
    (b"partner,shipment_id\nacme,EX1\n", 2, "no column"),
    (b"partner,shipment_id,result,examined_at\nacme,NOSUCH,nothing_found,2026-11-27\n", 2, "ever screened"),
])
def test_nothing_imported_is_exit_two(db: str, tmp_path: Path, data: bytes, code: int, words: str) -> None:
    path = tmp_path / "o.csv"
    path.write_bytes(data)
    got, output = cli("outcomes", "import", str(path), "--db", db)
    assert got == code and words in output, output
