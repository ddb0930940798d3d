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
