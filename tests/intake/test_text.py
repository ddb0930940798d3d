"""Text in UTF-16/32 or with CR-only lines is read like UTF-8 (``intake.text``); a lone surrogate in
JSON text is a rejected field, never a crash (``records.clip``, ``jsonl``)."""

from __future__ import annotations

import io

import polars as pl
import pytest
from intake_helpers import fixture

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.intake.dispatch import read_source
from interdictor.intake.records import LONE_SURROGATE_REASON
from interdictor.intake.text import wide_encoding
from interdictor.model import Batch

CSV = "shipment_id,item_description,consignee_city\nS1,茶叶 green tea,Laredo\nS2,\"punch, die set\",Laredo\n"
JSONL = '{"shipment_id":"S1","item_description":"茶叶"}\n{"shipment_id":"S2","item_description":"punch"}\n'

# (name, bytes, format detected, shipment ids, words the notice holds)
CASES = [
    ("csv utf-16 with BOM", CSV.encode("utf-16"), "manifest-csv", ["S1", "S2"], ["UTF-16", "byte-order mark"]),
    ("csv utf-16-le, no BOM", CSV.encode("utf-16-le"), "manifest-csv", ["S1", "S2"], ["UTF-16-LE", "NUL"]),
    ("csv utf-16-be, no BOM", CSV.encode("utf-16-be"), "manifest-csv", ["S1", "S2"], ["UTF-16-BE", "NUL"]),
    ("csv utf-32 with BOM", CSV.encode("utf-32"), "manifest-csv", ["S1", "S2"], ["UTF-32", "byte-order mark"]),
    ("csv utf-32-be, no BOM", CSV.encode("utf-32-be"), "manifest-csv", ["S1", "S2"], ["UTF-32-BE", "NUL"]),
    ("csv CR-only lines", CSV.replace("\n", "\r").encode(), "manifest-csv", ["S1", "S2"], ["carriage return"]),
    ("csv utf-16, CR-only", CSV.replace("\n", "\r").encode("utf-16"), "manifest-csv", ["S1", "S2"],
     ["UTF-16", "carriage return"]),
    ("jsonl utf-16-le", JSONL.encode("utf-16-le"), "manifest-jsonl", ["S1", "S2"], ["UTF-16-LE"]),
    ("jsonl CR-only", JSONL.replace("\n", "\r").encode(), "manifest-jsonl", ["S1", "S2"], ["carriage return"]),
    ("cn23 csv utf-16", fixture("cn23_items.csv").decode().encode("utf-16"), "cn23-csv", None, ["UTF-16"]),
    ("fwb CR-only", fixture("fwb16_envelope.txt").replace(b"\r\n", b"\n").replace(b"\n", b"\r"), "fwb",
     ["784-23456786"], ["carriage return"]),
]


def _read(data: bytes, **opts: object) -> tuple[str, list[IntakeChunk]]:
    fmt, chunks = read_source(io.BytesIO(data), None, ReadOptions(source_name="f", **opts), None)  # type: ignore[arg-type]
    return fmt, list(chunks)


@pytest.mark.parametrize(("name", "data", "fmt", "ids", "notice"), CASES, ids=[c[0] for c in CASES])
def test_wide_and_cr_only_text_is_read_and_said(name: str, data: bytes, fmt: str, ids: list[str] | None,
                                                notice: list[str]) -> None:
    got_fmt, chunks = _read(data)
    assert got_fmt == fmt
    batch = Batch.concat([c.batch for c in chunks])
    if ids is None:  # the shipments the UTF-8 original gives
        ids = sorted(Batch.concat([c.batch for c in _read(fixture("cn23_items.csv"))[1]]).shipments["shipment_id"])
        assert ids
    assert sorted(batch.shipments["shipment_id"].to_list()) == ids
    assert not [r for c in chunks for r in c.rejects]
    notices = [n for c in chunks for n in c.notices]
    assert all(any(word in n for n in notices) for word in notice), notices
    if fmt == "manifest-csv":
        assert "茶叶 green tea" in batch.items["description"].to_list()


