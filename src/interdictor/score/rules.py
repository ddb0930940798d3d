"""Rule sets: versioned data mapping reason codes to weights, floors and caps.

A rule set that ships is never edited in place; a new version is a new
directory ``<name>-v<N>/`` of YAML fragments (one per intelligence area, merged:
``core.yaml``, ``goods.yaml``, ...) or a single exported file ``<name>-v<N>.yaml``.  The store keeps every version it has used so each
assessment can name the rule set and version that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, StrictInt

from interdictor.typed_config import Strict, parse_as

RULESET_PACKAGE = "interdictor.score.rulesets"


@dataclass(frozen=True)
class Rule:
    code: str
    weight: float
    description: str
    floor: str | None = None  # at least this disposition when the reason fires
    cap: str | None = None  # at most this disposition when the reason fires
    partner_code: str | None = None  # partner-safe reason code for referrals


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: int
    rules: dict[str, Rule] = field(default_factory=dict)
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}-v{self.version}"

    def weight(self, code: str, proposed: float) -> float:
        rule = self.rules.get(code)
        return rule.weight if rule is not None else proposed


class RuleSetError(ValueError):
    pass


Disposition = Literal["clear", "review", "exam", "hold"]  # model.DISPOSITIONS (a test holds them equal)


class RuleSpec(Strict):
    """One rule of a rule-set file."""

    weight: float = Field(ge=0, le=100, allow_inf_nan=False)
    description: str = ""
    floor: Disposition | None = None
    cap: Disposition | None = None
    partner_code: str | None = None


class RuleSetFragment(Strict):
    """One YAML file of a rule set (a fragment of a directory, or the whole exported set)."""

    name: str | None = Field(default=None, min_length=1)
    version: StrictInt | None = Field(default=None, ge=1)
    description: str | None = None
    rules: dict[str, RuleSpec] | None = None


class RuleSetDoc(RuleSetFragment):
    """A whole rule set: name and version are required."""

    name: str = Field(min_length=1)
    version: StrictInt = Field(ge=1)


def parse_ruleset(raw: dict[str, Any], source: str = "<data>") -> RuleSet:
    doc = parse_as(RuleSetDoc, raw, source, RuleSetError)
    rules = {code: Rule(code=code, weight=spec.weight, description=spec.description, floor=spec.floor, cap=spec.cap,
                        partner_code=spec.partner_code)
             for code, spec in (doc.rules or {}).items()}
    return RuleSet(name=doc.name, version=doc.version, rules=rules, description=doc.description or "")


def _checked_fragments(fragments: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Each fragment checked on its own, so an error names the file it is in; every file's problems at once."""
    found: list[str] = []
    for source, frag in fragments:
        try:
            parse_as(RuleSetFragment, frag, source, RuleSetError)
        except RuleSetError as exc:
            found.append(str(exc))
    if found:
        raise RuleSetError("\n".join(found))
    return fragments


def merge_fragments(fragments: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Merge YAML fragments of one rule set; a code defined twice is an error."""
    merged: dict[str, Any] = {"rules": {}}
    seen: dict[str, str] = {}
    for source, frag in fragments:
        for key in ("name", "version", "description"):
            if key in frag:
                if key in merged and merged[key] != frag[key] and key != "description":
                    raise RuleSetError(f"{source}: {key} {frag[key]!r} differs from {merged[key]!r}")
                merged[key] = frag[key]
        for code, spec in (frag.get("rules") or {}).items():
            if code in seen:
                raise RuleSetError(f"rule {code} is defined in both {seen[code]} and {source}")
            seen[code] = source
            merged["rules"][code] = spec
    return merged


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, dict):
        raise RuleSetError(f"{source}: expected a mapping at the top level")
    return raw


def load_ruleset_file(path: Path) -> RuleSet:
    """A rule set from one YAML file or a directory of fragments."""
    if path.is_dir():
        frags = [(str(p), _read_yaml(p.read_text(encoding="utf-8"), str(p))) for p in sorted(path.glob("*.yaml"))]
        return parse_ruleset(merge_fragments(_checked_fragments(frags)), str(path))
    return parse_ruleset(_read_yaml(path.read_text(encoding="utf-8"), str(path)), str(path))


def dump_ruleset(rs: RuleSet) -> str:
    """One YAML document: the import/export format of a rule set version."""
    rules = {}
    for code, r in sorted(rs.rules.items()):
        spec: dict[str, Any] = {"weight": r.weight, "description": r.description}
        for key in ("floor", "cap", "partner_code"):
            if getattr(r, key):
                spec[key] = getattr(r, key)
        rules[code] = spec
    doc = {"name": rs.name, "version": rs.version, "description": rs.description, "rules": rules}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def shipped_rulesets() -> list[RuleSet]:
    out = []
    for entry in resources.files(RULESET_PACKAGE).iterdir():
        name = entry.name
        if entry.is_dir() and not name.startswith(("_", ".")):
            frags = sorted(
                ((f"{name}/{f.name}", f) for f in entry.iterdir() if f.name.endswith(".yaml")),
                key=lambda t: t[0],
            )
            raw = merge_fragments(_checked_fragments(
                [(src, _read_yaml(f.read_text(encoding="utf-8"), src)) for src, f in frags]))
            out.append(parse_ruleset(raw, name))
        elif name.endswith(".yaml"):
            out.append(parse_ruleset(_read_yaml(entry.read_text(encoding="utf-8"), name), name))
    return sorted(out, key=lambda r: (r.name, r.version))


def load_ruleset(name: str = "default", version: int | None = None) -> RuleSet:
    """The shipped rule set ``name`` at ``version`` (latest when None)."""
    candidates = [r for r in shipped_rulesets() if r.name == name]
    if version is not None:
        candidates = [r for r in candidates if r.version == version]
    if not candidates:
        known = sorted({r.label for r in shipped_rulesets()})
        raise RuleSetError(f"no shipped rule set {name!r} version {version}; known: {', '.join(known)}")
    return candidates[-1]
