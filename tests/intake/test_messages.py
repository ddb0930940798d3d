"""Many stream messages read into shared chunks, each keeping its own provenance."""

from __future__ import annotations

import json

from intake_helpers import fixture
from test_cargo_xml import xfzb
from test_postal import ITEM

from interdictor.intake.base import ReadOptions
from interdictor.intake.messages import Message, read_messages


def test_mixed_messages_share_a_chunk_and_keep_their_sources() -> None:
    msgs = [
        Message(fixture("fwb16_envelope.txt"), "fwb", "interdictor.intake.p1.fwb"),
        Message(xfzb(), None, "interdictor.intake.p1.xfzb"),
        Message(json.dumps(ITEM).encode(), "cn23-json", "p2"),
        Message(b"", "fwb", "empty"),
        Message(b"\x00\x01 what is this", None, "junk"),
        Message(b"FWB/17\nNOT AN AWB\n", None, "bad"),
    ]
    chunks = list(read_messages(msgs, ReadOptions()))
    assert len(chunks) == 1
    (c,) = chunks
    ids = c.batch.shipments.get_column("shipment_id").to_list()
    assert ids == ["784-23456786", "784-23456786/HK0001", "CP000000014CN"]
    sources = {r.raw_id: r.source for r in c.raw}
    assert sources[c.raw_of["784-23456786/HK0001"]] == "interdictor.intake.p1.xfzb"
    assert len(c.raw) == 6  # every message's bytes are kept, the refused ones too
    refused = {r.source: r.reason for r in c.rejects if r.kind == "message"}
    assert set(refused) == {"empty", "junk", "bad"}
    assert "empty" in refused["empty"] and "format" in refused["junk"]


def test_csv_messages_pass_through_their_reader() -> None:
    chunks = list(read_messages([Message(fixture("cn23_items.csv"), "cn23-csv", "c")], ReadOptions()))
    assert [x for c in chunks for x in c.batch.shipments.get_column("shipment_id").to_list()] == ["CP000000014CN"]
