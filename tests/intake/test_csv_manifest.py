from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from interdictor.intake.base import IntakeError, ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.model import Batch

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "manifest_csv.yaml").read_text(encoding="utf-8"))


def _bytes(case: dict) -> bytes:
    if "csv" in case:
        return case["csv"].encode("utf-8")
    if "csv_mixed" in case:  # UTF-8, Latin-1, UTF-8 parts
        a, b, c = case["csv_mixed"]
        return a.encode("utf-8") + b.encode("latin-1") + c.encode("utf-8")
    if case.get("csv_generated") == "long_field":
        return ("shipment_id,item_description,consignee_name\nS1,lamp," + "A" * 50_000 + "\nS2,bulb,BOB\n").encode()
    if case.get("csv_generated") == "long_quoted_field":  # a quote on line 3 "closes" on line 62
        rows = [f"S{i},lamp,BOB" for i in range(3, 61)]
        return ("shipment_id,item_description,consignee_name\nS1,lamp,BOB\nS2,\"lamp,BOB\n" + "\n".join(rows)
                + '\nS61,bulb",BOB\n').encode()
    raise AssertionError(f"case {case['name']} has no input")


def read_all(data: bytes, **opts: object) -> tuple[Batch, list]:
    chunks = list(read_manifest_csv(io.BytesIO(data), ReadOptions(source_name="t.csv", **opts)))  # type: ignore[arg-type]
    return Batch.concat([c.batch for c in chunks]), [r for c in chunks for r in c.rejects]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict) -> None:
    batch, rejects = read_all(_bytes(case))
    assert sorted(batch.shipments["shipment_id"].to_list()) == sorted(case["shipments"])
    if "items" in case:
        assert batch.items.height == case["items"]
    got = [(r.line, r.field, r.reason) for r in rejects]
    assert len(got) == len(case["rejects"]), got
    for want in case["rejects"]:
        assert any(line == want["line"] and field == want["field"] and want["reason"] in reason
                   for line, field, reason in got), f"missing reject {want} in {got}"
    for sid, values in (case.get("values") or {}).items():
        row = batch.shipments.filter(pl.col("shipment_id") == sid).row(0, named=True)
        for col, want in values.items():
            if isinstance(want, float):
                assert row[col] == pytest.approx(want, rel=1e-3), col
            else:
                assert row[col] == want, col


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (b"foo,bar\n1,2\n", re.escape("missing required column(s) shipment_id, item_description")),
        (b"shipment_id,item_description,shipment_id\nS1,a,b\n", "duplicate column"),
    ],
)
def test_unreadable_files_raise_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(IntakeError, match=message):
        read_all(data)


def test_whole_file_in_another_encoding_is_detected_and_said() -> None:
    text = "shipment_id,item_description,consignee_name\n" + "".join(
        f"S{i},茶叶 礼盒 green tea gift box,王小明 {i}\n" for i in range(200)
    )
    chunks = list(read_manifest_csv(io.BytesIO(text.encode("gb18030")), ReadOptions(source_name="gbk.csv")))
    notices = [n for c in chunks for n in c.notices]
    assert notices and "not UTF-8" in notices[0]
    batch = Batch.concat([c.batch for c in chunks])
    assert batch.shipments.height == 200
    assert "茶叶" in batch.items["description"][0]


def test_explicit_encoding_decodes_latin1() -> None:
    data = "shipment_id,item_description\nS1,café machine\n".encode("latin-1")
    batch, rejects = read_all(data, encoding="latin-1")
    assert not rejects
    assert batch.items["description"].to_list() == ["café machine"]


def test_rows_of_a_shipment_straddling_blocks_stay_together(monkeypatch: pytest.MonkeyPatch) -> None:
    import interdictor.intake.csv_manifest as mod

    monkeypatch.setattr(mod, "BLOCK_BYTES", 64)  # force many small blocks
    monkeypatch.setattr(mod, "SNIFF_BYTES", 64)
    lines = ["shipment_id,item_description,gross_weight_kg"]
    for i in range(40):
        for j in range(3):
            lines.append(f"S{i:03d},item {j} of shipment {i},{i + 1}")
    batch, rejects = read_all(("\n".join(lines) + "\n").encode())
    assert not rejects
    assert batch.shipments.height == 40
    assert batch.items.height == 120
    counts = batch.items.group_by("shipment_id").len()
    assert counts["len"].to_list() == [3] * 40
    # line numbers follow the file
    assert batch.items.sort("line")["line"].to_list() == list(range(2, 122))


