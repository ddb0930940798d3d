"""The ``screen`` contract (docs/architecture.md, README): options, outputs, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from interdictor.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "corridor_sample.csv"


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("INTERDICTOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "400")  # keep rich from wrapping the summary lines
    return CliRunner()


def test_help_on_every_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    import typer

    commands = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert "screen" in commands and "demo" in commands
    for name in commands:
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage" in sub.output


def test_screen_writes_ranked_csv_and_stores(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "ranked.csv"
    result = runner.invoke(app, ["screen", str(SAMPLE), "--out", str(out), "--partner", "acme"])
    assert result.exit_code == 0, result.output
    df = pl.read_csv(out)
    assert df.columns[:4] == ["shipment_id", "score", "disposition", "corridor"]
    assert "reasons" in df.columns
    assert df.height == 5
    assert df["score"].to_list() == sorted(df["score"].to_list(), reverse=True)
    top = df.row(0, named=True)
    assert top["shipment_id"] == "EX100001"  # 80 kg of "keyboards" at $5 to a border warehouse
    assert top["disposition"] in ("review", "exam", "hold")
    codes = [part.split(":", 2)[0] for part in top["reasons"].split(" | ")]
    assert "VALUE_TOKEN_FOR_WEIGHT" in codes and "ROUTE_BORDER_WAREHOUSE" in codes
    for part in top["reasons"].split(" | "):
        _code, weight, evidence = part.split(":", 2)
        assert float(weight) > 0 and evidence
    mx = df.filter(pl.col("shipment_id") == "EX100005").row(0, named=True)
    assert "ROUTE_MEXICO_AFTER_US" in mx["reasons"]
    plain = df.filter(pl.col("shipment_id") == "EX100002").row(0, named=True)
    assert plain["disposition"] == "clear"
    assert "stored as run" in result.output


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_structured_outputs_carry_reason_objects(runner: CliRunner, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ranked{suffix}"
    result = runner.invoke(app, ["screen", str(SAMPLE), "--out", str(out), "--no-store"])
    assert result.exit_code == 0, result.output
    df = pl.read_ndjson(out) if suffix == ".jsonl" else pl.read_parquet(out)
    first = df.row(0, named=True)
    assert isinstance(first["reasons"], list)
    assert set(first["reasons"][0]) == {"code", "weight", "evidence", "item", "party"}
    if suffix == ".jsonl":
        json.loads(out.read_text().splitlines()[0])


def test_rejected_rows_exit_3_and_are_written(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    text = SAMPLE.read_text().splitlines()
    text.append("EX100006,express,X")  # ragged
    text.append(text[2].replace("EX100002", "EX100007").replace(",1.2,35,USD", ",lots,35,USD"))
    src.write_text("\n".join(text) + "\n")
    out, rej = tmp_path / "r.csv", tmp_path / "rejects.csv"
    result = runner.invoke(app, ["screen", str(src), "--out", str(out), "--rejects", str(rej), "--no-store"])
    assert result.exit_code == 3, result.output
    ranked = pl.read_csv(out)
    assert "EX100007" in ranked["shipment_id"].to_list()
    row = ranked.filter(pl.col("shipment_id") == "EX100007").row(0, named=True)
    assert "DATA_FIELD_REJECTED" in row["reasons"]
    rejects = pl.read_csv(rej)
    assert rejects.columns[:4] == ["file", "line", "field", "reason"]
    assert set(rejects["line"].to_list()) == {8, 9}


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01\x02binary\x00\x00" * 100, "binary"), (b"a,b\n1,2\n", "missing required column")],
)
def test_nothing_screened_exits_2_with_a_clear_error(runner: CliRunner, tmp_path: Path, content: bytes, message: str) -> None:
    src = tmp_path / "x.csv"
    src.write_bytes(content)
    result = runner.invoke(app, ["screen", str(src), "--no-store"])
    assert result.exit_code == 2
    assert message in result.output


def test_bad_arguments_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["screen", str(tmp_path / "missing.csv")]).exit_code == 2
    result = runner.invoke(app, ["screen", str(SAMPLE), "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "extension" in result.output
    result = runner.invoke(app, ["screen", str(SAMPLE), "--corridor", "atlantis", "--no-store"])
    assert result.exit_code == 2 and "unknown corridor" in result.output


def test_corridor_restricts_the_ranking(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sd.csv"
    result = runner.invoke(app, ["screen", str(SAMPLE), "--corridor", "san-diego", "--out", str(out), "--no-store"])
    assert result.exit_code == 0, result.output
    df = pl.read_csv(out)
    assert set(df["corridor"].to_list()) == {"san-diego"}
    assert set(df["shipment_id"].to_list()) == {"EX100001", "EX100004"}


def test_same_file_twice_is_unchanged_then_amendment_is_a_new_version(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert runner.invoke(app, ["screen", str(SAMPLE), "--out", str(out)]).exit_code == 0
    again = runner.invoke(app, ["screen", str(SAMPLE), "--out", str(out)])
    assert "0 new versions" in again.output and "5 unchanged" in again.output
    amended = tmp_path / "amended.csv"
    amended.write_text(SAMPLE.read_text().replace("COTTON T-SHIRT", "ORGANIC INTERMEDIATE"))
    result = runner.invoke(app, ["screen", str(amended), "--out", str(out)])
    assert "1 new versions" in result.output and "1 amendments" in result.output
    row = pl.read_csv(out).filter(pl.col("shipment_id") == "EX100002").row(0, named=True)
    assert "SHIPMENT_AMENDED" in row["reasons"]


def test_jsonl_manifest_in_the_same_shape(runner: CliRunner, tmp_path: Path) -> None:
    rows = pl.read_csv(SAMPLE, infer_schema=False).to_dicts()
    src = tmp_path / "m.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken json\n")
    out = tmp_path / "o.csv"
    result = runner.invoke(app, ["screen", str(src), "--out", str(out), "--no-store"])
    assert result.exit_code == 3, result.output
    assert pl.read_csv(out).height == 5


def test_profile_maps_partner_headers(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: mine\ncolumns:\n  shipment_id: tracking\n  item_description: goods\n  gross_weight_kg: wt\n"
        "defaults:\n  mode: express\nunits:\n  gross_weight_kg: lb\n"
    )
    src = tmp_path / "partner.csv"
    src.write_text("tracking,goods,wt\nT1,lamp,10\nT2,bulb,2\n")
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["screen", str(src), "--profile", str(profile), "--out", str(out), "--no-store"])
    assert result.exit_code == 0, result.output
    assert sorted(pl.read_ndjson(out)["shipment_id"].to_list()) == ["T1", "T2"]


def test_profile_concat_fills_an_empty_column_of_our_name(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: legs\ncolumns:\n  shipment_id: tracking\n  item_description: goods\n"
        "concat:\n  routing: {columns: [dep, arr], sep: '-'}\n"
    )
    src = tmp_path / "partner.csv"
    src.write_text("tracking,goods,routing,dep,arr\nT1,lamp,,PVG,LAX\nT2,bulb,CAN-SFO,HKG,SFO\n")
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["screen", str(src), "--profile", str(profile), "--out", str(out), "--no-store"])
    assert result.exit_code == 0, result.output
    import io

    from interdictor.intake.base import ReadOptions
    from interdictor.intake.csv_manifest import read_manifest_csv
    from interdictor.intake.mapping import load_profile
    from interdictor.model import Batch

    chunks = read_manifest_csv(io.BytesIO(src.read_bytes()), ReadOptions(), load_profile(str(profile)))
    ships = Batch.concat([c.batch for c in chunks]).shipments
    routing = dict(zip(ships["shipment_id"].to_list(), ships["routing"].to_list(), strict=True))
    assert routing == {"T1": "PVG-LAX", "T2": "CAN-SFO"}


@pytest.mark.parametrize(("url", "message"), [
    ("notaurl", "is not a database URL; use sqlite:///PATH"),
    ("mysql://user@host/db", "'mysql' databases are not supported"),
    ("postgres://nobody@127.0.0.1:1/none", "cannot open the database at postgresql+psycopg://nobody@127.0.0.1:1/none"),
])
def test_a_bad_database_url_is_one_line_naming_the_fix(runner: CliRunner, url: str, message: str) -> None:
    result = runner.invoke(app, ["screen", str(SAMPLE), "--db", url])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_demo_keeps_to_a_database_of_its_own_and_repeats_itself(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(app, ["demo", "--size", "400", "--top", "3"])
    second = runner.invoke(app, ["demo", "--size", "400", "--top", "3"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    data = tmp_path / "data"
    assert not (data / "interdictor.sqlite").exists()  # the user's own screening database is untouched
    assert (data / "demo.sqlite").exists()

    def tally(output: str) -> str:
        return next(line for line in output.splitlines() if "shipments from" in line).split("—")[1]

    assert tally(first.output) == tally(second.output)
    assert "0 unchanged" in " ".join(second.output.split())  # made afresh: nothing of the first run is left
    assert "demo-day-seed" not in first.output  # no name of a temporary file that is gone


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_formula_cells_are_neutralised_in_every_csv_written(runner: CliRunner, tmp_path: Path) -> None:
    evil = "=cmd|' /C calc'!A0"
    lines = SAMPLE.read_text().splitlines()
    lines[1] = lines[1].replace("EX100001", evil, 1)
    lines.append(lines[2].replace("EX100002", "@SUM(1+1)").replace(",1.2,35,USD", ",lots,35,USD"))
    src = tmp_path / "evil.csv"
    src.write_text("\n".join(lines) + "\n")
    out, rej = tmp_path / "r.csv", tmp_path / "rejects.csv"
    result = runner.invoke(app, ["screen", str(src), "--out", str(out), "--rejects", str(rej), "--no-store"])
    assert result.exit_code == 3, result.output
    piped = runner.invoke(app, ["screen", str(src), "--no-store"])  # CliRunner's stdout is not a terminal: CSV
    for name, text in (("--out", out.read_text()), ("--rejects", rej.read_text()), ("stdout", piped.stdout)):
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(c)], name
    ranked = pl.read_csv(out)
    assert "'" + evil in ranked["shipment_id"].to_list()
    assert "'@SUM(1+1)" in pl.read_csv(rej)["shipment_id"].to_list()


def test_screen_with_an_unknown_encoding_is_a_one_line_error_with_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["screen", str(SAMPLE), "--encoding", "no-such-codec", "--no-store"])
    assert result.exit_code == 2, result.output
    assert "unknown text encoding 'no-such-codec'" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, LookupError)


@pytest.mark.parametrize(("env", "message"), [
    ({"INTERDICTOR_DETECTORS": "route,roots"}, "unknown detector(s) roots; available:"),
    ({"INTERDICTOR_RULESET": "nonesuch"}, "no shipped rule set 'nonesuch'"),
])
def test_a_setting_that_cannot_be_used_is_one_line_with_exit_2(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["screen", str(SAMPLE), "--no-store"])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output


def test_a_bad_programmes_file_is_one_line_naming_it(runner: CliRunner, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    programs = tmp_path / "programs.yaml"
    programs.write_text("severity:\n  lookouts: [SDNTK]\n", encoding="utf-8")
    monkeypatch.setenv("INTERDICTOR_PARTY_PROGRAMS_FILE", str(programs))
    result = runner.invoke(app, ["screen", str(SAMPLE), "--no-store"])
    assert result.exit_code == 2, result.output
    assert "unknown key 'lookouts'" in " ".join(result.output.split())


def test_demo_days_runs_the_loop_in_its_own_database(runner: CliRunner, tmp_path: Path) -> None:
    from interdictor.store import models, open_store
    from interdictor.store import schema_service as sv

    result = runner.invoke(app, ["demo", "--days", "3", "--size", "500", "--planted", "0.02"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "data" / "interdictor.sqlite").exists()
    rows = [line.split("│") for line in result.output.splitlines() if line.startswith("│ 2026-06-0")]
    assert [r[1].strip() for r in rows] == ["2026-06-01", "2026-06-02", "2026-06-03"]
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'demo.sqlite'}")
    try:
        with store.connect() as conn:
            stored = models.list_models(conn)
            outcomes = conn.execute(sv.outcomes.select()).mappings().all()
            picks = {r["pick_kind"] for r in conn.execute(sv.decisions.select()).mappings()}
    finally:
        store.close()
    # every day's exams came back as outcomes, picked by the day's queue (or found later: imported)
    assert sum(int(r[6]) for r in rows) == len(outcomes)
    assert {"exploit", "imported"} <= picks
    learned_cells = [r[9].strip() for r in rows]
    # learn ran after each day: it stored a model whenever there were outcomes enough to learn from
    assert stored and len(stored) == sum(1 for c in learned_cells if c.split()[0][1:].isdigit())
    screened_with = [r[3].strip() for r in rows]
    assert screened_with[0] == "none"
    for r, with_model in zip(rows, screened_with, strict=True):  # a day screened with a model shows both recalls
        assert (r[5].strip() == "—") == (with_model == "none")
    # a day after a learn that activated a model screens with it
    learned = [r[9].strip() for r in rows]
    for before, after in zip(learned, screened_with[1:], strict=False):
        if before.endswith(" active"):
            assert after == before.split()[0]
    # and until a learn activates one, a day screens by the rules alone
    for i, with_model in enumerate(screened_with):
        assert (with_model == "none") == (not any(x.endswith(" active") for x in learned[:i])), result.output
