"""Text findings remembered per description are the findings of a fresh scan, whatever batch, position
or neighbours the description comes with."""

from __future__ import annotations

import polars as pl

from interdictor.reference.kb import load_kb
from interdictor.screen.goods.artefacts import build
from interdictor.screen.goods.text import _scan_text, make_views, scan_text

BATCHES = [
    ["phone case", "CAPSULE FILLING MACHINE", "N-phenethyl-4-piperidone 99%"],
    ["x", "y", "CAPSULE FILLING MACHINE", "tablet press", "pehnethyl bromide", "phone case"],
    ["tablet press", "NPP", "4-AP powder", "garlic press", "N-phenethyl-4-piperidone 99%"],
]


def _rows(frame: pl.DataFrame) -> set[tuple[object, ...]]:
    return set(frame.iter_rows())


def test_remembered_findings_equal_a_fresh_scan() -> None:
    compiled = build(load_kb()).compiled  # a context of its own: nothing remembered yet
    for descriptions in BATCHES:
        views = make_views(pl.Series(descriptions))
        assert _rows(scan_text(views, compiled)) == _rows(_scan_text(views, compiled))
    assert len(compiled.findings) == len({d for b in BATCHES for d in b})
