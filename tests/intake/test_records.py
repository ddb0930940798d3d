"""The shared chunking of message readers: a waybill sent twice in one file, and the message limit."""

from __future__ import annotations

from intake_helpers import fixture, run

from interdictor.intake import records
from interdictor.intake.cargo_imp import read

FWB = fixture("fwb16_envelope.txt")
AWB = "784-23456786"
LINES = FWB.count(b"\n") + 1  # lines of one copy with its blank separator line


def _copies(*bodies: bytes) -> bytes:
    return b"\n".join(bodies)


def test_a_waybill_repeated_600_times_is_read_once_and_each_copy_named_a_duplicate() -> None:
    r = run(read, _copies(*[FWB] * 600))
    assert r.ids == [AWB]
    dupes = r.rejects_of("message")
    assert len(dupes) == 599 and len(r.rejects) == 599
    assert dupes[0].line == LINES + 3 and dupes[0].shipment_id is None  # the copy kept must not look rejected
    assert dupes[0].reason.startswith(f"line {LINES + 3} repeats the waybill of line 3 unchanged")
    assert len(r.raw) == 600  # every copy is still kept as sent


def test_repeats_table() -> None:
    """Each later copy is compared with the copy read just before it: equal is a duplicate, different an
    amendment (a new chunk, so it reaches the store after the version it changes)."""
    changed = FWB.replace(b"TABLET PRESS DIE SET", b"TABLET PRESS DIE KIT")
    cases = [  # copies, shipments read, duplicates, chunks
        ([FWB, FWB], 1, 1, 1),
        ([FWB, changed], 2, 0, 2),
        ([FWB, changed, changed], 2, 1, 2),
        ([FWB, changed, FWB], 3, 0, 3),
    ]
    for copies, read_n, dupes, chunks in cases:
        r = run(read, _copies(*copies))
        assert (len(r.ids), len(r.rejects_of("message")), r.chunks) == (read_n, dupes, chunks), copies


def test_a_file_stops_at_the_message_limit_with_a_reject_naming_the_first_message_not_read(monkeypatch) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGES", 3)
    other = [FWB.replace(AWB.encode(), f"784-2345679{i}".encode()) for i in range(5)]
    r = run(read, _copies(*other))
    assert len(r.ids) == 3
    (limit,) = r.rejects_of("message")
    assert "more than 3 messages in one file" in limit.reason and limit.line == 3 * LINES + 1
