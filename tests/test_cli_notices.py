"""`interdictor notifications` end to end on a fresh SQLite database: an export authority's CSV (bad rows
rejected with line and field, a second import a no-op), `interdictor screen` keeping the notified
shipment at review while its un-notified twin is held and a diverted one is flagged, and `due` reporting
the window that closed with no arrival."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.store.db import open_store
from interdictor.store.events import events

runner = CliRunner(env={"COLUMNS": "300"})  # the tables unfolded

NOTIFICATIONS = """reference,exporter,exporter_country,importer,importer_country,goods,quantity,unit,arrival_from,arrival_to,port
PEN-2025-001,Gujarat Fine Chemicals Pvt. Ltd.,IN,"Acme Pharmaceuticals, Inc.",US,N-phenethyl-4-piperidone,50,kg,2025-03-01,2025-03-31,LAX
PEN-2025-002,Gujarat Fine Chemicals Pvt. Ltd.,IN,Midwest Labs LLC,US,39742-60-4,20000,g,2025-02-01,2025-02-20,SAN
PEN-2025-003,Gujarat Fine Chemicals Pvt. Ltd.,IN,Acme Pharmaceuticals,US,unobtainium,5,kg,2025-03-01,2025-03-31,
PEN-2025-004,Gujarat Fine Chemicals Pvt. Ltd.,IN,Acme Pharmaceuticals,US,npp,five,kg,2025-03-01,2025-03-31,
PEN-2025-005,Gujarat Fine Chemicals Pvt. Ltd.,IN,Acme Pharmaceuticals,US,npp,5,barrels,2025-03-31,2025-03-01,
"""
SHIPPER = ("GUJARAT FINE CHEMICALS PVT LTD", "IN")
MANIFEST = [
    # (shipment, consignee, consignee country, shipper, kg)
    ("LAWFUL", "ACME PHARMACEUTICALS INC", "US", SHIPPER, 50),
    ("TWIN", "LAREDO STORAGE LLC", "US", ("HEBEI SINALOA TRADING CO LTD", "CN"), 50),
    ("DIVERTED", "LAREDO STORAGE LLC", "US", SHIPPER, 50),
    ("MORE", "ACME PHARMACEUTICALS INC", "US", SHIPPER, 80),
]


def write_manifest(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["shipment_id", "mode", "filed_at", "origin_country", "destination_port", "shipper_name",
                    "shipper_country", "consignee_name", "consignee_city", "consignee_country", "pieces",
                    "gross_weight_kg", "declared_value", "currency", "item_description", "hs_code"])
        for sid, cons, country, (shipper, s_country), kg in MANIFEST:
            w.writerow([sid, "air", "2025-03-10T00:00:00Z", s_country, "LAX", shipper, s_country, cons, "Durham",
                        country, 1, kg, 9000, "USD", "N-phenethyl-4-piperidone 99%", "293337"])


def setup(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'n.sqlite'}"
    res = runner.invoke(app, ["orgs", "add", "in-ncb", "--name", "Narcotics Control Bureau (exports)",
                              "--kind", "export_authority", "--db", db])
    assert res.exit_code == 0, res.output
    (tmp_path / "pen.csv").write_text(NOTIFICATIONS, encoding="utf-8")
    return db


def test_import_rejects_bad_rows_by_line_and_field_and_is_idempotent(tmp_path: Path) -> None:
    db = setup(tmp_path)
    res = runner.invoke(app, ["notifications", "import", str(tmp_path / "pen.csv"), "--org", "in-ncb", "--db", db])
    assert res.exit_code == 3, res.output
    out = " ".join(res.output.split())
    assert "line 4, field goods" in out and "unobtainium" in out
    assert "line 5, field quantity" in out
    assert "line 6, field unit" in out and "line 6, field arrival_to" in out
    assert "2 added, 0 amended, 0 unchanged" in out
    again = runner.invoke(app, ["notifications", "import", str(tmp_path / "pen.csv"), "--org", "in-ncb", "--db", db])
    assert "0 added, 0 amended, 2 unchanged" in " ".join(again.output.split())
    listed = runner.invoke(app, ["notifications", "list", "--db", db])
    assert listed.exit_code == 0 and "notifications: 2" in listed.output
    # the second one, notified in grams under its CAS number, is stored as the knowledge-base identity in kg terms
    assert "npp" in listed.output and "PEN-2025-002" in listed.output


def test_only_an_export_authority_notifies(tmp_path: Path) -> None:
    db = setup(tmp_path)
    runner.invoke(app, ["orgs", "add", "acme", "--name", "Acme Express", "--db", db])
    res = runner.invoke(app, ["notifications", "import", str(tmp_path / "pen.csv"), "--org", "acme", "--db", db])
    assert res.exit_code == 2 and "only an export_authority" in " ".join(res.output.split())
    res = runner.invoke(app, ["notifications", "import", str(tmp_path / "pen.csv"), "--org", "nobody", "--db", db])
    assert res.exit_code == 2 and "no organisation 'nobody'" in res.output


def test_notified_shipment_at_review_twin_held_diversion_flagged_then_due(tmp_path: Path) -> None:
    db = setup(tmp_path)
    runner.invoke(app, ["notifications", "import", str(tmp_path / "pen.csv"), "--org", "in-ncb", "--db", db])
    write_manifest(tmp_path / "m.csv")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["screen", str(tmp_path / "m.csv"), "--out", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    rows = {r["shipment_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    codes = {sid: {x["code"] for x in r["reasons"]} for sid, r in rows.items()}

    assert rows["LAWFUL"]["disposition"] == "review"
    assert "NOTIFIED_TRADE" in codes["LAWFUL"] and "LICENCE_NOT_NOTIFIED" not in codes["LAWFUL"]
    ev = next(x["evidence"] for x in rows["LAWFUL"]["reasons"] if x["code"] == "NOTIFIED_TRADE")
    assert "PEN-2025-001" in ev and "in-ncb" in ev and "50.0 kg" in ev

    assert rows["TWIN"]["disposition"] == "hold"
    assert "LICENCE_NOT_NOTIFIED" in codes["TWIN"] and not codes["TWIN"] & {"NOTIFIED_TRADE", "NOTIFIED_TRADE_DIVERTED"}

    for sid in ("DIVERTED", "MORE"):
        assert rows[sid]["disposition"] == "hold", sid
        assert "NOTIFIED_TRADE_DIVERTED" in codes[sid] and "NOTIFIED_TRADE" not in codes[sid], sid
    diverted = next(x["evidence"] for x in rows["DIVERTED"]["reasons"] if x["code"] == "NOTIFIED_TRADE_DIVERTED")
    assert "LAREDO STORAGE LLC" in diverted and "not the notified importer" in diverted
    more = next(x["evidence"] for x in rows["MORE"]["reasons"] if x["code"] == "NOTIFIED_TRADE_DIVERTED")
    assert "80.0 kg declared against 50.0 kg notified" in more

    # before either window closed: nothing is due
    res = runner.invoke(app, ["notifications", "due", "--today", "2025-02-20", "--db", db])
    assert res.exit_code == 0 and "closed unmatched before 2025-02-20: 0" in res.output
    # PEN-2025-002 (window ended 2025-02-20) saw no arrival; PEN-2025-001 arrived as LAWFUL
    res = runner.invoke(app, ["notifications", "due", "--today", "2025-04-15", "--db", db])
    assert res.exit_code == 0, res.output
    assert "closed unmatched before 2025-04-15: 1" in res.output
    assert "PEN-2025-002" in res.output and "PEN-2025-001" not in res.output and "san-diego" in res.output
    listed = runner.invoke(app, ["notifications", "list", "--status", "arrived", "--db", db])
    assert "PEN-2025-001" in listed.output and "notifications: 1" in listed.output
    again = runner.invoke(app, ["notifications", "due", "--today", "2025-04-15", "--db", db])
    assert "closed unmatched before 2025-04-15: 0" in again.output
    # the unmatched window raised one notification.unmatched alert, to the notifying authority by name
    store = open_store(db)
    with store.connect() as conn:
        raised = events(conn, event="notification.unmatched")
    assert len(raised) == 1 and raised[0]["orgs"] == ["in-ncb"] and raised[0]["corridor"] == "san-diego"
    assert raised[0]["data"]["notification"]["reference"] == "PEN-2025-002"


def test_due_rejects_a_bad_day(tmp_path: Path) -> None:
    res = runner.invoke(app, ["notifications", "due", "--today", "15/04/2025", "--db",
                              f"sqlite:///{tmp_path / 'x.sqlite'}"])
    assert res.exit_code == 2 and "not a date" in res.output
