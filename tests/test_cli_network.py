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
    screen(store_url, {"bolt": files["bolt"]})  # the later batch: resolved as it is stored, joined to acme's actors
    code, out, err = cli("network", "build", "--db", store_url)
    assert code == 0 and "0 shipments added" in out, out + err  # screening kept the network current
    links, _ = backtrack(store_url, tmp_path, "acme/N0")
    assert set(links["shipment_id"]) == {"N1", "N2", "N3"}