def test_a_file_read_in_one_block_is_one_chunk() -> None:
    """The reader knows the block it parsed was the last one, so the last shipment is not held back for a
    second, almost empty chunk (every chunk costs a pass through the detectors)."""
    data = b"shipment_id,item_description\nS1,lamp\nS1,bulb\nS2,mug\n"
    chunks = list(read_manifest_csv(io.BytesIO(data), ReadOptions(source_name="t.csv")))
    assert len(chunks) == 1
    assert chunks[0].batch.shipments["shipment_id"].to_list() == ["S1", "S2"]
    assert chunks[0].batch.items.height == 3


class _Trickle(io.RawIOBase):
    """A stream that hands over a few bytes per read, like a pipe: a short read is not the end."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        out = self.data[self.pos : self.pos + min(self.step, n if n >= 0 else self.step)]
        self.pos += len(out)
        return out


def test_short_reads_that_are_not_the_end_keep_a_shipments_rows_together(monkeypatch: pytest.MonkeyPatch) -> None:
    import interdictor.intake.csv_manifest as mod

    monkeypatch.setattr(mod, "SNIFF_BYTES", 64)
    lines = ["shipment_id,item_description"] + [f"S{i:02d},item {j} of {i}" for i in range(12) for j in range(3)]
    data = ("\n".join(lines) + "\n").encode()
    chunks = list(read_manifest_csv(_Trickle(data, 50), ReadOptions(source_name="t.csv")))  # type: ignore[arg-type]
    assert len(chunks) > 1
    batch = Batch.concat([c.batch for c in chunks])
    assert not [r for c in chunks for r in c.rejects]
    assert batch.items.group_by("shipment_id").len()["len"].to_list() == [3] * 12


def test_country_columns_read_codes_and_names_and_reject_the_rest() -> None:
    data = (
        b"shipment_id,item_description,origin_country,shipper_country,consignee_country\n"
        b"S1,lamp,China,chn,United States\n"
        b"S2,mug,hk,UK,us\n"
        b"S3,pen,XX,CN,Narnia\n"
    )
    batch, rejects = read_all(data)
    got = batch.shipments.sort("shipment_id")["origin_country"].to_list()
    assert got == ["CN", "HK", None]
    parties = batch.parties.sort("shipment_id", "party")
    assert parties.select("shipment_id", "party", "country").rows() == [
        ("S1", "consignee", "US"), ("S1", "shipper", "CN"), ("S2", "consignee", "US"), ("S2", "shipper", "GB"),
        ("S3", "shipper", "CN"),  # nothing is left of S3's consignee once its country is rejected
    ]
    assert sorted((r.line, r.field) for r in rejects) == [(4, "consignee_country"), (4, "origin_country")]
    assert all("ISO 3166" in r.reason for r in rejects)


def test_a_block_whose_columns_are_longer_than_the_field_limit_loses_no_row() -> None:
    """Long columns are measured field by field; an empty field in them is not 'too long'."""
    rows = ["shipment_id,item_description,hs_code,consignee_name"]
    rows += [f"S{i:04d},stainless steel water bottle number {i},{'' if i % 3 else '732393'},{'' if i % 2 else 'Ann Lee'}"
             for i in range(400)]
    rows.append("S9999,lamp,940520," + "B" * 5000)
    batch, rejects = read_all(("\n".join(rows) + "\n").encode(), max_field_chars=100)
    assert batch.shipments.height == 401
    assert [(r.line, r.field) for r in rejects] == [(402, "consignee_name")]


def test_shipment_rows_appearing_again_later_are_quarantined(monkeypatch: pytest.MonkeyPatch) -> None:
    import interdictor.intake.csv_manifest as mod

    monkeypatch.setattr(mod, "BLOCK_BYTES", 40)
    monkeypatch.setattr(mod, "SNIFF_BYTES", 40)
    others = "".join(f"S{i:02d},item {i}\n" for i in range(20))
    data = ("shipment_id,item_description\nA,one\n" + others + "A,again\n").encode()
    batch, rejects = read_all(data)
    assert batch.shipments.height == 21
    assert [(r.line, r.shipment_id) for r in rejects] == [(23, "A")]
    assert "appear again" in rejects[0].reason


def test_every_input_row_is_a_shipment_item_or_a_reject() -> None:
    rows = ["shipment_id,item_description,gross_weight_kg"]
    for i in range(300):
        kind = i % 6
        if kind == 0:
            rows.append(f"S{i},ok,{i}")
        elif kind == 1:
            rows.append(f"S{i},ok")  # ragged
        elif kind == 2:
            rows.append(f"S{i},,1")  # missing description
        elif kind == 3:
            rows.append(f"S{i},ok,notanumber")  # bad field, row kept
        elif kind == 4:
            rows.append(f'S{i},"quoted, with comma",1')
        else:
            rows.append(f"S{i},ok,1,2,3")
    batch, rejects = read_all(("\n".join(rows) + "\n").encode())
    row_rejects = {r.line for r in rejects if r.kind == "row"}
    item_lines = set(batch.items["line"].to_list())
    assert item_lines.isdisjoint(row_rejects)
    assert item_lines | row_rejects == set(range(2, 302))


_VALUES = {
    "gross_weight_kg": ["1.5", "0.2 kg", "12", "", "heavy", "1,5", "-3"],
    "declared_value": ["12.50", "$9", "USD 30", "", "cheap", "1e3"],
    "origin_country": ["CN", "china", "HK", "", "Narnia", "us"],
    "consignee_country": ["US", "MX", "", "XX"],
    "hs_code": ["2933.39", "847989", "", "29333999", "abc"],
    "quantity": ["1", "2.0", "", "many"],
    "filed_at": ["2025-03-01T10:00:00Z", "2025-03-01", "", "yesterday", "01/03/2025"],
}


@given(st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in _VALUES.items()}), min_size=1, max_size=6))
@hyp_settings(max_examples=60, deadline=None)
def test_the_fast_parse_reads_well_formed_rows_as_the_full_check_does(rows: list[dict[str, str]]) -> None:
    """The fast parse (rows that need no closer look) and the full check give the same table and rejects."""
    import interdictor.intake.fields as fields

    header = ["shipment_id", "item_description", *_VALUES]
    lines = [",".join(header)] + [",".join([f"S{i}", "lamp", *(r[c] for c in _VALUES)]) for i, r in enumerate(rows)]
    data = ("\n".join(lines) + "\n").encode()
    fast, fast_rejects = read_all(data)
    every_row = pl.lit(True).alias("_slow")
    mp = pytest.MonkeyPatch()
    mp.setattr(fields, "_needs_expr", lambda *_a: every_row)
    try:
        full, full_rejects = read_all(data)
    finally:
        mp.undo()
    for a, b in zip((fast.shipments, fast.items, fast.parties, fast.legs),
                    (full.shipments, full.items, full.parties, full.legs), strict=True):
        assert a.equals(b), (a, b)
    assert [(r.line, r.field, r.reason) for r in fast_rejects] == [(r.line, r.field, r.reason) for r in full_rejects]


_GOOD_ROW = st.sampled_from([
    "{sid},lamp,Laredo,1",
    '{sid},"lamp, brass",Laredo,2',
    '{sid},"a ""quoted"" lamp",Austin,3',
    '{sid},"two\nline lamp",Austin,4',
    '{sid},"three,\nline,\nlamp",El Paso,5',
])
_BROKEN_ROW = st.sampled_from([
    '{sid},"yoga mat,Austin,2',  # the quote at the start of a field never closed
    '{sid},yoga mat,"Austin,2',
    '{sid},yoga mat,Austin,"2',
    '{sid},"yoga mat",Austin,"2 kg',
])


@given(st.lists(_GOOD_ROW, min_size=1, max_size=70), st.data(), st.sampled_from([64, 200, 1500, 1 << 20]))
@hyp_settings(max_examples=120, deadline=None)
def test_one_broken_quote_rejects_only_its_record(rows: list[str], data: st.DataObject, block: int) -> None:
    """One record with a quote never closed, anywhere in a valid file, in blocks of any size: that
    record is rejected at its line, every other record is screened, and the record count is right."""
    import interdictor.intake.csv_manifest as mod

    at = data.draw(st.integers(0, len(rows)), label="broken at")
    records = [r.format(sid=f"S{i}") for i, r in enumerate(rows)]
    records.insert(at, data.draw(_BROKEN_ROW, label="broken").format(sid="BROKEN"))
    text = "shipment_id,item_description,consignee_city,gross_weight_kg\n" + "\n".join(records) + "\n"
    broken_line = 2 + sum(r.count("\n") + 1 for r in records[:at])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mod, "BLOCK_BYTES", block)
        mp.setattr(mod, "SNIFF_BYTES", min(block, mod.SNIFF_BYTES))
        chunks = list(read_manifest_csv(io.BytesIO(text.encode()), ReadOptions(source_name="t.csv")))
    batch = Batch.concat([c.batch for c in chunks])
    rejects = [r for c in chunks for r in c.rejects]
    assert [(r.line, r.kind) for r in rejects] == [(broken_line, "row")], rejects
    assert "unterminated quoted field" in rejects[0].reason
    assert sorted(batch.shipments["shipment_id"].to_list()) == sorted(f"S{i}" for i in range(len(rows)))
    assert sum(c.rows for c in chunks) == len(records)
