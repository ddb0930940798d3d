"""Risk that flows from a seizure: on multi-day traffic of two partners with a seizure planted as an outcome,
the next day's shipments linked to it (same consignee, phone, company, return address) get NETWORK_ reasons and
rise in the queue, while a consolidator's sellers (a hub) and unrelated shipments do not; recording the
outcome re-assesses the live linked shipments at once, in a run whose trigger names it."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from tests.network.traffic import HEADER, MARKET, manifests
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store import schema as t
from interdictor.store.db import Store

TODAY = datetime.now(UTC).date()
LIGHT = Settings().model_copy(update={"detectors": "route"})


def shifted(data: bytes) -> bytes:
    """The shared traffic (filed 2026-11-24 .. 27) moved to the four days before today, so it is live."""
    text = data.decode()
    for k, day in enumerate(range(24, 28)):
        text = text.replace(f"2026-11-{day:02d}T", f"{TODAY - timedelta(days=4 - k):%Y-%m-%d}T")
    return text.encode()


def line(sid: str, shipper: tuple[str, str, str, str], consignee: tuple[str, str, str, str]) -> str:
    s_name, s_addr, s_post, s_phone = shipper
    c_name, c_addr, c_post, c_phone = consignee
    return (f"{sid},express,ACME EXPRESS,{TODAY:%Y-%m-%d}T08:00:00Z,CN,SZX,LAX,SZX-LAX,{s_name},{s_addr},SHENZHEN,"
            f"{s_post},CN,{s_phone},,{c_name},{c_addr},CITY,CA,{c_post},US,{c_phone},,1,1.5,40,USD,PHONE CASE,"
            "999999,1,1.5,40")


PLAIN = ("DONGGUAN HAPPY HOME GOODS", "18 SONGSHAN RD", "523000", "")
# today's shipments: linked to the seizure of acme/N0 in different ways, or not at all
TODAY_ROWS = {
    "X1": (PLAIN, ("JOHN MILLER", "12 ELM ST", "92154", "")),  # N0's consignee
    "X2": (PLAIN, ("MARIA LOPEZ", "5 OAK CT", "92113", "(619) 555-0101")),  # N0's consignee's phone
    "X3": (("HUBEI XINYU CHEMICAL CO LTD", "200 GUANGGU AVE", "430070", ""),  # N0's shipper, a new address
           ("ANNA KIM", "9 VIEW LN", "92120", "")),
    "X4": (("WUHAN GREEN LEAF TRADE", "9 HANKOU ST", "430010", ""),  # N2's shipper (N2: N0's phone): 2 hops
           ("TOM WEST", "4 LAKE DR", "92019", "")),
    "X5": (("SELLER 7 SHOP 443", MARKET[0], MARKET[2], MARKET[4]),  # the consolidator: a hub, never followed
           ("BUYER 7 SMITH7", "7 MAIN ST", "90001", "")),
    "X6": (("FACTORY 3 TEXTILE", "3 INDUSTRY RD", "510000", ""), ("PERSON 3 DOE3", "3 OAK ST", "97201", "")),
}


def today_file() -> bytes:
    return ("\n".join([HEADER, *(line(sid, s, c) for sid, (s, c) in TODAY_ROWS.items())]) + "\n").encode()


def screen(url: str, partner: str, data: bytes) -> None:
    store = open_store(url)
    try:
        with ScreenRun(assemble(LIGHT, store), partner=partner, source=f"{partner}.csv", fmt="manifest-csv",
                       store=store) as run:
            for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=f"{partner}.csv")):
                run.add(chunk)
            run.finish()
    finally:
        store.close()


def cli(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def latest(url: str, partner: str) -> pl.DataFrame:
    """Each shipment's latest assessment (score, run) with its reasons, and the trigger of that run."""
    store = open_store(url)
    try:
        with store.connect() as conn:
            a = pl.DataFrame([tuple(r) for r in conn.execute(
                select(t.assessments.c.shipment_id, t.assessments.c.score, t.assessments.c.run_id,
                       t.assessments.c.created_at, t.ingest_runs.c.trigger)
                .join(t.ingest_runs, t.ingest_runs.c.run_id == t.assessments.c.run_id)
                .where(t.assessments.c.partner == partner))],
                schema=["shipment_id", "score", "run_id", "created_at", "trigger"], orient="row", infer_schema_length=None)
            r = pl.DataFrame([tuple(x) for x in conn.execute(
                select(t.reasons.c.shipment_id, t.reasons.c.run_id, t.reasons.c.code, t.reasons.c.weight,
                       t.reasons.c.evidence).where(t.reasons.c.partner == partner))],
                schema=["shipment_id", "run_id", "code", "weight", "evidence"], orient="row")
    finally:
        store.close()
    a = a.sort("created_at").unique("shipment_id", keep="last")
    codes = r.join(a.select("shipment_id", "run_id"), on=["shipment_id", "run_id"]).group_by("shipment_id").agg(
        pl.col("code"), pl.col("weight"), pl.col("evidence"))
    return a.join(codes, on="shipment_id", how="left")


