"""Typed configuration: every shipped YAML kind refuses a misspelt key, naming the file, the key and the fix."""

from __future__ import annotations

import fnmatch
import shutil
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import BaseModel

import interdictor
from interdictor.demo import sources
from interdictor.demo.schema import DEMO_MODELS
from interdictor.intake.base import IntakeError
from interdictor.intake.mapping import ProfileDoc, load_profile, shipped_profiles
from interdictor.model import DISPOSITIONS
from interdictor.reference import data_path
from interdictor.reference.corridors import CorridorError, CorridorsDoc, load_corridors
from interdictor.reference.kb import FILES as KB_FILES
from interdictor.reference.kb import SAFE_LOADER, KnowledgeBaseError, load_kb_from
from interdictor.reference.kb.schema import KB_MODELS
from interdictor.reference.watchlists.severity import ProgramsDoc, ProgramsError, ProgramSeverity
from interdictor.score.rules import (
    Disposition,
    RuleSetError,
    RuleSetFragment,
    load_ruleset_file,
    shipped_rulesets,
)
from interdictor.screen.goods import profiles as goods_profiles
from interdictor.screen.parties import addresses, vocab
from interdictor.screen.parties.addresses import AddressesDoc
from interdictor.screen.parties.vocab import VocabDoc
from interdictor.typed_config import parse_as

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


# ---------------------------------------------------------------------- every other shipped YAML kind
PACKAGE = Path(interdictor.__file__).parent


def _kb(name: str) -> Callable[[Path, pytest.MonkeyPatch], Any]:
    def run(tmp: Path, _mp: pytest.MonkeyPatch) -> Any:
        for other in KB_FILES:  # the knowledge base loads its five files together
            if not (tmp / other).exists():
                shutil.copy(PACKAGE / "reference" / "kb" / other, tmp / other)
        return load_kb_from(tmp)
    return run


def _clear_caches() -> None:
    """The cached loaders read their file again."""
    for f in (addresses.default_rules, vocab.default_raw, sources.load):
        f.cache_clear()


def _resources(module: Any, load: Callable[[], Any]) -> Callable[[Path, pytest.MonkeyPatch], Any]:
    """Call ``load`` with ``module`` reading its package data from the test's directory."""
    def run(tmp: Path, mp: pytest.MonkeyPatch) -> Any:
        mp.setattr(module, "resources", types.SimpleNamespace(files=lambda _package: tmp))
        _clear_caches()
        return load()
    return run


def _priors(tmp: Path, mp: pytest.MonkeyPatch) -> Any:
    return _resources(goods_profiles, goods_profiles.load_priors)(tmp, mp)


def _addresses(tmp: Path, mp: pytest.MonkeyPatch) -> Any:
    return _resources(addresses, addresses.default_rules)(tmp, mp)


def _vocab(tmp: Path, mp: pytest.MonkeyPatch) -> Any:
    return _resources(vocab, vocab.default_raw)(tmp, mp)


def _demo(name: str) -> Callable[[Path, pytest.MonkeyPatch], Any]:
    return lambda tmp, mp: _resources(sources, lambda: sources.load(name))(tmp, mp)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """The cached loaders read the shipped files again after a test that gave them others."""
    yield
    _clear_caches()


# demo file: the mapping to misspell a key of, the key and its misspelling, where the error must say
DEMO_CASES: list[tuple[str, tuple[str | int, ...], tuple[str, str], str]] = [
    ("commodities", ("families", 0), ("unit_kg", "unit_kgs"), "families[0 id=tshirt]"),
    ("origins", ("types", "marketplace"), ("modes", "mode"), "types.marketplace"),
    ("people", (), ("first_names", "firstnames"), "(top level)"),
    ("places", ("border", 0), ("streets", "street"), "border[0]"),
    ("seeded", ("decoys", "flavour"), ("usd_per_kg", "usd_per_kilo"), "decoys.flavour"),
    ("transport", ("airlines", "781"), ("from", "form"), "airlines.781"),
]

# kind: (shipped file under src/interdictor, where the loader reads it in the test's directory, the loader,
#        its error, the mapping to misspell a key of, the key and its misspelling, where the error must say)
SHIPPED: dict[str, tuple[str, str, Callable[[Path, pytest.MonkeyPatch], Any], type[Exception],
                         tuple[str | int, ...], tuple[str, str], str]] = {
    "kb-substances": ("reference/kb/substances.yaml", "substances.yaml", _kb("substances.yaml"), KnowledgeBaseError,
                      ("substances", 0, "control", 0), ("unverified", "unverifed"), "substances[0 id=npp].control[0]"),
    "kb-equipment": ("reference/kb/equipment.yaml", "equipment.yaml", _kb("equipment.yaml"), KnowledgeBaseError,
                     ("equipment", 0, "models"), ("strong_series", "strong_serie"),
                     "equipment[0 id=tablet_press].models"),
    "kb-hs": ("reference/kb/hs.yaml", "hs.yaml", _kb("hs.yaml"), KnowledgeBaseError,
              ("headings", "2933.36"), ("substance", "substence"), "headings.2933.36"),
    "kb-lexicon": ("reference/kb/lexicon.yaml", "lexicon.yaml", _kb("lexicon.yaml"), KnowledgeBaseError,
                   ("classes", "apparel"), ("chapters", "chapter"), "classes.apparel"),
    "kb-structure": ("reference/kb/structure.yaml", "structure.yaml", _kb("structure.yaml"), KnowledgeBaseError,
                     ("similarity",), ("review", "reveiw"), "similarity"),
    "kb-profiles": ("reference/kb/profiles.yaml", "profiles.yaml", _priors, KnowledgeBaseError,
                    ("profiles", "29"), ("kg_per_piece", "kg_per_pieces"), "profiles.29"),
    "programs": ("reference/watchlists/data/programs.yaml", "programs.yaml",
                 lambda tmp, _mp: ProgramSeverity.load(tmp / "programs.yaml"), ProgramsError,
                 ("severity",), ("lookout", "lookouts"), "severity"),
    "party-addresses": ("screen/parties/data/addresses.yaml", "data/addresses.yaml", _addresses, ValueError,
                        (), ("virtual_office", "virtual_ofice"), "(top level)"),
    "party-vocab": ("screen/parties/data/vocab.yaml", "data/vocab.yaml", _vocab, ValueError,
                    (), ("countries_as_places", "countries_as_place"), "(top level)"),
    **{f"demo-{name}": (f"demo/data/{name}.yaml", f"data/{name}.yaml", _demo(name), ValueError, at, keys, where)
       for name, at, keys, where in DEMO_CASES},
}


