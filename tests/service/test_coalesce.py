"""Small manifest-CSV submissions read together, each getting back exactly its own (``service/coalesce.py``)."""

from __future__ import annotations

from sqlalchemy import select

from interdictor.intake.base import ReadOptions
from interdictor.service import coalesce
from interdictor.service.screening import Submission
from interdictor.store import schema as t

from .conftest import SAMPLE, Svc

LINES = SAMPLE.read_text(encoding="utf-8").splitlines()
HEADER = LINES[0]


def body(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def row(i: int, new_id: str) -> str:
    r = LINES[1 + i]
    return r.replace(r.split(",", 1)[0], new_id, 1)


def test_what_may_be_joined() -> None:
    assert coalesce.pending(body(row(0, "A1")), None, None) is not None
    assert coalesce.pending(body(row(0, "A1")), "manifest-csv", "ecommerce-items") is None  # a profile reads alone
    assert coalesce.pending(body(row(0, "A1")).replace(b"\n", b"\r\n"), None, None) is None
    assert coalesce.pending(body(row(0, "A1") + ',"open quote'), None, None) is None  # could swallow the next body
    assert coalesce.pending("\ufeff".encode() + body(row(0, "A1")), None, None) is None
    assert coalesce.pending(b"a,b\n1,2\n", None, None) is None  # no shipment_id column
    assert coalesce.pending(body(row(0, "A1")), "fwb", None) is None
    p = coalesce.pending(body(row(0, "A1"), row(1, "A2")), None, None)
    assert p is not None and p.ids == {"A1", "A2"}


def test_groups_keep_partners_headers_and_ids_apart() -> None:
    a = coalesce.pending(body(row(0, "X1")), None, None)
    b = coalesce.pending(body(row(1, "X2")), None, None)
    c = coalesce.pending(body(row(2, "X1")), None, None)  # X1 again: a later version, read after
    assert a and b and c
    assert coalesce.groups([("p", a), ("p", b), ("p", c), ("q", b)]) == [[0, 1], [2], [3]]


def test_joined_read_hands_back_ids_rejects_and_lines_per_body() -> None:
    bad = row(1, "J2").replace(",1,1.2,35,USD,", ",many,1.2,35,USD,")
    assert bad != row(1, "J2")
    bodies = [coalesce.pending(body(row(0, "J1")), None, None), coalesce.pending(body(row(2, "J3"), bad), None, None),
              coalesce.pending(body(row(3, "J4")), None, None)]
    assert all(bodies)
    chunks, per = coalesce.read_joined([b for b in bodies if b], ["a.csv", "b.csv", "c.csv"], ReadOptions())
    assert [p.ids for p in per] == [["J1"], ["J3", "J2"], ["J4"]]
    assert per[0].rejects == [] and per[2].rejects == []
    assert per[1].rejects and {r.line for r in per[1].rejects} == {3} and {r.source for r in per[1].rejects} == {"b.csv"}
    lines = {sid: ln for c in chunks for sid, ln in zip(c.batch.shipments.get_column("shipment_id"),
                                                         c.batch.shipments.get_column("line"), strict=True)}
    assert lines == {"J1": 2, "J3": 2, "J2": 3, "J4": 2}
    assert [r.content for r in chunks[0].raw] == [b.payload for b in bodies if b]
    assert {k: v for c in chunks for k, v in c.raw_of.items()} == {"J1": "b0", "J3": "b1", "J2": "b1", "J4": "b2"}


def test_writer_screens_waiting_bodies_together_and_stores_each_verbatim(svc: Svc) -> None:
    st = svc.app.state.svc
    payloads = [body(row(0, "W1")), body(row(1, "W2")), body(row(2, "W3"), row(3, "W4"))]
    subs = [Submission("acme", f"w{i}.csv", "manifest-csv", [], pending=coalesce.pending(p, None, None))
            for i, p in enumerate(payloads)]
    st.screener._screen("acme", subs)
    results = [s.future.result(timeout=5) for s in subs]
    assert [[x["shipment_id"] for x in r.shipments] for r in results] == [["W1"], ["W2"], ["W3", "W4"]]
    assert len({r.run_id for r in results}) == 1  # one screening pass for all three
    with st.read() as conn:
        stored = conn.execute(select(t.raw_payloads.c.source, t.raw_payloads.c.content)
                              .where(t.raw_payloads.c.run_id == results[0].run_id)).all()
        raw_of = dict(conn.execute(select(t.shipments.c.shipment_id, t.shipments.c.raw_id)
                                   .where(t.shipments.c.run_id == results[0].run_id)).all())
    assert sorted((s, bytes(c)) for s, c in stored) == sorted((f"w{i}.csv", p) for i, p in enumerate(payloads))
    assert raw_of["W3"] == raw_of["W4"] != raw_of["W1"]
