"""Every sample in ../shared/data/formats is read (skipped when the shared data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake_helpers import SHARED, run

from interdictor.intake import formats
from interdictor.intake.detect import detect

pytestmark = pytest.mark.shared_data

# sample -> (format, shipments expected at least, ids that must be there)
SAMPLES = {
    "iata_cargo_imp/gumraq_fwb17.txt": ("fwb", 5, {"555-64264793", "777-12345675"}),
    "iata_cargo_imp/gumraq_fhl5.txt": ("fhl", 13, {"618-12345675/AEI12345678", "057-04149994/U182306"}),
    "iata_cargo_imp/gumraq_ffm8.txt": ("ffm", 30, {"057-76215436", "172-00123056"}),
    "iata_cargo_xml/xFWB3_888-11111111.xml": ("xfwb", 1, {"888-11111111"}),
    "iata_cargo_xml/onerecord_888-11111111.jsonld": ("onerecord", 1, {"888-11111111"}),
    "synthetic/xfzb_house_waybill_synthetic.xml": ("xfzb", 1, {"999-12345675/EX000123"}),
    "synthetic/xfhl_house_manifest_synthetic.xml": ("xfhl", 2, {"999-12345675/EX000124"}),
    "synthetic/cn23_itmatt_item_synthetic.json": ("cn23-json", 1, {"CP000000010CN"}),
    "synthetic/ecommerce_manifest_synthetic.csv": ("ecommerce-items", 2, {"EX000123", "EX000124"}),
}


def _path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"shared sample {rel} absent")
    return path


@pytest.mark.parametrize("rel", sorted(SAMPLES))
def test_sample_is_detected_and_read(rel: str) -> None:
    fmt, at_least, ids = SAMPLES[rel]
    path = _path(rel)
    data = path.read_bytes()
    assert detect(data[:65536], path.name) == fmt
    r = run(formats.reader(fmt), data, source=path.name)
    assert len(r.ids) >= at_least
    assert ids <= set(r.ids)
    assert not r.rejects_of("message") and not r.rejects_of("row")
    for reject in r.rejects:  # the few field rejects name where and why
        assert reject.field and reject.reason and reject.shipment_id in r.ids
    assert all(raw.content for raw in r.raw)
    # every shipment points at its payload (a single-payload chunk may leave raw_of empty)
    assert set(r.raw_of) == set(r.ids) or len(r.raw) == 1


def test_sample_field_rejects_are_the_known_doubtful_values() -> None:
    r = run(formats.reader("cn23-json"), _path("synthetic/cn23_itmatt_item_synthetic.json").read_bytes())
    (reject,) = r.rejects
    assert "check digit" in reject.reason  # the synthetic S10 id's check digit is wrong (should be 4)
    r = run(formats.reader("ffm"), _path("iata_cargo_imp/gumraq_ffm8.txt").read_bytes())
    assert {x.field for x in r.rejects} == {"awb"}  # three sample AWBs fail the mod-7 check
