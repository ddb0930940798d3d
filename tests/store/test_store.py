"""One test body, two databases: the embedded SQLite file and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.pipeline import ScreenRun
from interdictor.reference.corridors import load_corridors
from interdictor.score.rules import load_ruleset
from interdictor.screen.loaders import load_context
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.db import StoreError

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"


def screen_bytes(url: str, data: bytes, partner: str = "acme", source: str = "m.csv") -> ScreenRun:
    store = open_store(url)
    try:
        settings = Settings()
        run = ScreenRun(ctx=load_context(settings, None, parts=["route", "consistency"]), ruleset=load_ruleset(),
                        corridors=load_corridors(), partner=partner, source=source, fmt="manifest-csv", store=store)
        for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=source)):
            run.add(chunk)
        run.finish()
        return run
    finally:
        store.close()


def count(url: str, sql: str) -> int:
    store = open_store(url, migrate=False)
    try:
        with store.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        store.close()


def test_migrations_create_every_table(store_url: str) -> None:
    store = open_store(store_url)
    try:
        from sqlalchemy import inspect

        names = set(inspect(store.engine).get_table_names())
        assert {"shipments", "items", "parties", "assessments", "reasons", "rejects", "raw_payloads", "audit_log",
                "ingest_runs", "ruleset_versions"} <= names
        store.migrate()  # idempotent
    finally:
        store.close()


def test_screening_stores_records_with_provenance(store_url: str) -> None:
    data = SAMPLE.read_bytes() + b"EX100009,express,X\n"
    run = screen_bytes(store_url, data)
    assert run.summary.shipments == 5
    assert count(store_url, "SELECT count(*) FROM shipments") == 5
    assert count(store_url, "SELECT count(*) FROM items") == 6
    assert count(store_url, "SELECT count(*) FROM parties") == 10
    assert count(store_url, "SELECT count(*) FROM assessments") == 5
    assert count(store_url, "SELECT count(*) FROM rejects WHERE line = 8") == 1
    assert count(store_url, "SELECT count(*) FROM reasons WHERE code = 'VALUE_TOKEN_FOR_WEIGHT'") == 1
    assert count(store_url, "SELECT count(*) FROM assessments WHERE ruleset = 'default' AND ruleset_version = 1") == 5
    store = open_store(store_url, migrate=False)
    try:
        with store.connect() as conn:
            raw_id, line = conn.execute(text(
                "SELECT raw_id, line FROM shipments WHERE shipment_id = 'EX100004'")).one()
            content, first = conn.execute(text(
                "SELECT content, first_line FROM raw_payloads WHERE raw_id = :r"), {"r": raw_id}).one()
        # the canonical record leads back to the exact bytes it came from
        lines = bytes(content).decode().splitlines()
        assert lines[line - first].startswith("EX100004,air,FORWARDER X,999-12345675")
    finally:
        store.close()


def test_versions_unchanged_and_amended(store_url: str) -> None:
    data = SAMPLE.read_bytes()
    screen_bytes(store_url, data)
    again = screen_bytes(store_url, data)
    assert (again.summary.unchanged, again.summary.new_versions) == (5, 0)
    amended = data.replace(b"LED LIGHTS", b"ORGANIC INTERMEDIATE")
    third = screen_bytes(store_url, amended)
    assert (third.summary.amended, third.summary.unchanged) == (1, 4)
    assert count(store_url, "SELECT count(*) FROM shipments WHERE shipment_id = 'EX100005'") == 2
    assert count(store_url, "SELECT max(version) FROM shipments WHERE shipment_id = 'EX100005' AND is_current") == 2
    assert count(store_url, "SELECT count(*) FROM shipments WHERE shipment_id = 'EX100005' AND NOT is_current") == 1
    # a different partner's shipment of the same id is its own record
    other = screen_bytes(store_url, data, partner="other")
    assert other.summary.new_versions == 5


def test_audit_log_is_append_only(store_url: str) -> None:
    screen_bytes(store_url, SAMPLE.read_bytes())
    assert count(store_url, "SELECT count(*) FROM audit_log WHERE action = 'ingest.finish'") == 1
    store = open_store(store_url, migrate=False)
    try:
        for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="append-only"), store.begin() as conn:
                conn.execute(text(sql))
    finally:
        store.close()
    assert count(store_url, "SELECT count(*) FROM audit_log WHERE actor = 'mallory'") == 0


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_stored_frames_round_trip_types(store_url: str) -> None:
    screen_bytes(store_url, SAMPLE.read_bytes())
    store = open_store(store_url, migrate=False)
    try:
        df = store.query_frame("SELECT shipment_id, gross_weight_kg, filed_at, pieces FROM shipments ORDER BY shipment_id")
    finally:
        store.close()
    assert df["shipment_id"].to_list()[0] == "EX100001"
    assert df["gross_weight_kg"].to_list()[0] == pytest.approx(80.0)
    assert df.filter(pl.col("shipment_id") == "EX100004")["pieces"].item() == 4
