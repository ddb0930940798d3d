"""Submitting manifests in any supported format, as a body or an upload, and the answers per house bill."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from interdictor.service.app import MULTIPART_SLACK

from .conftest import SAMPLE, Svc, asgi_post, renamed

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def shared_data(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {'/'.join(parts)} is absent (looked beside the project in ../shared/data)")
    return path

ANSWERS = {"accepted", "request_for_information", "hold_for_screening", "do_not_load"}


def test_body_submission_answers_every_house_bill(svc: Svc) -> None:
    r = svc.submit("targeter", renamed(SAMPLE.read_bytes(), "T"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["format"] == "manifest-csv" and body["partner"] == "api"
    ids = [s["shipment_id"] for s in body["shipments"]]
    assert ids == ["TEX100001", "TEX100002", "TEX100003", "TEX100004", "TEX100005"]
    for s in body["shipments"]:
        assert s["answer"] in ANSWERS
        assert s["disposition"] in ("clear", "review", "exam", "hold")  # internal users see the recommendation
        assert (s["answer"] == "accepted") == (s["reason_codes"] == [])


def test_partner_submission_shows_answers_only(svc: Svc) -> None:
    files = {"file": ("upload.csv", renamed(SAMPLE.read_bytes(), "U"), "text/csv")}
    r = svc.client.post("/api/v1/manifests", files=files, headers=svc.h("acme"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["partner"] == "acme"
    for s in body["shipments"]:
        assert set(s) <= {"shipment_id", "hawb", "mawb", "postal_item_id", "answer", "reason_codes", "data_requested"}
    text = json.dumps(body)
    assert "ROUTE_" not in text and "VALUE_TOKEN" not in text


def test_partner_cannot_file_as_another_partner(svc: Svc) -> None:
    r = svc.client.post("/api/v1/manifests?partner=globex&filename=x.csv", content=renamed(SAMPLE.read_bytes(), "P"),
                        headers={**svc.h("acme"), "content-type": "text/csv"})
    assert r.status_code == 200 and r.json()["partner"] == "acme"


def test_bad_rows_come_back_as_rejects_and_good_rows_are_answered(svc: Svc) -> None:
    lines = SAMPLE.read_bytes().decode().splitlines()
    bad = "\n".join([lines[0], lines[1].replace("EX100001", "BAD1"), "BAD2,express,\"unterminated", ""]) + "\n"
    r = svc.submit("targeter", bad.encode())
    assert r.status_code == 200, r.text
    body = r.json()
    assert "BAD1" in [s["shipment_id"] for s in body["shipments"]]
    assert body["rejects"] and all(x["reason"] for x in body["rejects"])


@pytest.mark.parametrize("payload", [b"", b"   \n", b"\x00\x01\x02\x03binary\x00" * 10])
def test_unreadable_submissions_are_422_with_the_error_shape(svc: Svc, payload: bytes) -> None:
    r = svc.client.post("/api/v1/manifests", content=payload, headers={**svc.h("targeter"),
                                                                       "content-type": "application/octet-stream"})
    assert r.status_code == 422
    assert r.json()["error"]["message"]


@pytest.mark.shared_data
@pytest.mark.parametrize("parts", [
    ("formats", "synthetic", "ecommerce_manifest_synthetic.csv"),
    ("formats", "synthetic", "cn23_itmatt_item_synthetic.json"),
    ("formats", "synthetic", "xfzb_house_waybill_synthetic.xml"),
    ("formats", "synthetic", "xfhl_house_manifest_synthetic.xml"),
    ("formats", "iata_cargo_imp", "gumraq_fwb17.txt"),
    ("formats", "iata_cargo_imp", "gumraq_fhl5.txt"),
    ("formats", "iata_cargo_xml", "xFWB3_888-11111111.xml"),
    ("formats", "iata_cargo_xml", "onerecord_888-11111111.jsonld"),
])
def test_every_partner_format_is_accepted(svc: Svc, parts: tuple[str, ...]) -> None:
    path = shared_data(*parts)
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    r = svc.client.post("/api/v1/manifests", files=files, headers=svc.h("targeter"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["shipments"], body
    assert all(s["answer"] in ANSWERS for s in body["shipments"])


def test_the_same_submission_twice_is_unchanged_and_an_amendment_is_a_new_version(svc: Svc) -> None:
    data = renamed(SAMPLE.read_bytes(), "V")
    assert svc.submit("globex", data).status_code == 200
    assert svc.submit("globex", data).status_code == 200
    changed = data.replace(b"KEYBOARDS", b"KEYBOARD PARTS")
    assert svc.submit("globex", changed).status_code == 200
    detail = svc.client.get("/api/v1/shipments/globex/VEX100001", headers=svc.h("admin")).json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["items"][0]["description"] == "KEYBOARD PARTS"


@pytest.fixture
def small_uploads(svc: Svc) -> Iterator[int]:
    """The service's upload limit cut to a few kilobytes for one test."""
    st = svc.app.state.svc
    saved, st.max_upload_bytes = st.max_upload_bytes, 4000
    try:
        yield st.max_upload_bytes
    finally:
        st.max_upload_bytes = saved