def network_codes(df: pl.DataFrame, sid: str) -> dict[str, tuple[float, str]]:
    row = df.filter(pl.col("shipment_id") == sid).row(0, named=True)
    return {c: (w, e) for c, w, e in zip(row["code"] or [], row["weight"] or [], row["evidence"] or [], strict=True)
            if c.startswith("NETWORK_")}


@pytest.fixture()
def seized(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Four days of two partners' traffic stored (the network follows them when it is next read), then a seizure of
    acme/N0 (examined three days ago) imported as an outcome."""
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERDICTOR_DETECTORS", "route")
    for partner, data in manifests().items():
        screen(store_url, partner, shifted(data))
    outcome = tmp_path / "outcomes.csv"
    outcome.write_text(f"partner,shipment_id,result,examined_at,what\nacme,N0,seized,"
                       f"{TODAY - timedelta(days=3):%Y-%m-%d}T15:00:00Z,NPP 2 kg\n", encoding="utf-8")
    code, out, err = cli("outcomes", "import", str(outcome), "--db", store_url)
    assert code == 0, out + err
    assert "assessed again" in err, err
    return store_url


def test_the_next_days_linked_shipments_get_network_reasons(seized: str) -> None:
    screen(seized, "cargo", today_file())
    got = latest(seized, "cargo")
    when = f"seized {TODAY - timedelta(days=3):%Y-%m-%d}"
    x1, x2, x3, x4 = (network_codes(got, s) for s in ("X1", "X2", "X3", "X4"))
    assert "NETWORK_SEIZED_CONSIGNEE" in x1 and "acme/N0" in x1["NETWORK_SEIZED_CONSIGNEE"][1]
    assert when in x1["NETWORK_SEIZED_CONSIGNEE"][1]
    weight, evidence = x2["NETWORK_SEIZED_PHONE_EMAIL"]
    assert "6195550101" in evidence and "acme/N0" in evidence and when in evidence, evidence
    assert "NETWORK_SEIZED_SHIPPER" in x3 and "HUBEI XINYU" in x3["NETWORK_SEIZED_SHIPPER"][1]
    # two hops (through bolt/N2, which shares N0's consignee phone): named, and weaker than one hop
    two_weight, two = x4["NETWORK_SEIZED_SHIPPER"]
    assert "bolt/N2" in two and "acme/N0" in two and "2 hops" in two, two
    assert two_weight < x3["NETWORK_SEIZED_SHIPPER"][0]
    # decayed with time: three days after the seizure a mark weighs a little less than its rule
    assert 40 < weight < 45
    # the consolidator's seller shares N0's return address and phone (hubs) and the background nothing
    assert network_codes(got, "X5") == {} and network_codes(got, "X6") == {}
    score = dict(zip(got["shipment_id"], got["score"], strict=True))
    assert min(score[s] for s in ("X1", "X2", "X3")) > max(score["X5"], score["X6"])


def test_linked_shipments_rise_in_the_queue(seized: str, tmp_path: Path) -> None:
    screen(seized, "cargo", today_file())
    out = tmp_path / "queue.csv"
    code, stdout, stderr = cli("queue", "--day", f"{TODAY:%Y-%m-%d}", "--out", str(out), "--db", seized)
    assert code == 0, stdout + stderr
    q = pl.read_csv(out).filter(pl.col("partner") == "cargo").sort("rank")
    assert set(q["shipment_id"].head(4)) == {"X1", "X2", "X3", "X4"}


def test_recording_the_seizure_reassesses_the_linked_live_shipments(seized: str) -> None:
    acme, bolt = latest(seized, "acme"), latest(seized, "bolt")
    trigger = dict(zip(bolt["shipment_id"], bolt["trigger"], strict=True))
    assert trigger["N2"] == "outcome:acme/N0"  # N0's consignee phone: one hop
    assert trigger["N3"] == "outcome:acme/N0"  # through N1's e-mail: two hops
    assert "NETWORK_SEIZED_PHONE_EMAIL" in network_codes(bolt, "N2")
    acme_trigger = dict(zip(acme["shipment_id"], acme["trigger"], strict=True))
    assert acme_trigger["N1"] == "outcome:acme/N0" and "NETWORK_SEIZED_SHIPPER" in network_codes(acme, "N1")
    assert acme_trigger["N0"] is None  # the seized shipment is decided (its exam): not live
    # neither a consolidator's seller nor the background is linked through the hub
    others = pl.concat([acme, bolt]).filter(~pl.col("shipment_id").str.starts_with("N"))
    assert others["trigger"].is_null().all()
    store = open_store(seized)
    try:
        with store.connect() as conn:
            runs = conn.execute(select(t.ingest_runs.c.partner, t.ingest_runs.c.shipments, t.ingest_runs.c.status,
                                       t.ingest_runs.c.source).where(t.ingest_runs.c.trigger.is_not(None))).all()
    finally:
        store.close()
    assert sorted((r[0], r[1], r[2]) for r in runs) == [("acme", 1, "done"), ("bolt", 2, "done")]
    assert all("outcome:acme/N0" in r[3] for r in runs)


def test_the_queue_follows_the_reassessment(seized: str, tmp_path: Path) -> None:
    day = TODAY - timedelta(days=2)  # N2's day
    out = tmp_path / "queue.csv"
    code, stdout, stderr = cli("queue", "--day", f"{day:%Y-%m-%d}", "--out", str(out), "--db", seized)
    assert code == 0, stdout + stderr
    q = pl.read_csv(out)
    bolt = latest(seized, "bolt")
    n2 = bolt.filter(pl.col("shipment_id") == "N2")
    row = q.filter((pl.col("partner") == "bolt") & (pl.col("shipment_id") == "N2"))
    assert row["score"][0] == pytest.approx(n2["score"][0], abs=0.05)
    assert row["rank"][0] == q.filter(pl.col("partner") != "acme")["rank"].min()


def test_outcomes_recorded_after_the_screen_do_not_count(store_url: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The marks are read when screening is set up: a seizure recorded later does not reach that screen."""
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    for partner, data in manifests(sellers=0, background=0).items():
        screen(store_url, partner, shifted(data))
    store = open_store(store_url)
    try:
        screening = assemble(LIGHT, store)  # set up before the outcome
    finally:
        store.close()
    outcome = tmp_path / "o.csv"
    outcome.write_text(f"partner,shipment_id,result,examined_at,what\nacme,N0,seized,{date.today():%Y-%m-%d},"
                       "NPP\n", encoding="utf-8")
    assert cli("outcomes", "import", str(outcome), "--db", store_url)[0] == 0
    store = open_store(store_url)
    try:
        with ScreenRun(screening, partner="cargo", source="t.csv", store=store) as run:
            for chunk in read_manifest_csv(io.BytesIO(today_file()), ReadOptions(source_name="t.csv")):
                run.add(chunk)
            run.finish()
        with store.connect() as conn:
            versions = json.loads(conn.execute(select(t.ingest_runs.c.versions).where(
                t.ingest_runs.c.run_id == run.summary.run_id)).scalar_one())
    finally:
        store.close()
    assert versions["network"] == "none"
    assert network_codes(latest(store_url, "cargo"), "X1") == {}


def test_a_screen_leaves_the_network_to_follow_and_a_failed_growth_fails_no_screening(
        store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen stores its shipments without growing the network (its time is the queue's).  A growth that
    fails (two workers resolving one new actor at once) is logged and moves no mark, so the screening that
    asked goes on and ``network build`` resolves everything afterwards."""
    from interdictor.store import network
    from interdictor.store import schema_network as sn

    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    screen(store_url, "cargo", today_file())
    assert latest(store_url, "cargo").height == len(TODAY_ROWS)
    store = open_store(store_url)
    try:
        with store.connect() as conn:
            assert conn.execute(select(sn.network_parties.c.shipment_id)).first() is None
            assert network.grown_mark(conn) is None

        def clash(*args: object, **kwargs: object) -> None:
            raise RuntimeError("UNIQUE constraint failed: network_variants.variant")

        with monkeypatch.context() as m:
            m.setattr(network, "add_parties", clash)
            assert network.keep_up(store) is None
        with store.connect() as conn:
            assert network.grown_mark(conn) is None
    finally:
        store.close()
    code, out, err = cli("network", "build", "--db", store_url)
    assert code == 0 and f"{len(TODAY_ROWS)} shipments added" in out, out + err


def screen_then_list_twice(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Today's file screened for ``cargo``, then two versions of the list ``lookout-test`` imported (the second
    adds the phone of today's X2 consignee); the second import's output."""
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INTERDICTOR_DETECTORS", "route,parties")
    screen(store_url, "cargo", today_file())
    first, second = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first.write_text("name,phone\nSOMEONE ELSE ENTIRELY,+1 202 555 0199\n", encoding="utf-8")
    second.write_text("name,phone\nSOMEONE ELSE ENTIRELY,+1 202 555 0199\nNOBODY,(619) 555-0101\n", encoding="utf-8")
    out = ""
    for path in (first, second):
        code, out, err = cli("lists", "import", str(path), "--list-id", "lookout-test", "--program", "LOOKOUT",
                             "--db", store_url)
        assert code == 0, out + err
    return out


def test_a_list_update_reassesses_its_live_hits_by_the_same_mechanism(store_url: str, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A new list version's hits among live shipments get a new assessment in a run whose trigger names the
    list and version, with the list reason in it; shipments it does not hit keep their assessment."""
    out = screen_then_list_twice(store_url, tmp_path, monkeypatch)
    assert "assessed again: 1 live shipment(s)" in out, out
    got = latest(store_url, "cargo")
    trigger = dict(zip(got["shipment_id"], got["trigger"], strict=True))
    assert trigger["X2"] == "list:lookout-test@2"
    assert "PARTY_LOOKOUT" in got.filter(pl.col("shipment_id") == "X2")["code"][0]
    assert all(trigger[s] is None for s in TODAY_ROWS if s != "X2")


def test_a_list_updates_hits_raise_list_hit_events_with_their_sections(store_url: str, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Each shipment a new list version hits raises one ``list.hit`` event in the outbox (written with the hits):
    its identifiers, route and goods, the matched party, and the list and code in the internal section."""
    from interdictor.store import schema_sharing as sh

    screen_then_list_twice(store_url, tmp_path, monkeypatch)
    store = open_store(store_url)
    try:
        with store.connect() as conn:
            rows = conn.execute(select(sh.outbox_events).where(sh.outbox_events.c.event == "list.hit")).mappings().all()
    finally:
        store.close()
    assert [(r["partner"], r["shipment_id"]) for r in rows] == [("cargo", "X2")]
    data = json.loads(rows[0]["data"])
    assert set(data) >= {"shipment", "non_nominal", "nominal", "internal"}
    assert data["shipment"]["shipment_id"] == "X2" and data["non_nominal"]["how"]["route"]["origin_country"] == "CN"
    assert data["internal"]["list_id"] == "lookout-test" and data["internal"]["version"] == 2
    assert {h["code"] for h in data["internal"]["hits"]} == {"PARTY_LOOKOUT"}
    assert any(m["party"] == "consignee" for m in data["nominal"]["matched"])
    assert rows[0]["corridor"] is not None


def test_the_network_follows_the_stored_versions_a_slice_at_a_time_and_reads_nothing_when_nothing_is_new(
        store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``update`` resolves the versions stored since its mark ``GROW_SHIPMENTS`` at a time (held to ``most``,
    it says some are left and moves no mark): a shipment amended by a later chunk of the same run is there
    with its latest version only.  With nothing stored since, the next update reads nothing; an amendment
    stored later replaces the shipment's earlier parties."""
    from interdictor.network import NetworkConfig
    from interdictor.store import network
    from interdictor.store import schema_network as sn

    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(network, "GROW_SHIPMENTS", 2)
    grown: list[int] = []
    real = network.add_parties
    monkeypatch.setattr(network, "add_parties", lambda store, cfg, parties: (
        grown.append(parties.height), real(store, cfg, parties))[1])
    rows = {sid: line(sid, s, c) for sid, (s, c) in TODAY_ROWS.items()}
    amended = line("X1", PLAIN, ("JOHN MILLER", "77 NEW RD", "92154", ""))
    files = [[rows["X1"], rows["X2"]], [amended, rows["X3"]], [rows["X4"], rows["X5"], rows["X6"]]]

    def held(store: Store) -> dict[tuple[str, str], tuple[int, str]]:
        NP = sn.network_parties
        with store.connect() as conn:
            return {(r.shipment_id, r.party): (r.version, r.variant) for r in conn.execute(
                select(NP.c.shipment_id, NP.c.party, NP.c.version, NP.c.variant))}

    store = open_store(store_url)
    try:
        with ScreenRun(assemble(LIGHT, store), partner="cargo", source="t.csv", fmt="manifest-csv",
                       store=store) as run:
            for k, lines in enumerate(files):
                data = ("\n".join([HEADER, *lines]) + "\n").encode()
                for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=f"t{k}.csv")):
                    run.add(chunk)
            run.finish()
        part = network.update(store, NetworkConfig(), most=4)  # a screener between batches: four at most
        with store.connect() as conn:
            assert part.shipments == 4 and part.more and network.grown_mark(conn) is None
        done = network.update(store, NetworkConfig())
        assert done.shipments == 2 and not done.more and grown == [4, 4, 4]  # six versions, two a slice
        with store.connect() as conn:
            assert network.grown_mark(conn) is not None
        first = held(store)
        assert set(first) == {(s, p) for s in TODAY_ROWS for p in ("shipper", "consignee")}
        assert first["X1", "consignee"][0] == 2 and "77 NEW" in first["X1", "consignee"][1].upper()

        read: list[object] = []
        monkeypatch.setattr(network, "pending", lambda *a: read.append(a) or pl.DataFrame())
        assert network.update(store, NetworkConfig()).shipments == 0 and read == []
        monkeypatch.undo()
    finally:
        store.close()
    later = line("X1", PLAIN, ("JOHN MILLER", "5 OTHER AVE", "92154", ""))
    screen(store_url, "cargo", ("\n".join([HEADER, later]) + "\n").encode())
    store = open_store(store_url)
    try:
        assert network.update(store, NetworkConfig()).shipments == 1
        now = held(store)
    finally:
        store.close()
    assert now["X1", "consignee"][0] == 3 and "5 OTHER" in now["X1", "consignee"][1].upper()
    assert {k: v for k, v in now.items() if k[0] != "X1"} == {k: v for k, v in first.items() if k[0] != "X1"}