@pytest.mark.parametrize("data", [CSV.encode("utf-16"), CSV.encode("utf-32-le"), CSV.replace("\n", "\r").encode()])
def test_the_csv_reader_alone_reads_wide_and_cr_only_text(data: bytes) -> None:
    chunks = list(read_manifest_csv(io.BytesIO(data), ReadOptions(source_name="f.csv")))
    assert Batch.concat([c.batch for c in chunks]).shipments["shipment_id"].to_list() == ["S1", "S2"]
    assert chunks[0].notices


@pytest.mark.parametrize(("given", "data"), [("UTF16", CSV.encode("utf-16-be")), ("utf_32", CSV.encode("utf-32")),
                                             ("utf-16-le", CSV.encode("utf-16-le"))])
def test_a_wide_encoding_given_by_name_is_read(given: str, data: bytes) -> None:
    _, chunks = _read(data, encoding=given)
    assert Batch.concat([c.batch for c in chunks]).items["description"].to_list() == ["茶叶 green tea", "punch, die set"]


def test_an_unknown_encoding_is_an_intake_error_naming_it() -> None:
    with pytest.raises(IntakeError, match="unknown text encoding 'no-such-codec'"):
        _read(CSV.encode(), encoding="no-such-codec")
    with pytest.raises(IntakeError, match="unknown text encoding"):
        list(read_manifest_csv(io.BytesIO(CSV.encode()), ReadOptions(encoding="no-such-codec")))


@pytest.mark.parametrize("data", [CSV.encode(), CSV.encode("gb18030"), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
                                  "shipment_id,ü\n".encode("latin-1") * 40])
def test_other_text_and_binary_are_not_taken_for_wide_text(data: bytes) -> None:
    assert wide_encoding(data) is None


# (format, bytes with one lone surrogate, shipments still screened, field named)
SURROGATES = [
    ("manifest-jsonl", b'{"shipment_id":"S1","item_description":"lamp"}\n'
                       b'{"shipment_id":"S2","item_description":"lamp","consignee_name":"bad \\ud800 x"}\n'
                       b'{"shipment_id":"S3","item_description":"bulb"}\n', ["S1", "S2", "S3"], "consignee_name"),
    ("manifest-jsonl", b'{"shipment_id":"S1","item_description":"lamp"}\n'
                       b'{"shipment_id":"S2","item_description":"x\\udc00"}\n', ["S1"], "item_description"),
    ("json-manifest", b'[{"shipment_id":"S1","items":[{"description":"lamp"}]},'
                      b'{"shipment_id":"S2","items":[{"description":"bulb"}],"consignee":{"name":"\\ud83d"}}]',
     ["S1", "S2"], "consignee"),
    ("cn23-json", b'{"item_id":"CP123456785CN","sender":{"name":"a\\udfff"},"addressee":{"name":"b"},'
                  b'"contents":[{"description":"tea"}],"note":"\\ud800"}', ["CP123456785CN"], "sender"),
]


@pytest.mark.parametrize(("fmt", "data", "ids", "fld"), SURROGATES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SURROGATES)])
def test_a_lone_surrogate_rejects_its_field_and_keeps_the_rest(fmt: str, data: bytes, ids: list[str], fld: str) -> None:
    got_fmt, chunks = _read(data)
    assert got_fmt == fmt
    batch = Batch.concat([c.batch for c in chunks])
    assert sorted(batch.shipments["shipment_id"].to_list()) == ids
    reasons = [r for c in chunks for r in c.rejects if r.reason == LONE_SURROGATE_REASON]
    assert reasons and fld in (reasons[0].field or "")
    for table in (batch.shipments, batch.items, batch.parties):
        table.write_csv()  # everything kept is storable text
        for col, dtype in table.schema.items():
            if dtype == pl.String:
                for value in table[col].drop_nulls().to_list():
                    value.encode("utf-8")
