"""Shipped rule sets: valid, versioned, and every reason code a detector emits is documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from interdictor.score.rules import dump_ruleset, load_ruleset, parse_ruleset, shipped_rulesets

SRC = Path(__file__).resolve().parents[2] / "src" / "interdictor"


def emitted_codes() -> set[str]:
    """Reason codes written as string literals in the detectors and the screening pass."""
    codes: set[str] = set()
    pattern = re.compile(r"[\"']((?:ROUTE|VALUE|WEIGHT|DATA|SHIPMENT|GOODS|EQUIP|LICENCE|PARTY|ADDRESS)_[A-Z0-9_]+)[\"']")
    for path in [*(SRC / "screen").rglob("*.py"), *(SRC / "screening").rglob("*.py")]:
        codes |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return codes


def test_shipped_rulesets_load_and_have_unique_versions() -> None:
    sets = shipped_rulesets()
    assert sets
    labels = [r.label for r in sets]
    assert len(labels) == len(set(labels))


def test_every_emitted_code_is_documented_in_the_default_ruleset() -> None:
    rs = load_ruleset("default")
    missing = sorted(c for c in emitted_codes() if c not in rs.rules)
    assert not missing, f"reason codes without a rule: {missing}"
    undocumented = sorted(c for c, r in rs.rules.items() if len(r.description) < 20)
    assert not undocumented, undocumented


def test_partner_codes_name_no_rule_or_list() -> None:
    rs = load_ruleset("default")
    for code, rule in rs.rules.items():
        if rule.partner_code:
            assert not re.search(r"OFAC|SDN|SANCTION|WATCHLIST|SCORE|RULE", rule.partner_code), code


def test_export_round_trips() -> None:
    rs = load_ruleset("default")
    again = parse_ruleset(yaml.safe_load(dump_ruleset(rs)))
    assert again == rs
