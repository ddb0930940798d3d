"""Goods profiles learned from stored traffic (SQLite): the SQL counts, the versions, and the glue that
learns a set and screens with it."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import Connection, insert

from interdictor.screening.loaders import goods_part, learn_profiles, load_context
from interdictor.settings import Settings
from interdictor.store import schema as t
from interdictor.store.learned import latest_set, line_histograms, list_sets, save_set, set_rows


def _ship(conn: Connection, sid: str, lines: list[tuple[str, str, float, float, float]], *, version: int = 1,
          current: bool = True, gross: float | None = None, pieces: int = 1, when: datetime | None = None) -> None:
    conn.execute(insert(t.shipments).values(
        partner="p9", shipment_id=sid, version=version, run_id="r9", content_hash=f"{sid}-{version}",
        is_current=current, received_at=when or datetime.now(UTC), pieces=pieces,
        gross_weight_kg=gross if gross is not None else sum(w for _, _, w, _, _ in lines)))
    for i, (desc, hs, w, v, q) in enumerate(lines, start=1):
        conn.execute(insert(t.items).values(partner="p9", shipment_id=sid, version=version, item=i, description=desc,
                                            hs_code=hs, weight_kg=w, value=v, quantity=q))


def _counts(hist: pl.DataFrame, metric: str) -> dict[int, int]:
    return dict(hist.filter(pl.col("metric") == metric).group_by("bucket").agg(pl.col("n").sum()).iter_rows())


def test_the_database_counts_current_lines_by_bucket_and_pieces_only_for_lone_lines(conn: Connection) -> None:
    _ship(conn, "A1", [("ceramic vase", "691390", 2.0, 20.0, 1.0)], gross=4.0, pieces=2)
    _ship(conn, "A2", [("ceramic vase", "691390", 2.0, 20.0, 1.0)], version=1, current=False, gross=400.0)
    _ship(conn, "A3", [("ceramic vase", "691390", 2.0, 20.0, 1.0), ("wooden tray", "441990", 1.0, 5.0, 2.0)], gross=3.0)
    hist = line_histograms(conn)
    assert _counts(hist, "usd_per_kg") == {20: 2, round(math.log10(5.0) * 20): 1}  # $10/kg twice, $5/kg once
    assert _counts(hist, "kg_per_unit") == {round(math.log10(2.0) * 20): 2, round(math.log10(0.5) * 20): 1}
    # only A1 is a one-line shipment: its parcel is its line (4 kg over 2 pieces); the superseded A2 is left out
    assert _counts(hist, "kg_per_piece") == {round(math.log10(2.0) * 20): 1}
    assert _counts(hist, "pieces") == {round(math.log10(2.0) * 20): 1}


def test_old_lines_are_left_out_when_a_window_is_given(conn: Connection) -> None:
    _ship(conn, "B1", [("linen napkin", "630299", 0.5, 4.0, 1.0)], when=datetime.now(UTC) - timedelta(days=200))
    _ship(conn, "B2", [("linen napkin", "630299", 0.5, 4.0, 1.0)])
    since = datetime.now(UTC) - timedelta(days=30)
    assert sum(_counts(line_histograms(conn, since), "usd_per_kg").values()) == 1
    assert sum(_counts(line_histograms(conn), "usd_per_kg").values()) == 2


def test_sets_are_versions_and_the_latest_is_read(conn: Connection) -> None:
    assert latest_set(conn) is None and list_sets(conn) == []
    row = {"kind": "family", "key": "toys_sports", "metric": "usd_per_kg", "median": 1.1, "spread": 0.3, "n": 80}
    v1 = save_set(conn, pl.DataFrame([row]), actor="tester", lines=80, min_n=30, knowledge_base="kb-x")
    v2 = save_set(conn, pl.DataFrame([{**row, "median": 1.4}]), actor="tester", lines=90, min_n=30, knowledge_base="kb-x")
    assert (v1, v2) == (1, 2)
    found = latest_set(conn)
    assert found is not None and found[0] == 2 and found[1]["median"].to_list() == [1.4]
    old = set_rows(conn, 1)
    assert old is not None and old["median"].to_list() == [1.1]
    assert set_rows(conn, 7) is None
    assert [s["version"] for s in list_sets(conn)] == [2, 1] and list_sets(conn)[0]["families"] == 1


def test_learning_names_families_by_their_words_and_screening_records_the_version(conn: Connection) -> None:
    # forty single-line parcels of headphones and earbuds under one code, at about 0.4 kg and $60/kg
    for i in range(40):
        desc = "wireless earbuds" if i % 2 else "bluetooth headphones"
        _ship(conn, f"H{i}", [(desc, "851830", 0.4 + 0.01 * (i % 5), 24.0, 1.0)])
    version, n = learn_profiles(conn, Settings(), actor="tester", days=None, min_n=30)
    assert version == 1 and n["lines"] == 40 and n["families"] == 1
    table = set_rows(conn, 1)
    assert table is not None
    fam = table.filter((pl.col("kind") == "family") & (pl.col("metric") == "usd_per_kg"))
    assert fam["key"].to_list() == ["phones_electronics"] and fam["n"].to_list() == [40]
    assert fam["median"][0] == pytest.approx(math.log10(60.0), abs=0.05)
    # the chapter the family is declared under is remembered as usual for it
    assert table.filter(pl.col("kind") == "chapter")["key"].to_list() == ["phones_electronics|85"]
    part = goods_part(conn, None)
    assert part.profiles.version == "learned-v1" and part.profiles.usual_chapters == {"phones_electronics": frozenset({"85"})}
    assert load_context(Settings(), conn, ["goods"]).versions["profiles"] == "learned-v1"


def _assess(conn: Connection, sid: str, score: float, *, run: str = "r9", code: str | None = None,
            at: datetime | None = None, corridor: str = "c") -> None:
    conn.execute(insert(t.assessments).values(
        partner="p9", shipment_id=sid, version=1, run_id=run, score=score, disposition="clear", corridor=corridor,
        ruleset="default", ruleset_version=3, created_at=at or datetime.now(UTC)))
    if code is not None:
        conn.execute(insert(t.reasons).values(partner="p9", shipment_id=sid, version=1, run_id=run, code=code,
                                              weight=10.0))


def test_calibration_learns_from_the_latest_unfloored_assessments_and_screening_records_its_version(
        conn: Connection) -> None:
    from interdictor.screening.assembly import calibration

    old = datetime.now(UTC) - timedelta(days=1)
    for i in range(60):
        _ship(conn, f"S{i}", [("cotton towel", "630260", 0.5, 5.0, 1.0)])
        _assess(conn, f"S{i}", float(i), at=old)
    _assess(conn, "S59", 5.0, run="r10")  # re-assessed since: its latest score counts
    _assess(conn, "S58", 95.0, run="r10", code="LICENCE_NOT_NOTIFIED")  # a hard finding is left out
    assert learn_profiles(conn, Settings(), days=None)[1]["corridors"] == 0  # too few scores: nothing calibrated
    assert calibration(conn, load_context(Settings(), conn, ["goods"])).version == "none"
    version, n = learn_profiles(conn, Settings(), days=None, score_min_n=50)
    assert (version, n["scores"], n["corridors"]) == (2, 59, 1)
    table = set_rows(conn, 2, "score")
    # 59 scores 0..57 and 5: at most 2 % (1 score) at or above 57
    assert table is not None and table.select("key", "median", "n").rows() == [("c", 57.0, 59)]
    ctx = load_context(Settings(), conn, ["goods"])
    found = calibration(conn, ctx)
    assert (found.version, dict(found.exam_at)) == ("learned-v2", {"c": 57.0})
    assert list_sets(conn)[0]["corridors"] == 1
