"""One test body, two databases: the embedded SQLite file and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import text

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.score.rules import load_ruleset
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store.db import StoreError
from interdictor.store.repo import COMPRESS_FROM, raw_content

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"


def screen_bytes(url: str, data: bytes, partner: str = "acme", source: str = "m.csv", *, write_behind: bool = False,
                 chunk_rows: int = 250_000) -> ScreenRun:
    store = open_store(url)
    try:
        settings = Settings()
        run = ScreenRun(assemble(settings.model_copy(update={"detectors": "route,consistency"})), partner=partner, source=source, fmt="manifest-csv", store=store,
                        write_behind=write_behind)
        for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=source, chunk_rows=chunk_rows)):
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
    shipped = load_ruleset()  # the latest shipped version screens a fresh store
    assert count(store_url, "SELECT count(*) FROM assessments WHERE ruleset = 'default' AND ruleset_version = "
                 f"{shipped.version}") == 5
    store = open_store(store_url, migrate=False)
    try:
        with store.connect() as conn:
            raw_id, line = conn.execute(text(
                "SELECT raw_id, line FROM shipments WHERE shipment_id = 'EX100004'")).one()
            first = conn.execute(text("SELECT first_line FROM raw_payloads WHERE raw_id = :r"), {"r": raw_id}).scalar()
            content = raw_content(conn, raw_id)
        # the canonical record leads back to the exact bytes it came from
        assert content is not None
        lines = content.decode().splitlines()
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


def _many(n: int) -> bytes:
    """The sample's header and first shipment, filed ``n`` times under new ids."""
    header, first = SAMPLE.read_text().splitlines()[:2]
    rest = first.split(",", 1)[1]
    return ("\n".join([header, *(f"EX{500000 + i},{rest}" for i in range(n))]) + "\n").encode()


def test_large_payloads_are_stored_compressed_and_read_back_verbatim(store_url: str) -> None:
    data = _many(1_200)
    assert len(data) > COMPRESS_FROM
    run = screen_bytes(store_url, data)
    store = open_store(store_url, migrate=False)
    try:
        with store.connect() as conn:
            rows = conn.execute(text(
                "SELECT raw_id, content_codec, content_size, length(content), sha256 FROM raw_payloads "
                "WHERE run_id = :r"), {"r": run.summary.run_id}).all()
            assert len(rows) == 1
            raw_id, codec, size, stored, digest = rows[0]
            back = raw_content(conn, raw_id)
    finally:
        store.close()
    body = data.split(b"\n", 1)[1]  # the block of shipment lines (the header is the run's)
    assert (codec, size) == ("zstd", len(body))
    assert stored < len(body) / 5  # repetitive CSV text shrinks a lot
    assert back == body
    assert digest == hashlib.sha256(body).hexdigest()  # the digest is of the bytes as received


def test_write_behind_stores_the_same_as_writing_in_line(store_url: str) -> None:
    data = _many(900)
    run = screen_bytes(store_url, data, partner="inline", chunk_rows=100)
    behind = screen_bytes(store_url, data, partner="behind", chunk_rows=100, write_behind=True)
    assert behind.summary.new_versions == run.summary.new_versions == 900
    for table in ("shipments", "items", "parties", "assessments", "reasons", "raw_payloads"):
        assert count(store_url, f"SELECT count(*) FROM {table} WHERE partner = 'behind'") == \
            count(store_url, f"SELECT count(*) FROM {table} WHERE partner = 'inline'") > 0
    # the same file again: every shipment is unchanged, so the earlier chunks were all written first
    again = screen_bytes(store_url, data, partner="behind", chunk_rows=100, write_behind=True)
    assert (again.summary.unchanged, again.summary.new_versions) == (900, 0)


def test_write_behind_error_reaches_the_caller(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from interdictor.store.db import Store

    def broken(*_a: object, **_k: object) -> None:
        raise StoreError("writing shipments failed: disk full")

    monkeypatch.setattr(Store, "insert_frames", broken)
    with pytest.raises(StoreError, match="disk full"):
        screen_bytes(store_url, _many(300), chunk_rows=100, write_behind=True)


def test_the_embedded_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "interdictor.sqlite"
    store = open_store(f"sqlite:///{path}")
    try:
        with store.begin() as conn:
            conn.execute(text("SELECT 1"))
        made = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert path in made
        for p in made:  # the database and SQLite's -wal / -shm beside it
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p.name
    finally:
        store.close()