def _misspell(doc: Any, at: tuple[str | int, ...], old: str, new: str) -> None:
    for step in at:
        doc = doc[step]
    assert old in doc, f"the shipped file has no {old!r} at {at}: the case must be moved"
    doc[new] = doc.pop(old)


@pytest.mark.parametrize("kind", sorted(SHIPPED))
def test_a_misspelt_key_in_a_shipped_file_is_an_error_naming_file_and_key(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped, placed, load, error, at, (old, new), where = SHIPPED[kind]
    (tmp_path / placed).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / placed).write_bytes((PACKAGE / shipped).read_bytes())
    assert load(tmp_path, monkeypatch) is not None, "the shipped file, as the loader reads it in the test"
    doc = yaml.safe_load((PACKAGE / shipped).read_text(encoding="utf-8"))
    _misspell(doc, at, old, new)
    (tmp_path / placed).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(error) as caught:
        load(tmp_path, monkeypatch)
    message = str(caught.value)
    filename = Path(shipped).name
    assert f"{filename}: {where}: unknown key {new!r} — did you mean {old!r}?" in message, message
    assert "allowed: " in message, message
    assert all(line.split(": ", 1)[0].endswith(filename) for line in message.splitlines()), message


# every YAML file the package ships, by the model its loader reads it with
KB_MODELS_BY_PATH = {f"reference/kb/{name}": model for name, model in KB_MODELS.items()}
DEMO_BY_PATH = {f"demo/data/{name}.yaml": model for name, model in DEMO_MODELS.items()}
COVERED: list[tuple[str, type[BaseModel]]] = [
    *KB_MODELS_BY_PATH.items(),
    *DEMO_BY_PATH.items(),
    ("reference/data/corridors.yaml", CorridorsDoc),
    ("reference/watchlists/data/programs.yaml", ProgramsDoc),
    ("screen/parties/data/addresses.yaml", AddressesDoc),
    ("screen/parties/data/vocab.yaml", VocabDoc),
    ("intake/profiles/*.yaml", ProfileDoc),
    ("score/rulesets/*/*.yaml", RuleSetFragment),
]


def _model_of(relative: str) -> type[BaseModel] | None:
    return next((model for pattern, model in COVERED if fnmatch.fnmatchcase(relative, pattern)), None)


SHIPPED_YAML = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.yaml"))


def test_every_shipped_yaml_file_is_walked() -> None:
    # the kinds above must each be found by the walk (else the walk, not the files, is wrong)
    assert {s[0] for s in SHIPPED.values()} <= set(SHIPPED_YAML)
    assert any(p.startswith("score/rulesets/") for p in SHIPPED_YAML)


@pytest.mark.parametrize("relative", SHIPPED_YAML)
def test_every_shipped_yaml_file_has_a_strict_model(relative: str) -> None:
    model = _model_of(relative)
    assert model is not None, f"{relative}: a YAML kind without a strict model (add one, and a case to SHIPPED)"
    assert model.model_config.get("extra") == "forbid", f"{relative}: {model.__name__} must forbid unknown keys"
    raw = yaml.load((PACKAGE / relative).read_bytes(), Loader=SAFE_LOADER)
    parse_as(model, raw, relative, ValueError)
    with pytest.raises(ValueError, match="unknown key 'not_a_key'"):
        parse_as(model, {**raw, "not_a_key": 1}, relative, ValueError)


# a document (YAML), and what the error says — or None when it loads
VALUES = [
    ("stop: [the, on]", "vocab.yaml: stop[1]: Input should be a valid string (got True: YAML reads an unquoted no"),
    ("legal: {ltd: [limited, off]}", "vocab.yaml: legal.ltd[1]: Input should be a valid string (got False"),
    ("stop: [the, 'on']", None),
    ("countries_not_places: [1990, 2.5]", None),  # numbers YAML read as such are the words written
    ("stop: {_plain: [the]}\nparticle: [al]", None),  # a kind is a list or a mapping of lists
    ("stop: 5", "vocab.yaml: stop: Input should be a mapping or a list (got 5)"),
    ("stop: {the: {a: b}}", "vocab.yaml: stop.the: Input should be a valid tuple"),
]


@pytest.mark.parametrize(("text", "says"), VALUES, ids=[v[0] for v in VALUES])
def test_values_are_checked_and_named_without_pydantic_internals(text: str, says: str | None) -> None:
    raw = yaml.safe_load(text)
    if says is None:
        parse_as(VocabDoc, raw, "vocab.yaml", ValueError)
        return
    with pytest.raises(ValueError) as caught:
        parse_as(VocabDoc, raw, "vocab.yaml", ValueError)
    message = str(caught.value)
    assert says in message, message
    assert "<" not in message and "function-before" not in message, message  # no union tag in the path
