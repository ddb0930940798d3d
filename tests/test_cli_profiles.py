"""``interdictor profiles``: add checks with the typed model and stores a new version; list shows shipped and stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.store import open_store
from interdictor.store.profiles import stored_profile

GOOD = "name: acme-csv\ndescription: Acme export\ncolumns:\n  shipment_id: ref\n  item_description: goods\n"


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "300")
    return f"sqlite:///{tmp_path / 'profiles.sqlite'}"


def _file(tmp_path: Path, text: str, name: str = "acme.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_stores_versions_and_list_shows_them(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["profiles", "add", _file(tmp_path, GOOD), "--db", db])
    assert first.exit_code == 0, first.output
    assert "acme-csv version 1" in first.output
    again = runner.invoke(app, ["profiles", "add", _file(tmp_path, GOOD.replace("goods", "goods_desc")), "--db", db])
    assert "acme-csv version 2" in again.output
    listed = runner.invoke(app, ["profiles", "list", "--db", db])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert any("acme-csv" in line and "stored" in line and " 2 " in line for line in lines), listed.output
    assert any("ecommerce-items" in line and "shipped" in line for line in lines), listed.output
    store = open_store(db)
    try:
        with store.connect() as conn:
            latest = stored_profile(conn, "acme-csv")
    finally:
        store.close()
    assert latest is not None and latest.columns["item_description"] == ("goods_desc",)


@pytest.mark.parametrize(("text", "args", "expected"), [
    (GOOD.replace("columns:", "colums:"), [], "unknown key 'colums' — did you mean 'columns'?"),
    (GOOD.replace("  shipment_id:", "  shipmentid:"), [], "did you mean 'shipment_id'?"),
    (GOOD.replace("name: acme-csv", "name: Acme CSV"), [], "profile name 'Acme CSV' must be"),
    (GOOD, ["--name", "../etc"], "profile name '../etc' must be"),
    (GOOD, ["--name", "ecommerce-items"], "is a shipped profile"),
    ("columns: [unclosed", [], "not valid YAML"),
])
def test_add_refuses_a_bad_profile_with_one_error_and_stores_nothing(
        db: str, tmp_path: Path, text: str, args: list[str], expected: str) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["profiles", "add", _file(tmp_path, text), *args, "--db", db])
    assert r.exit_code == 2, r.output
    assert expected in " ".join(r.output.split()), r.output
    listed = runner.invoke(app, ["profiles", "list", "--db", db])
    assert "stored" not in listed.output


def test_screen_reads_a_stored_profile_by_name(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["profiles", "add", _file(tmp_path, GOOD), "--db", db]).exit_code == 0
    manifest = tmp_path / "acme-export.csv"
    manifest.write_text("ref,goods\nA1,N-PHENETHYL-4-PIPERIDONE\nA2,COTTON T-SHIRT\n", encoding="utf-8")
    out = tmp_path / "ranked.csv"
    got = runner.invoke(app, ["screen", str(manifest), "--profile", "acme-csv", "--db", db, "--out", str(out)])
    assert got.exit_code == 0, got.output
    ranked = out.read_text(encoding="utf-8").splitlines()
    assert ranked[1].startswith("A1,") and "GOODS_" in ranked[1]  # the mapped description was screened
    unknown = runner.invoke(app, ["screen", str(manifest), "--profile", "acme-tsv", "--db", db])
    assert unknown.exit_code == 2 and "unknown profile 'acme-tsv'" in unknown.output


def _traffic(tmp_path: Path, n: int = 36) -> str:
    """A small day of one-line parcels: backpacks at about 0.8 kg and $30/kg."""
    rows = ["shipment_id,mode,origin_country,destination_port,consignee_name,consignee_country,pieces,"
            "gross_weight_kg,declared_value,item_description,hs_code,item_quantity"]
    for i in range(n):
        kg = 0.7 + 0.02 * (i % 6)
        rows.append(f"BP{i},express,VN,LAX,Customer {i},US,1,{kg:.2f},{kg * 30:.2f},school backpack,420292,1")
    path = tmp_path / "day.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_learn_adds_a_version_that_screening_then_records(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    none_yet = runner.invoke(app, ["profiles", "learned", "--db", db])
    assert none_yet.exit_code == 0 and "no learned profile set yet" in none_yet.output
    screened = runner.invoke(app, ["screen", _traffic(tmp_path), "--db", db, "-o", str(tmp_path / "out.csv")])
    assert screened.exit_code == 0, screened.output
    learned = runner.invoke(app, ["profiles", "learn", "--db", db, "--days", "0"])
    assert learned.exit_code == 0, learned.output
    assert "learned profile set 1 from 36 lines" in learned.output and "1 families" in learned.output
    # 36 assessments are too few to calibrate a corridor: the screen says its thresholds are the corridors'
    assert "calibrated exam thresholds for 0 corridors from 36 assessments" in learned.output, learned.output
    assert "exam or hold: " in screened.output and "none calibrated yet" in screened.output, screened.output
    shown = runner.invoke(app, ["profiles", "learned", "--version", "1", "--db", db])
    assert shown.exit_code == 0 and "bags_accessories" in shown.output, shown.output
    assert runner.invoke(app, ["profiles", "learned", "--version", "9", "--db", db]).exit_code != 0
    again = runner.invoke(app, ["screen", _traffic(tmp_path), "--db", db, "-o", str(tmp_path / "out2.csv")])
    assert again.exit_code == 0, again.output
    from sqlalchemy import select

    from interdictor.store.schema import ingest_runs

    store = open_store(db)
    try:
        with store.connect() as conn:
            versions = [r[0] for r in conn.execute(select(ingest_runs.c.versions).order_by(ingest_runs.c.started_at))]
    finally:
        store.close()
    assert '"profiles": "prior"' in versions[0] and '"profiles": "learned-v1"' in versions[-1]


def test_the_summary_names_the_calibrated_thresholds_and_their_version() -> None:
    from collections import Counter

    from rich.console import Console

    from interdictor.cli import print_summary
    from interdictor.store.runs import RunSummary

    summary = RunSummary(run_id="r", source="f", partner="p", rows=200, shipments=200,
                         dispositions=Counter({"exam": 3, "hold": 1, "clear": 196}),
                         thresholds={"national": 71.25, "los-angeles": 64.5}, thresholds_version="learned-v4")
    console = Console(record=True, width=300)
    print_summary(summary, console, None)
    text = console.export_text()
    assert "recommended for exam or hold: 2.00 % of the shipments" in text
    assert "learned-v4" in text and "los-angeles 64.50, national 71.25" in text, text