def _multipart(file: bytes, boundary: str = "b0undary") -> tuple[bytes, str]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    return head + file + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    while total > 0:
        yield b"x" * min(size, total)
        total -= size


@pytest.mark.parametrize("route", ["/api/v1/manifests", "/submit"])
def test_a_streamed_body_without_length_is_counted_and_cut_at_the_limit(svc: Svc, small_uploads: int,
                                                                         route: str) -> None:
    head, ctype = _multipart(b"")
    chunks = itertools.chain([head[:-len(b"\r\n--b0undary--\r\n")]], _chunks(50 * 1024 * 1024))
    status, err, read = asgi_post(svc, route, {**svc.h("targeter"), "content-type": ctype}, chunks)
    assert status == 413 and err["error"]["code"] == "too_large"
    assert read <= small_uploads + MULTIPART_SLACK + 2 * 8192  # stopped at the limit, not at the end of 50 MB


def test_a_declared_length_over_the_limit_is_refused_before_reading(svc: Svc) -> None:
    headers = {**svc.h("targeter"), "content-type": "text/csv", "content-length": str(70 * 1024 * 1024)}
    status, err, read = asgi_post(svc, "/api/v1/manifests", headers, _chunks(70 * 1024 * 1024))
    assert status == 413 and err["error"]["code"] == "too_large"
    assert read == 0


@pytest.mark.parametrize(("payload", "ctype", "rejected"), [
    (b"[]", "application/json", True),  # a JSON manifest holding no shipment
    (b'{"shipments": [{"note": "no id"}]}', "application/json", True),
    (SAMPLE.read_bytes().splitlines()[0] + b"\n", "text/csv", False),  # the header and no row
    (b"\n".join(SAMPLE.read_bytes().splitlines()[:2]).replace(b"EX100001", b"") + b"\n", "text/csv", True),
])
def test_a_manifest_with_nothing_to_screen_is_422_with_its_rejects(svc: Svc, payload: bytes, ctype: str,
                                                                   rejected: bool) -> None:
    """Nothing screened is no answer to give (the CLI exits 2 there): 422, the rejects in details."""
    r = svc.client.post("/api/v1/manifests", content=payload, headers={**svc.h("targeter"), "content-type": ctype})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "nothing_screened" and "nothing was screened" in error["message"], error
    assert bool(error["details"]) == rejected and all(d["reason"] and d["kind"] for d in error["details"]), error


@pytest.mark.parametrize("query", ["format=no-such-format", "partner=Not%20A%20Code", "partner="])
def test_submission_parameters_outside_their_schema_are_refused(svc: Svc, query: str) -> None:
    r = svc.client.post(f"/api/v1/manifests?{query}", content=renamed(SAMPLE.read_bytes(), "Q"),
                        headers={**svc.h("targeter"), "content-type": "text/csv"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
