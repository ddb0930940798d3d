"""Typed configuration: every shipped YAML kind refuses a misspelt key, naming the file, the key and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from interdictor.intake.base import IntakeError
from interdictor.intake.mapping import load_profile, shipped_profiles
from interdictor.model import DISPOSITIONS
from interdictor.reference import data_path
from interdictor.reference.corridors import CorridorError, load_corridors
from interdictor.score.rules import Disposition, RuleSetError, load_ruleset_file, shipped_rulesets

RULES = "name: t\nversion: 1\nrules:\n  PARTY_SANCTIONED:\n    weight: 70\n"
PROFILE = "name: p\ncolumns:\n  shipment_id: [tracking_no]\n  item_description: product_name\n"
CORRIDORS = data_path("corridors.yaml").read_text(encoding="utf-8")


def _rules_dir(tmp: Path, text: str) -> Any:
    (tmp / "t-v1").mkdir()
    (tmp / "t-v1" / "core.yaml").write_text(RULES, encoding="utf-8")
    (tmp / "t-v1" / "goods.yaml").write_text(text.replace(RULES, "name: t\nversion: 1\nrules:\n"), encoding="utf-8")
    return load_ruleset_file(tmp / "t-v1")


def _file(name: str, load: Callable[[Path], Any]) -> Callable[[Path, str], Any]:
    def run(tmp: Path, text: str) -> Any:
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        return load(path)
    return run


KINDS: dict[str, tuple[Callable[[Path, str], Any], type[Exception], str, str]] = {
    # kind: (loader, error type, a valid document, the file name errors carry)
    "ruleset": (_file("rules.yaml", load_ruleset_file), RuleSetError, RULES, "rules.yaml"),
    "ruleset-fragment": (_rules_dir, RuleSetError, RULES + "  GOODS_X:\n    weight: 5\n", "goods.yaml"),
    "profile": (_file("partner.yaml", lambda p: load_profile(str(p))), IntakeError, PROFILE, "partner.yaml"),
    "corridors": (_file("corridors.yaml", load_corridors), CorridorError, CORRIDORS, "corridors.yaml"),
}

# kind, (text replaced, by), expected fragments of the message
CASES = [
    ("ruleset", ("    weight: 70\n", "    weight: 70\n    flor: exam\n"),
     ["rules.PARTY_SANCTIONED: unknown key 'flor'", "did you mean 'floor'?", "allowed: weight, description, floor"]),
    ("ruleset", ("rules:", "rulez:"), ["(top level): unknown key 'rulez'", "did you mean 'rules'?"]),
    ("ruleset", ("weight: 70", "weight: 170"), ["rules.PARTY_SANCTIONED.weight", "100", "got 170"]),
    ("ruleset", ("weight: 70", "weight: 70\n    floor: jail"), ["rules.PARTY_SANCTIONED.floor", "'exam'", "got 'jail'"]),
    ("ruleset", ("version: 1", "version: '1'"), ["version:", "integer"]),
    ("ruleset-fragment", ("    weight: 5\n", "    wieght: 5\n"),
     ["rules.GOODS_X: unknown key 'wieght'", "did you mean 'weight'?", "rules.GOODS_X.weight: missing"]),
    ("profile", ("columns:", "colums:"), ["(top level): unknown key 'colums'", "did you mean 'columns'?"]),
    ("profile", ("  item_description:", "  item_descripton:"),
     ["columns.item_descripton", "not a manifest column", "did you mean 'item_description'?"]),
    ("profile", ("columns:", "concat:\n  routing: {columns: [a, b], sepp: '-'}\ncolumns:"),
     ["concat.routing: unknown key 'sepp'", "did you mean 'sep'?", "allowed: columns, sep"]),
    ("profile", ("[tracking_no]", "[]"), ["columns.shipment_id", "at least 1"]),
    ("corridors", ("    exam_budget_per_day: 250\n", "    exam_budget_per_dy: 250\n"),
     ["corridors[0]: unknown key 'exam_budget_per_dy'", "did you mean 'exam_budget_per_day'?"]),
    ("corridors", ("      iata: [SAN, CXL, TIJ]", "      iatta: [SAN, CXL, TIJ]"),
     ["corridors[0].ports: unknown key 'iatta'", "did you mean 'iata'?", "allowed: cbp, iata, unlocode"]),
    ("corridors", ("  thresholds: {review: 35, exam: 60, hold: 85}\n  exam_budget_per_day: 1000",
                   "  thresholds: {review: 35, exam: 60, hold: 85, holdd: 90}\n  exam_budget_per_day: 1000"),
     ["default.thresholds: unknown key 'holdd'", "did you mean 'hold'?"]),
    ("corridors", ("{review: 35, exam: 60, hold: 85}\n    exam_budget_per_day: 250",
                   "{review: 70, exam: 60, hold: 85}\n    exam_budget_per_day: 250"),
     ["corridors[0].thresholds", "review <= exam"]),
]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_valid_document_of_each_kind_loads(kind: str, tmp_path: Path) -> None:
    load, _, valid, _ = KINDS[kind]
    assert load(tmp_path, valid) is not None


@pytest.mark.parametrize(("kind", "change", "expected"), CASES, ids=[f"{c[0]}:{c[1][1].strip()[:30]}" for c in CASES])
def test_a_wrong_key_or_value_is_an_error_naming_file_key_and_fix(
        kind: str, change: tuple[str, str], expected: list[str], tmp_path: Path) -> None:
    load, error, valid, filename = KINDS[kind]
    assert change[0] in valid, "the case must change the valid document"
    with pytest.raises(error) as caught:
        load(tmp_path, valid.replace(change[0], change[1], 1))
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message, message
    assert all(line.split(": ", 1)[0].endswith(filename) for line in message.splitlines()), message


def test_every_problem_of_every_fragment_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "x-v1").mkdir()
    (tmp_path / "x-v1" / "a.yaml").write_text("name: x\nversion: 1\nrules:\n  A: {weight: 1, flor: exam}\n")
    (tmp_path / "x-v1" / "b.yaml").write_text("rules:\n  B: {weight: 1, capp: review}\n")
    with pytest.raises(RuleSetError) as caught:
        load_ruleset_file(tmp_path / "x-v1")
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == ["rules.A", "rules.B"]
    assert lines[0].split(": ")[0].endswith("a.yaml") and lines[1].split(": ")[0].endswith("b.yaml")


def test_every_shipped_file_loads() -> None:
    assert shipped_rulesets() and all(rs.rules for rs in shipped_rulesets())
    profiles = shipped_profiles()
    assert {"ecommerce-items", "section321-legacy", "crossborder-clearance"} <= set(profiles)
    assert all(p.columns for p in profiles.values())
    corridors = load_corridors()
    assert corridors.corridors and all(c.ports for c in corridors.corridors)
    raw = yaml.safe_load(CORRIDORS)
    assert [c.name for c in corridors.corridors] == [c["name"] for c in raw["corridors"]]


def test_the_disposition_type_is_the_models_list() -> None:
    assert get_args(Disposition) == DISPOSITIONS
