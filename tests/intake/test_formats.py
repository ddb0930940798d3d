"""Format detection (table in cases/detect.yaml) and the registry: one table for the CLI, the API and the stream."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from interdictor.intake import formats
from interdictor.intake.base import IntakeError, ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.intake.detect import detect
from interdictor.intake.dispatch import detect_format, known_formats, read_source

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "detect.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}->{c['format']}")
def test_detect(case: dict[str, Any]) -> None:
    assert detect(case["head"].encode(), case["name"]) == case["format"]


@given(st.binary(max_size=2000), st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_detect_never_raises(head: bytes, name: str) -> None:
    assert detect(head, name) in (None, *known_formats())


def test_registry_names_the_issue_formats_and_profiles() -> None:
    names = set(known_formats())
    assert {"manifest-csv", "manifest-jsonl", "json-manifest", "fwb", "fhl", "ffm", "xfwb", "xfzb", "xfhl",
            "onerecord", "cn23-json", "cn23-csv"} <= names
    assert {"ecommerce-items", "section321-legacy", "crossborder-clearance"} <= names
    for name in names:
        assert callable(formats.reader(name)), name
    with pytest.raises(IntakeError):
        formats.reader("nope")


def test_dispatch_detects_and_reads_a_partner_format() -> None:
    data = b"FWB/17\n176-12345675PVGLAX/T1K1\nRTD/1/P1/K1\n/NG/BOOKS\n"
    fmt, chunks = read_source(io.BytesIO(data), None, ReadOptions(source_name="f.txt"), None)
    assert fmt == "fwb"
    assert [c.batch.shipments.get_column("shipment_id").to_list() for c in chunks] == [["176-12345675"]]


def test_profile_format_reads_through_the_manifest_csv_reader() -> None:
    data = (b"mawb,hawb_or_tracking,shipper_name,consignee_name,item_description,hs_code,quantity,"
            b"departure_airport,arrival_airport\n"
            b"176-12345675,EX1,A,B,DIE SET,820730,1,PVG,LAX\n")
    fmt, chunks = read_source(io.BytesIO(data), None, ReadOptions(source_name="e.csv"), None)
    assert fmt == "ecommerce-items"
    rows = [r for c in chunks for r in c.batch.shipments.to_dicts()]
    (row,) = rows
    assert (row["shipment_id"], row["mode"], row["mawb"]) == ("EX1", "express", "176-12345675")
    assert (row["origin_port"], row["destination_port"]) == ("PVG", "LAX")


FIXTURES = Path(__file__).parent / "fixtures" / "formats"
# every registered format: a small fixture, and the shipment ids it holds (cargo-xml: a root no other reader
# knows, which its reader refuses as one message)
READS = {
    "manifest-csv": ("manifest.csv", ["M1"]),
    "manifest-jsonl": ("manifest.jsonl", ["L1", "L2"]),
    "json-manifest": ("manifest.json", ["J1"]),
    "fwb": ("fwb17.txt", ["176-12345675"]),
    "fhl": ("fhl4.txt", ["784-23456786/HK0001", "784-23456786/HK0002"]),
    "ffm": ("ffm8.txt", ["176-12345675"]),
    "xfwb": ("xfwb.xml", ["784-23456786"]),
    "xfzb": ("xfzb.xml", ["784-23456786/HK0001"]),
    "xfhl": ("xfhl.xml", ["784-23456786/A1", "784-23456786/A2"]),
    "cargo-xml": ("other.xml", []),
    "onerecord": ("waybill.jsonld", ["784-23456786"]),
    "cn23-json": ("cn23.json", ["CP000000014CN"]),
    "cn23-csv": ("cn23.csv", ["CP000000014CN"]),
    "ecommerce-items": ("ecommerce.csv", ["EX1"]),
    "section321-legacy": ("section321.csv", ["HB1"]),
    "crossborder-clearance": ("crossborder.csv", ["TN1"]),
}


def _ids(chunks: Any) -> list[str]:
    return [s for c in chunks for s in c.batch.shipments.get_column("shipment_id").to_list()]


def test_every_registered_format_has_a_fixture() -> None:
    assert sorted(known_formats()) == sorted(READS)


@pytest.mark.parametrize("name", sorted(READS))
def test_every_format_is_detected_and_read_from_its_fixture(name: str) -> None:
    file, ids = READS[name]
    data = (FIXTURES / file).read_bytes()
    assert detect_format(data[:65536], file) == name
    fmt, chunks = read_source(io.BytesIO(data), None, ReadOptions(source_name=file), None)
    got = list(chunks)
    assert fmt == name and _ids(got) == ids
    if not ids:
        assert [r.kind for c in got for r in c.rejects] == ["message"]
    message = formats.parse_message(name, data, ReadOptions(source_name=file))
    if message is not None:  # a stream message of this format is parsed on its own, to the same shipments
        assert [s.shipment_id for p in message for s in p.shipments] == ids


@pytest.mark.parametrize(("alias", "name"), [("csv", "manifest-csv"), ("FWB", "fwb"), ("xml", "cargo-xml"),
                                             ("jsonl", "manifest-jsonl"), (" Cn23 ", "cn23-json")])
def test_aliases_name_the_same_format(alias: str, name: str) -> None:
    assert alias in known_formats() and alias not in list(known_formats())
    assert formats.get(alias).name == name
    data = (FIXTURES / READS[name][0]).read_bytes()
    fmt, chunks = read_source(io.BytesIO(data), alias, ReadOptions(), None)
    assert fmt == name and _ids(chunks) == READS[name][1]


def test_unknown_names_are_refused_by_every_lookup() -> None:
    assert "nope" not in known_formats()
    for call in (lambda: formats.get("nope"), lambda: read_source(io.BytesIO(b"a,b"), "nope", ReadOptions(), None),
                 lambda: formats.parse_message("nope", b"", ReadOptions())):
        with pytest.raises(IntakeError, match="unknown format 'nope'"):
            call()


def test_the_cli_the_api_and_the_stream_read_from_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A format added to the table is known to all three entry points at once."""
    from interdictor.service.screening import parse
    from interdictor.settings import Settings
    from interdictor.stream.process import Incoming, _parse

    def fake(_stream: Any, options: ReadOptions, _profile: Any) -> Any:
        return read_manifest_csv(io.BytesIO(b"shipment_id,item_description\nFAKE1,BOOKS\n"), options, None)

    monkeypatch.setattr(formats, "BUILTIN", (*formats.BUILTIN, formats.Format("test-fake", "a test format", fake)))
    # interdictor screen --format test-fake
    fmt, chunks = read_source(io.BytesIO(b"anything"), "test-fake", ReadOptions(), None)
    assert (fmt, _ids(chunks)) == ("test-fake", ["FAKE1"])
    # POST /api/v1/manifests?format=test-fake
    fmt, got = parse(b"anything", source="api", fmt="test-fake", profile=None, settings=Settings())
    assert (fmt, _ids(got)) == ("test-fake", ["FAKE1"])
    # interdictor.intake.<partner>.test-fake on the stream
    parsed = _parse(Incoming(subject="interdictor.intake.acme.test-fake", data=b"anything"))
    assert not isinstance(parsed, str), parsed
    assert parsed.ids == ["FAKE1"]
    monkeypatch.undo()
    assert isinstance(_parse(Incoming(subject="interdictor.intake.acme.test-fake", data=b"x")), str)
