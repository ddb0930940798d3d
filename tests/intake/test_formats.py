"""Format detection (table in cases/detect.yaml) and the registry."""

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
from interdictor.intake.detect import detect
from interdictor.intake.dispatch import read_source

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "detect.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['name']}->{c['format']}")
def test_detect(case: dict[str, Any]) -> None:
    assert detect(case["head"].encode(), case["name"]) == case["format"]


@given(st.binary(max_size=2000), st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_detect_never_raises(head: bytes, name: str) -> None:
    assert detect(head, name) in (None, *formats.FORMATS)


def test_registry_names_the_issue_formats_and_profiles() -> None:
    names = set(formats.FORMATS)
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
