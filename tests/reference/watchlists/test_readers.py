from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interdictor.reference.watchlists import curated_list, read_list
from interdictor.reference.watchlists.ofac import split_city_line
from interdictor.reference.watchlists.readers import ListFormatError, sniff

from .conftest import FIXTURES, SHARED


def by_uid(wl):  # type: ignore[no-untyped-def]
    return {e.uid: e for e in wl.entries}


def test_sniff_formats() -> None:
    assert sniff(FIXTURES / "sdn_shared.csv") == "ofac-csv"
    assert sniff(FIXTURES / "official" / "SDN.CSV") == "ofac-official"
    assert sniff(FIXTURES / "sdn.xml") == "ofac-xml"
    assert sniff(FIXTURES / "ftm.jsonl") == "ftm"
    assert sniff(FIXTURES / "lookouts.csv") == "custom"


def test_shared_shape_with_address_file(tmp_path: Path) -> None:
    # the address file beside the list is picked up by its name
    shutil.copy(FIXTURES / "sdn_shared.csv", tmp_path / "ofac-sdn.csv")
    shutil.copy(FIXTURES / "ofac-add.csv", tmp_path / "ofac-add.csv")
    wl = read_list(tmp_path / "ofac-sdn.csv")
    e = by_uid(wl)
    assert wl.fmt == "ofac-csv" and len(wl.entries) == 5
    assert e["90380"].programs == ("ILLICIT-DRUGS-EO14059",)
    assert e["90380"].aliases[0].name == "SHIJIAZHUANG FA KE TRADING COMPANY"
    assert e["90380"].addresses[0].postal_code == "050000"
    assert e["90380"].addresses[0].city == "Shijiazhuang"
    assert e["99002"].programs == ("NPWMD", "IFSR")
    assert e["99001"].kind == "vessel"
    assert e["90401"].kind == "individual"
    # the row without a uid and the garbage address line are reported, not fatal
    assert any(p.field == "uid" for p in wl.problems)
    assert any("entry number" in p.reason for p in wl.problems)


def test_official_trio() -> None:
    wl = read_list(FIXTURES / "official" / "SDN.CSV")
    e = by_uid(wl)
    assert wl.fmt == "ofac-official" and set(e) == {"90380", "90401", "99002"}
    assert e["99002"].programs == ("NPWMD", "IFSR")
    assert e["90380"].emails == ("sales@guanlang-bio.example",)
    assert e["90380"].phones == ("86-311-5555-0100",)
    assert e["90380"].addresses[0].country == "China"
    assert e["90401"].countries == ("China",)
    aliases = {a.name: a.weak for a in e["90401"].aliases}
    assert aliases == {"DU, Chang Gen": False, "DU BOSS": True}


def test_official_folder(tmp_path: Path) -> None:
    for f in (FIXTURES / "official").iterdir():
        shutil.copy(f, tmp_path / f.name.lower())
    wl = read_list(tmp_path)
    assert len(wl.entries) == 3


def test_sdn_xml() -> None:
    wl = read_list(FIXTURES / "sdn.xml")
    e = by_uid(wl)
    assert wl.published == "10/03/2023"
    assert e["90406"].name == "WANG, Shucheng" and e["90406"].kind == "individual"
    assert e["90403"].emails == ("xiuna@example.test",)
    assert e["90403"].phones == ("+86 311 5555 0199",)
    assert [a.weak for a in e["90403"].aliases] == [False, True]
    assert e["90403"].addresses[0].address == "No. 12 Jiefang Road"
    assert len(wl.problems) == 1  # the entry without uid


def test_xml_entities_are_not_expanded(tmp_path: Path) -> None:
    evil = tmp_path / "evil.xml"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<sdnList><sdnEntry><uid>1</uid><lastName>&e;</lastName></sdnEntry></sdnList>"
    )
    wl = read_list(evil)
    assert all("root:" not in e.name for e in wl.entries)


def test_ftm_flat_and_nested() -> None:
    wl = read_list(FIXTURES / "ftm.jsonl")
    e = by_uid(wl)
    assert set(e) == {"os-xiuna", "os-du"}
    x = e["os-xiuna"]
    assert x.programs == ("US-ILLICIT-DRUGS-EO14059",)
    assert x.addresses[0].postal_code == "050000"
    assert [a.weak for a in x.aliases] == [False, True]
    assert e["os-du"].programs == ("US-ILLICIT-DRUGS-EO14059",) and e["os-du"].kind == "individual"
    reasons = " ".join(p.reason for p in wl.problems)
    assert "not JSON" in reasons and "no name" in reasons


def test_custom_lookouts() -> None:
    wl = read_list(FIXTURES / "lookouts.csv", list_id="lookout-internal")
    e = by_uid(wl)
    assert e["L1"].name == "Border Freight Solutions LLC"
    assert e["L1"].phones == ("+1 (619) 555-0142",) and e["L1"].emails == ("ops@bfs-freight.example",)
    assert e["L1"].addresses[0].postal_code == "92154"
    assert e["L2"].name == "" and e["L2"].phones == ("86 138 0013 8000",)
    assert any(x.name == "Indicted Trading Co" for x in wl.entries)  # no id: one is made
    assert any(p.line == 5 for p in wl.problems)  # the empty row


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError):
        read_list(tmp_path / "nope.csv")
    with pytest.raises(ListFormatError, match="unknown list format"):
        read_list(FIXTURES / "lookouts.csv", "pdf")


def test_city_line() -> None:
    assert split_city_line("Wuhan, Hubei Province 430000") == ("Wuhan", "Hubei Province", "430000")
    assert split_city_line("Tokyo 103") == ("Tokyo", None, "103")
    assert split_city_line("-0- ") == (None, None, None)


def test_curated_list_names_the_october_2023_suppliers() -> None:
    names = {e.name for e in curated_list().entries}
    for published in (
        "Hubei Vast Chemical Co., Limited",
        "Hebei Guanlang Biotechnology Co., Limited",
        "Hebei Xiuna Trading Co., LTD",
        "Shanghai Jarred Industrial Co., LTD",
        "DU, Changgen",
    ):
        assert published in names


@pytest.mark.shared_data
def test_shared_sdn_file() -> None:
    path = SHARED / "sanctions" / "ofac-sdn.csv"
    if not path.exists():
        pytest.skip(f"OFAC SDN file absent ({path})")
    wl = read_list(path)
    assert len(wl.entries) > 15_000 and not [p for p in wl.problems if p.field != "uid"]
    e = by_uid(wl)
    assert "ILLICIT-DRUGS-EO14059" in e["45403"].programs
    assert e["45403"].addresses  # ADD.CSV beside it was read
