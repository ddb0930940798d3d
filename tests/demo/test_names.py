"""Generated parties are invented: no shipper name is a name on the OFAC SDN list."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from interdictor.demo.world import build_world

SDN = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sanctions" / "ofac-sdn.csv"

LEGAL = re.compile(
    r"\b(CO|COMPANY|LTD|LIMITED|LLC|INC|CORP|CORPORATION|GMBH|BV|SRL|SPA|SA|DE|CV|RL|PVT|SDN|BHD|KK|THE|HK|HONG KONG)\b"
)


def norm(name: str) -> str:
    text = re.sub(r"[^A-Z0-9 ]", " ", name.upper())
    return re.sub(r"\s+", " ", LEGAL.sub(" ", text)).strip()


@pytest.mark.shared_data
def test_no_generated_shipper_is_a_listed_name() -> None:
    if not SDN.exists():
        pytest.skip(
            "reference data sanctions/ofac-sdn.csv is absent (looked beside the project in ../shared/data)"
        )
    listed: set[str] = set()
    with SDN.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in [row["name"], *row["alternate_names"].split("; ")]:
                if name.strip():
                    listed.add(norm(name))
    world = build_world(13, 40_000, 0.01)  # ordinary population plus planted sellers and look-alikes
    names = set(world.shippers["name"]) | set(world.shippers["name_alt"])
    clashes = sorted(n for n in names if norm(n) in listed)
    assert not clashes, clashes[:10]
    assert len(names) > 1000
    assert np.all(world.industry >= 0)
