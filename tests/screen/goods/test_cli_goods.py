"""`interdictor kb`, `interdictor registry import`, and `interdictor screen` with the goods detector."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from interdictor.cli import app

runner = CliRunner()

REGISTRANTS = """registration,name,city,state,country,activities,valid_from,valid_to
RP0000001,Acme Pharmaceuticals Inc.,Durham,NC,US,import_list_i;import_machines,2020-01-01,2027-12-31
RP0000002,Bad Row Co,,,,import_everything,,
"""
TRANSACTIONS = """transaction_id,form,registration,importer,goods,quantity_kg,units,filed_on,arrival_from,arrival_to,exporter,port
486-2025-0001,486,RP0000001,Acme Pharmaceuticals Inc.,N-phenethyl-4-piperidone,50,,2025-02-01,2025-02-15,2025-04-30,Example Chem,2704
452-2025-0007,452,RP0000001,Acme Pharmaceuticals Inc.,tablet_press,,1,2025-02-01,,,,
bad-1,999,RP0000001,Acme,npp,,,,,,,
"""
MANIFEST = [
    # (shipment, description, hs, kg, usd, consignee)
    ("LAWFUL", "N-phenethyl-4-piperidone 99%", "293337", 25, 5000, "Acme Pharmaceuticals Inc"),
    ("NPP", "N-phenethyl-4-piperidone", "293337", 25, 20, "Laredo Storage LLC"),
    ("KEYB", "keyboards", "293337", 79.4, 15, "Laredo Storage LLC"),
    ("DIES", "pill press die set M30", "820730", 3, 40, "John Smith"),
    ("SHIRT", "cotton t-shirts", "610910", 2, 30, "Jane Doe"),
]


def write_manifest(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["shipment_id", "mode", "filed_at", "origin_country", "shipper_name", "consignee_name",
                     "consignee_city", "consignee_state", "consignee_country", "pieces", "gross_weight_kg",
                     "declared_value", "currency", "item_description", "hs_code"])
        for sid, desc, hs, kg, usd, cons in MANIFEST:
            w.writerow([sid, "express", "2025-03-10T00:00:00Z", "CN", "Some Trading Co", cons, "Laredo", "TX", "US",
                        1, kg, usd, "USD", desc, hs])


def test_kb_list_and_search() -> None:
    res = runner.invoke(app, ["kb", "list", "--tier", "controlled"])
    assert res.exit_code == 0 and "npp" in res.output
    res = runner.invoke(app, ["kb", "search", "4-A.P powder"])
    assert res.exit_code == 0 and "4-AP" in res.output
    res = runner.invoke(app, ["kb", "show", "empg"])
    assert res.exit_code == 0 and "positional isomer" in res.output
    assert runner.invoke(app, ["kb", "show", "no-such-thing"]).exit_code == 2


def test_registry_import_then_screen(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.sqlite'}"
    (tmp_path / "reg.csv").write_text(REGISTRANTS, encoding="utf-8")
    (tmp_path / "tx.csv").write_text(TRANSACTIONS, encoding="utf-8")
    res = runner.invoke(app, ["registry", "import", str(tmp_path / "reg.csv"), "--db", db])
    assert res.exit_code == 3, res.output  # one bad row, reported
    assert "activities" in res.output
    res = runner.invoke(app, ["registry", "import", str(tmp_path / "tx.csv"), "--db", db])
    assert res.exit_code == 3 and "line 4, field form" in res.output
    listed = runner.invoke(app, ["registry", "list", "--db", db])
    assert listed.exit_code == 0 and "transactions: 2" in listed.output

    write_manifest(tmp_path / "m.csv")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["screen", str(tmp_path / "m.csv"), "--out", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    rows = {r["shipment_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["NPP"]["disposition"] == "hold"
    assert rows["LAWFUL"]["disposition"] == "review"
    lawful = {r["code"] for r in rows["LAWFUL"]["reasons"]}
    assert "LICENCE_NOTIFIED" in lawful and "LICENCE_NOT_NOTIFIED" not in lawful
    assert rows["KEYB"]["disposition"] == "hold"
    assert any(r["code"] == "GOODS_HS_MISMATCH" and r["item"] == 0 for r in rows["KEYB"]["reasons"])
    assert rows["DIES"]["disposition"] in ("exam", "hold")
    assert not [r for r in rows["SHIRT"]["reasons"] if r["code"].startswith(("GOODS", "EQUIP", "LICENCE"))]
    npp = next(r for r in rows["NPP"]["reasons"] if r["code"] == "GOODS_PRECURSOR_NAME")
    # NPP's US List I date is held from memory only, so the evidence names what is sourced: the UN table
    assert "NPP" in npp["evidence"] and "Table I" in npp["evidence"] and "matched" in npp["evidence"]
    assert "2007" not in npp["evidence"] and "memory" not in npp["evidence"]


def test_registry_import_of_an_unknown_file_kind_fails(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["registry", "import", str(tmp_path / "x.csv"), "--db", f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert res.exit_code == 2 and "docs/registry.md" in res.output
