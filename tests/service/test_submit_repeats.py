"""A waybill repeated within one submission: stored once, each later copy reported; a changed copy is an
amendment.  A manifest wider than the column limit is refused with the API's error shape."""

from __future__ import annotations

from pathlib import Path

from interdictor.intake.limits import MAX_COLUMNS

from .conftest import Svc

FWB = (Path(__file__).resolve().parents[1] / "intake" / "fixtures" / "fwb16_envelope.txt").read_bytes()


def _fwb(awb: str, description: bytes = b"TABLET PRESS DIE SET") -> bytes:
    return FWB.replace(b"784-23456786", awb.encode()).replace(b"TABLET PRESS DIE SET", description)


def _versions(svc: Svc, awb: str) -> list[int]:
    detail = svc.client.get(f"/api/v1/shipments/acme/{awb}", headers=svc.h("admin")).json()
    return [v["version"] for v in detail["versions"]]


def test_one_fwb_repeated_600_times_in_a_submission_is_stored_once(svc: Svc) -> None:
    r = svc.submit("acme", b"\n".join([_fwb("784-11111111")] * 600), name="fwb.txt")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["shipment_id"] for s in body["shipments"]] == ["784-11111111"]
    repeats = [x for x in body["rejects"] if "repeats the waybill of line 3 unchanged" in x["reason"]]
    assert len(repeats) == 599 == len(body["rejects"])
    assert _versions(svc, "784-11111111") == [1]


def test_a_changed_copy_in_the_same_submission_is_the_next_version(svc: Svc) -> None:
    first, changed = _fwb("784-22222222"), _fwb("784-22222222", b"TABLET PRESS DIE KIT")
    r = svc.submit("acme", b"\n".join([first, first, changed, changed]), name="fwb.txt")
    assert r.status_code == 200, r.text
    assert len(r.json()["rejects"]) == 2
    assert _versions(svc, "784-22222222") == [1, 2]


def test_a_manifest_over_the_column_limit_is_refused_naming_the_limit(svc: Svc) -> None:
    head = ",".join(["shipment_id", "item_description", *(f"x{i}" for i in range(MAX_COLUMNS))])
    r = svc.submit("acme", f"{head}\nS1,tea{',' * MAX_COLUMNS}\n".encode())
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unreadable_manifest" and f"at most {MAX_COLUMNS:,}" in error["message"]
    assert "line 1" in error["message"]
