"""The worker's processing step without NATS: parse, screen, store, answer — once each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from interdictor.screening import assemble
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.stream.process import Incoming, process

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"


def one(sid: str, desc: str = "LED LIGHTS") -> bytes:
    row = {"shipment_id": sid, "mode": "express", "origin_country": "CN", "routing": "SZX-LAX",
           "shipper_name": "SHENZHEN LAMP CO", "consignee_name": "JANE DOE", "consignee_city": "PORTLAND",
           "consignee_state": "OR", "consignee_postal_code": "97201", "consignee_country": "US",
           "gross_weight_kg": "2", "declared_value": "30", "currency": "USD", "item_description": desc}
    return json.dumps(row).encode()


@pytest.fixture()
def env(store_url: str):  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    screening = assemble(Settings(), store)
    yield store, screening
    store.close()


def count(store, sql: str) -> int:  # type: ignore[no-untyped-def]
    with store.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_redelivery_is_a_no_op_and_changed_content_is_an_amendment(env) -> None:  # type: ignore[no-untyped-def]
    store, screening = env
    msgs = [Incoming("interdictor.intake.acme.manifest-jsonl", one(f"T{i}")) for i in range(5)]
    first = process(store, screening, msgs)
    assert [r.status for r in first] == ["processed"] * 5
    again = process(store, screening, msgs)  # at-least-once: the same bytes again
    assert [r.status for r in again] == ["duplicate"] * 5
    assert count(store, "SELECT count(*) FROM shipments") == 5
    changed = process(store, screening, [Incoming("interdictor.intake.acme.manifest-jsonl", one("T0", "ORGANIC INTERMEDIATE"))])
    assert changed[0].status == "processed"
    assert count(store, "SELECT count(*) FROM shipments WHERE shipment_id = 'T0'") == 2
    assert count(store, "SELECT count(*) FROM stream_messages") == 6


def test_unreadable_messages_are_dead_with_a_reason(env) -> None:  # type: ignore[no-untyped-def]
    store, screening = env
    msgs = [
        Incoming("interdictor.intake.acme.auto", b"\x00\x01\x02\x03" * 50),
        Incoming("interdictor.intake.acme.fwb", b"FWB/17\nthis is not an air waybill\n"),
        Incoming("not.a.valid.subject.here", one("X1")),
        Incoming("interdictor.intake.acme.manifest-jsonl", one("OK1")),
    ]
    res = process(store, screening, msgs)
    assert [r.status for r in res[:3]] == ["dead"] * 3
    assert all(r.reason for r in res[:3])
    assert res[3].status == "processed"
    assert count(store, "SELECT count(*) FROM stream_messages WHERE status = 'dead'") == 3


def test_answers_are_per_house_bill_and_partner_safe(env) -> None:  # type: ignore[no-untyped-def]
    store, screening = env
    res = process(store, screening, [Incoming("interdictor.intake.acme.manifest-csv", SAMPLE.read_bytes())])
    answer = res[0].answer
    assert answer is not None
    by_id = {a["shipment_id"]: a for a in answer["answers"]}
    assert set(by_id) == {"EX100001", "EX100002", "EX100003", "EX100004", "EX100005"}
    text_all = json.dumps(answer)
    for word in ("score", "ROUTE_", "VALUE_TOKEN", "OFAC", "SDN"):
        assert word not in text_all
    assert by_id["EX100002"]["status"] == "accepted" and "reason_codes" not in by_id["EX100002"]
