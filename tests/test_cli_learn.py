"""``interdictor evaluate``: the JSON report to --out or stdout; bad input is one error line, exit 2, no file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from interdictor.cli import app

ARGS = ["--label", "seized", "--time", "filed", "--test-from", "2024-03-01", "--id", "importer", "--drop", "ref"]


def declarations(rows: int = 800, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    hs = rng.choice(["2939", "8479", "6109"], rows)
    return pl.DataFrame({
        "ref": [f"R{i}" for i in range(rows)],
        "filed": [(datetime(2024, 1, 1) + timedelta(hours=3 * i)).isoformat() for i in range(rows)],
        "importer": [f"I{i}" for i in rng.integers(0, 50, rows)],
        "hs": hs,
        "value": rng.random(rows).round(3),
        "seized": (rng.random(rows) < np.where(hs == "2939", 0.3, 0.02)).astype(np.int8),
    })


@pytest.fixture()
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "declarations.csv"
    declarations().write_csv(path)
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["evaluate", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def check_report(report: dict[str, object]) -> None:
    assert report["rows"] == {"train": 480, "test": 320}  # 60 days (2024 is a leap year) of eight rows before March
    for name in ("model", "random", "lookup"):
        figures = report[name]
        assert isinstance(figures, dict) and len(figures) == 8


def test_report_to_a_file(csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, stdout, stderr = invoke(str(csv), *ARGS, "--out", str(out))
    assert code == 0, stderr
    check_report(json.loads(out.read_text(encoding="utf-8")))
    assert stdout == ""
    assert f"wrote the report to {out}" in stderr and "train 480 rows" in stderr
    assert not list(tmp_path.glob("*.partial"))


def test_report_on_stdout_when_piped_and_parquet_reads_the_same(csv: Path, tmp_path: Path) -> None:
    code, stdout, stderr = invoke(str(csv), *ARGS)
    assert code == 0, stderr
    report = json.loads(stdout)
    check_report(report)
    parquet = tmp_path / "declarations.parquet"
    pl.read_csv(csv).write_parquet(parquet)
    code, again, _ = invoke(str(parquet), *ARGS)
    assert code == 0 and json.loads(again) == report


def rewrite(csv: Path, **columns: list[object]) -> None:
    pl.read_csv(csv).with_columns(**{k: pl.Series(v, strict=False) for k, v in columns.items()}).write_csv(csv)


@pytest.mark.parametrize(("change", "args", "message"), [
    (None, ["--label", "seizure"], "--label 'seizure' is not a column of the file — did you mean 'seized'?"),
    (None, ["--id", "seller"], "--id 'seller' is not a column of the file"),
    (None, ["--drop", "reference"], "--drop 'reference' is not a column of the file"),
    ({"seized": ["yes"] * 800}, [], "--label 'seized' must be 0 or 1 on every row; found 'yes'"),
    ({"filed": ["2024-01-01", "last week"] * 400}, [], "--time 'filed' has 400 values that are not dates"),
    (None, ["--test-from", "2023-01-01"], "no rows before --test-from 2023-01-01"),
    (None, ["--test-from", "2025-01-01"], "no rows on or after --test-from 2025-01-01"),
    (None, ["--test-from", "March"], "--test-from 'March' is not a date"),
    ("missing", [], "no such file"),
])
def test_bad_input_exits_2_with_one_error_and_writes_nothing(
        csv: Path, tmp_path: Path, change: object, args: list[str], message: str) -> None:
    if change == "missing":
        csv.unlink()
    elif isinstance(change, dict):
        rewrite(csv, **change)
    out = tmp_path / "report.json"
    options = dict(zip(ARGS[::2], ARGS[1::2], strict=True))
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value  # --id and --drop: the given one in place of the good one
    argv = [x for pair in options.items() for x in pair]
    code, stdout, stderr = invoke(str(csv), *argv, "--out", str(out))
    assert code == 2
    assert message in " ".join(stderr.split()), stderr
    assert stderr.count("error:") == 1
    assert stdout == "" and not out.exists() and not list(tmp_path.glob("*.partial"))


def test_a_file_with_no_label_column(tmp_path: Path) -> None:
    path = tmp_path / "unlabelled.csv"
    declarations().drop("seized").write_csv(path)
    code, _, stderr = invoke(str(path), *ARGS, "--out", str(tmp_path / "r.json"))
    assert code == 2 and "--label 'seized' is not a column of the file" in stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(("out", "message"), [
    ("", "is a folder: give the path of the report file"),
    ("nowhere/report.json", "does not exist"),
])
def test_an_out_path_that_cannot_be_written(csv: Path, tmp_path: Path, out: str, message: str) -> None:
    code, _, stderr = invoke(str(csv), *ARGS, "--out", str(tmp_path / out))
    assert code == 2 and message in stderr


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    code, _, stderr = invoke(str(path), *ARGS)
    assert code == 2 and "cannot read it as Parquet" in stderr
