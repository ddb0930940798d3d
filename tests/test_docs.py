"""Docs that cannot drift: settings and reason codes are documented, generated docs are current.

This test only reads: a missing or stale generated document fails, naming the command that
regenerates it (``python -m interdictor.devdocs``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interdictor import devdocs
from interdictor.score.rules import load_ruleset
from interdictor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "interdictor"
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = r"(?:ROUTE|VALUE|WEIGHT|DATA|SHIPMENT|GOODS|EQUIP|LICENCE|PARTY|ADDRESS|MODEL)_[A-Z0-9_]+"
# hand-written docs: README and docs/*.md, not the generated ones
WRITTEN = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md")
                                       if p.name not in devdocs.GENERATORS)]


def env_name(field: str) -> str:
    return f"INTERDICTOR_{field.upper()}"


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [env_name(name) for name in Settings.model_fields if env_name(name) not in README]
    assert not missing, f"settings missing from README: {missing}"
    undescribed = [n for n, f in Settings.model_fields.items() if not f.description]
    assert not undescribed, f"settings without a description: {undescribed}"


def test_the_readme_settings_table_names_only_settings() -> None:
    rows = re.findall(r"^\| `(INTERDICTOR_[A-Z0-9_]+)` \|", README, flags=re.M)
    assert rows, "README has no settings table"
    unknown = sorted(set(rows) - {env_name(n) for n in Settings.model_fields})
    assert not unknown, f"README's settings table names variables that are not settings: {unknown}"


def emitted_codes() -> set[str]:
    """Reason codes written as string literals where reasons are made: the detectors and the
    screening pass (``screening/``)."""
    paths = [*(SRC / "screen").rglob("*.py"), *(SRC / "screening").rglob("*.py")]
    pattern = re.compile(rf"[\"']({CODE})[\"']")
    return {c for p in paths for c in pattern.findall(p.read_text(encoding="utf-8"))}


def test_every_emitted_reason_code_has_a_meaning() -> None:
    """`interdictor rules` documents each code from the rule set: every code a detector emits is there."""
    rules = load_ruleset("default").rules
    codes = emitted_codes()
    assert len(codes) > 20, "the scan found too few reason codes to be looking in the right place"
    missing = sorted(c for c in codes if c not in rules)
    assert not missing, f"reason codes without a rule (and so without a meaning): {missing}"
    vague = sorted(c for c in codes if len(rules[c].description) < 20)
    assert not vague, f"reason codes whose meaning is under 20 characters: {vague}"


@pytest.mark.parametrize("doc", WRITTEN, ids=lambda p: p.name)
def test_codes_named_in_the_docs_exist(doc: Path) -> None:
    rules = load_ruleset("default").rules
    known = set(rules) | {r.partner_code for r in rules.values() if r.partner_code}
    named = {c for c in re.findall(rf"\b({CODE})\b", doc.read_text(encoding="utf-8"))
             if not c.endswith("_SCHEMA")}  # model.SHIPMENT_SCHEMA and the like are table schemas
    unknown = sorted(named - known)
    assert not unknown, f"{doc.name} names codes that are neither reason codes nor partner codes: {unknown}"


@pytest.mark.parametrize("name", sorted(devdocs.GENERATORS))
def test_generated_docs_are_current(name: str) -> None:
    assert devdocs.docs_dir() == ROOT / "docs", "devdocs would write outside this checkout"
    path = ROOT / "docs" / name
    assert path.exists(), f"docs/{name} is missing: run `{devdocs.REGENERATE}`"
    assert path.read_text(encoding="utf-8") == devdocs.GENERATORS[name](), \
        f"docs/{name} is stale: run `{devdocs.REGENERATE}`"


def test_devdocs_check_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`--check` (what a CI step or a hook can run) fails on a missing or edited file; writing fixes it."""
    monkeypatch.setattr(devdocs, "docs_dir", lambda: tmp_path)
    monkeypatch.setattr(devdocs, "GENERATORS", {"cli.md": lambda: "# reference\n"})
    assert devdocs.main(["--check"]) == 1
    assert devdocs.REGENERATE in capsys.readouterr().err
    assert devdocs.main([]) == 0
    assert devdocs.main(["--check"]) == 0
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == "# reference\n"
    (tmp_path / "cli.md").write_text("edited\n", encoding="utf-8")
    assert devdocs.main(["--check"]) == 1


def anchors(doc: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


@pytest.mark.parametrize("doc", WRITTEN, ids=lambda p: p.name)
def test_relative_links_lead_somewhere(doc: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http:, mailto: and the like
        path, _, anchor = target.partition("#")
        linked = (doc.parent / path).resolve() if path else doc
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
            broken.append(target)
    assert not broken, f"{doc.name} links to files or headings that do not exist: {broken}"
