"""``interdictor network backtrack`` on two partners' multi-day traffic with a seizure planted: the network's
other shipments rank first, the consolidator's sellers are not pulled in, bad input is named."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from tests.network.traffic import NETWORK, manifests
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store


def screen(url: str, files: dict[str, bytes]) -> None:
    store = open_store(url)
    try:
        screening = assemble(Settings().model_copy(update={"detectors": "route"}), store)
        for partner, data in files.items():
            run = ScreenRun(screening, partner=partner, source=f"{partner}.csv", fmt="manifest-csv", store=store)
            for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=f"{partner}.csv")):
                run.add(chunk)
            run.finish()
    finally:
        store.close()


def cli(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture()
def db(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    screen(store_url, manifests())
    seized = tmp_path / "outcomes.csv"
    seized.write_text("partner,shipment_id,result,examined_at,what\nacme,N0,seized,2026-11-25T15:00:00Z,"
                      "NPP 2 kg\n", encoding="utf-8")
    code, out, err = cli("outcomes", "import", str(seized), "--db", store_url)
    assert code == 0, out + err
    return store_url


def backtrack(db: str, tmp_path: Path, start: str, *args: str) -> tuple[pl.DataFrame, str]:
    out = tmp_path / "links.csv"
    code, stdout, stderr = cli("network", "backtrack", start, *args, "--out", str(out), "--db", db)
    assert code == 0, stdout + stderr
    return pl.read_csv(out), stderr


def test_the_network_ranks_first_and_the_consolidator_stays_out(db: str, tmp_path: Path) -> None:
    links, stderr = backtrack(db, tmp_path, "acme/N0")
    assert links.columns == ["rank", "partner", "shipment_id", "score", "hops", "path"]
    network = {(p, s) for p, s, *_ in NETWORK[1:]}
    top = set(zip(links["partner"].head(len(network)), links["shipment_id"].head(len(network)), strict=True))
    assert top == network
    assert not links["shipment_id"].str.starts_with("C").any()  # no seller of the consolidator
    assert "88 HUAQIANGBEI RD" in stderr and "hub" in stderr  # the market address is said, not followed
    n2 = links.filter(pl.col("shipment_id") == "N2")["path"][0]
    assert "phone +16195550101" in n2 or "same phone 6195550101" in n2, n2


def test_backtracking_to_the_seizure_names_it(db: str, tmp_path: Path) -> None:
    links, _ = backtrack(db, tmp_path, "bolt/N2", "--depth", "3")
    row = links.filter(pl.col("shipment_id") == "N0")
    assert row.height == 1 and "seized 2026-11-25" in row["path"][0]
    assert row["score"][0] == links["score"].max()  # close and seized: first


def test_depth_bounds_the_hops(db: str, tmp_path: Path) -> None:
    one, _ = backtrack(db, tmp_path, "acme/N0", "--depth", "1")
    two, _ = backtrack(db, tmp_path, "acme/N0", "--depth", "2")
    assert one["hops"].max() == 1 and two["hops"].max() == 2
    assert set(one["shipment_id"]) < set(two["shipment_id"])


@pytest.mark.parametrize(("start", "message"), [
    ("acme/NOPE", "no stored shipment acme/NOPE"),
    ("N0", "PARTNER/SHIPMENT_ID"),
])
def test_bad_input_is_named(db: str, start: str, message: str) -> None:
    code, stdout, stderr = cli("network", "backtrack", start, "--db", db)
    assert code == 2 and message in stderr, stdout + stderr


def test_a_new_batch_joins_stored_actors(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    files = manifests(sellers=0, background=0)
    screen(store_url, {"acme": files["acme"]})
    code, _, err = cli("network", "backtrack", "acme/N0", "--db", store_url, "--out", str(tmp_path / "a.csv"))
    assert code == 0, err
    assert set(pl.read_csv(tmp_path / "a.csv")["shipment_id"]) == {"N1"}
    screen(store_url, {"bolt": files["bolt"]})  # the later batch: stored; the network follows it when next read
    code, out, err = cli("network", "build", "--db", store_url)  # only the new batch is resolved, into acme's actors
    assert code == 0 and "2 shipments added" in out and "0 actors merged" in out, out + err
    links, _ = backtrack(store_url, tmp_path, "acme/N0")
    assert set(links["shipment_id"]) == {"N1", "N2", "N3"}


def test_communities_put_the_seized_network_first_and_keep_the_sellers_apart(db: str, tmp_path: Path) -> None:
    out = tmp_path / "communities.csv"
    code, stdout, stderr = cli("network", "communities", "--sort", "risk", "--top", "3", "--out", str(out), "--db", db)
    assert code == 0, stdout + stderr
    rows = pl.read_csv(out)
    first = rows.row(0, named=True)
    assert (first["actors"], first["shipments"], first["partners"], first["seizures"]) == (4, 4, 2, 1)
    assert first["last_seizure"] == "2026-11-25" and "JOHN MILLER" in first["members"]
    code, stdout, _ = cli("network", "communities", "--sort", "size", "--top", "1", "--db", db)
    assert code == 0
    # the consolidator's 300 sellers share only the market address and phone (hubs): no community holds them
    assert pl.read_csv(io.StringIO(stdout))["actors"][0] < 10


def test_the_ftm_export_names_the_network(db: str, tmp_path: Path) -> None:
    import json

    out = tmp_path / "network.jsonl"
    code, stdout, stderr = cli("network", "export", "--format", "ftm", "--top", "1", "--out", str(out), "--db", db)
    assert code == 0, stdout + stderr
    entities = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    names = {e["properties"]["name"][0] for e in entities if e["schema"] in ("Company", "LegalEntity")}
    assert names == {"HUBEI XINYU CHEMICAL CO LTD", "WUHAN GREEN LEAF TRADE", "JOHN MILLER", "PEDRO RUIZ"}
    links = [e for e in entities if e["schema"] == "UnknownLink"]
    assert len(links) == 4 and any(e["properties"].get("status") == ["seized 2026-11-25"] for e in links)
    assert "4 UnknownLink" in stderr


@pytest.mark.parametrize(("args", "message"), [
    (("export", "--format", "gexf", "--out", "x.jsonl"), "--format 'gexf'"),
    (("export", "--out", "x.csv"), "JSON lines"),
    (("communities", "--sort", "age"), "--sort 'age'"),
])
def test_bad_community_options_are_named(db: str, args: tuple[str, ...], message: str) -> None:
    code, stdout, stderr = cli("network", *args, "--db", db)
    assert code == 2 and message in stderr, stdout + stderr


def test_the_graph_is_built_once_per_store_state(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from interdictor.network import NetworkConfig
    from interdictor.store import network as stored

    builds: list[int] = []
    real = stored.graph_tables
    monkeypatch.setattr(stored, "graph_tables", lambda *a: builds.append(1) or real(*a))
    store = open_store(db)
    try:
        cfg = NetworkConfig()
        first = stored.backtrack(store, cfg, "acme", "N0", 2)
        again = stored.backtrack(store, cfg, "bolt", "N2", 2)
        assert len(builds) <= 1 and again.rows.height  # the second reuses the graph (the first may too)
        n = len(builds)
        screen(db, {"acme": manifests(sellers=0, background=0)["acme"].replace(b"\nN1,", b"\nN9,")})
        after = stored.backtrack(store, cfg, "acme", "N0", 2)
        assert len(builds) == n + 1  # a shipment was stored since (screening grew the network): rebuilt
        assert "N9" in set(after.rows["shipment_id"])
        assert set(first.rows["shipment_id"]) < set(after.rows["shipment_id"])
    finally:
        store.close()


def test_the_service_answers_from_the_kept_graph_while_the_next_is_built(db: str) -> None:
    import time

    from interdictor.network import NetworkConfig
    from interdictor.store import network as stored

    store = open_store(db)
    try:
        cfg = NetworkConfig()
        stored.backtrack(store, cfg, "acme", "N0", 2)  # the graph is kept
        screen(db, {"acme": manifests(sellers=0, background=0)["acme"].replace(b"\nN1,", b"\nN8,")})
        kept = stored.backtrack(store, cfg, "acme", "N0", 2, fresh=False)
        assert any("not in this answer yet" in s for s in kept.skipped)  # said, not hidden
        assert "N8" not in set(kept.rows["shipment_id"])
        deadline = time.monotonic() + 120
        while True:  # the background build replaces the kept graph
            again = stored.backtrack(store, cfg, "acme", "N0", 2, fresh=False)
            if not any("not in this answer yet" in s for s in again.skipped) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert "N8" in set(again.rows["shipment_id"])
        # a shipment the kept graph does not hold is answered from a graph built for it, never "unknown"
        screen(db, {"bolt": manifests(sellers=0, background=0)["bolt"].replace(b"\nN3,", b"\nN7,")})
        new = stored.backtrack(store, cfg, "bolt", "N7", 2, fresh=False)
        assert new.rows.height and not any("not in this answer yet" in s for s in new.skipped)
    finally:
        store.close()


def test_mail_domains_are_derived_from_the_stored_e_mails(db: str) -> None:
    """The network stores e-mails, not their domains; the graph has each e-mail's domain as it had before."""
    from sqlalchemy import select

    from interdictor.network import NetworkConfig
    from interdictor.store import schema_network as sn
    from interdictor.store.network import graph_tables

    store = open_store(db)
    try:
        with store.connect() as conn:
            stored = {r[0] for r in conn.execute(select(sn.network_uses.c.kind).distinct())}
        _, uses, _ = graph_tables(store, NetworkConfig())
    finally:
        store.close()
    assert "email" in stored and "domain" not in stored
    mails, domains = uses.filter(pl.col("kind") == "email"), uses.filter(pl.col("kind") == "domain")
    assert set(domains["value"]) == {v.split("@")[1] for v in mails["value"]} and "gmail.com" in domains["value"]
    assert domains.filter(pl.col("value") == "protonmail.com")["shown"].to_list() == ["@protonmail.com"]
