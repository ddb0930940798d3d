"""Profiles through the API are names, never paths: anything else gets one answer, and no file is read or echoed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interdictor.intake import mapping
from interdictor.store.profiles import add_profile

from .conftest import Svc

PARTNER_CSV = (b"acme_ref,acme_goods,acme_from,acme_to,acme_hs\n"
               b"PRF1,BOOKS,EXAMPLE SHOP,JOHN EXAMPLE,490199\nPRF2,TOYS,EXAMPLE SHOP,JANE EXAMPLE,950300\n")
PROFILE = """name: acme-stored
description: Acme's own export
columns:
  shipment_id: acme_ref
  item_description: acme_goods
  shipper_name: acme_from
  consignee_name: acme_to
  hs_code: acme_hs
defaults: {mode: express}
"""
SECRET = 'token: "AKIAEXAMPLESECRET0001"\n'


def _post(svc: Svc, who: str, profile: str, data: bytes = PARTNER_CSV) -> Any:
    return svc.client.post("/api/v1/manifests", params={"profile": profile, "filename": "p.csv"}, content=data,
                           headers={**svc.h(who), "content-type": "text/csv"})


@pytest.fixture()
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _not_names(secret: Path) -> list[str]:
    depth = "../" * (len(Path.cwd().parts) + 2)
    return [
        str(secret),  # an absolute path to a file that exists
        str(secret.with_name("absent.yaml")),  # ... and one that does not
        f"{depth}{str(secret).lstrip('/')}",  # a relative path climbing to it
        "../../../../etc/passwd", "..", ".", "/", "secrets.yaml", "ecommerce-items.yaml", "ecommerce-items.yml",
        "./ecommerce-items", "profiles/ecommerce-items", "ECOMMERCE-ITEMS", "-leading-dash", "a" * 65,
        "name with space", "café", "acme%2F..%2Fsecrets", "no-such-profile",
    ]


def test_anything_but_a_known_name_gets_one_identical_answer(svc: Svc, secret_file: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def no_files(*_a: object, **_k: object) -> None:
        raise AssertionError("the API must not load a profile from a path")

    monkeypatch.setattr(mapping, "load_profile", no_files)
    answers = {}
    for name in _not_names(secret_file):
        for who in ("acme", "targeter"):
            r = _post(svc, who, name)
            answers[(name, who)] = (r.status_code, r.text)
            assert "AKIA" not in r.text and str(secret_file.parent) not in r.text
    assert len(set(answers.values())) == 1, answers
    status, text = next(iter(answers.values()))
    assert status == 404 and "unknown profile" in text and "unknown_profile" in text


def test_a_stored_profile_is_used_by_name(svc: Svc) -> None:
    store = svc.app.state.svc.store
    with store.begin() as conn:
        add_profile(conn, PROFILE, "acme.yaml", "test")
    r = _post(svc, "acme", "acme-stored")
    assert r.status_code == 200, r.text
    assert sorted(s["shipment_id"] for s in r.json()["shipments"]) == ["PRF1", "PRF2"]
    # through another profile the same bytes have no shipment id column: nothing is screened
    other = _post(svc, "acme", "ecommerce-items")
    assert not [s for s in other.json().get("shipments", []) if s["shipment_id"].startswith("PRF")], other.text


def test_a_shipped_profile_is_used_by_name(svc: Svc) -> None:
    data = (b"mawb,hawb_or_tracking,shipper_name,consignee_name,item_description,hs_code,quantity\n"
            b"176-12345675,SHP1,A,B,DIE SET,820730,1\n")
    r = _post(svc, "targeter", "ecommerce-items", data)
    assert r.status_code == 200, r.text
    assert [s["shipment_id"] for s in r.json()["shipments"]] == ["SHP1"]
