"""Docs that cannot drift: every setting is in the README, the CLI reference matches --help."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from typer.testing import CliRunner

from interdictor.cli import app
from interdictor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"INTERDICTOR_{name.upper()}" for name in Settings.model_fields if f"INTERDICTOR_{name.upper()}" not in readme]
    assert not missing, f"settings missing from README: {missing}"
    undescribed = [n for n, f in Settings.model_fields.items() if not f.description]
    assert not undescribed


def cli_reference() -> str:
    """The CLI reference, generated from --help of every command and sub-command."""
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    root = typer.main.get_command(app)
    parts = ["# Command-line reference\n", "Generated from `--help`; `pytest` checks it is current "
             "(regenerate with `INTERDICTOR_UPDATE_DOCS=1 pytest tests/test_docs.py`).\n"]

    def walk(cmd: object, path: list[str]) -> None:
        result = runner.invoke(app, [*path, "--help"], env=env)
        parts.append(f"\n## `interdictor {' '.join(path)}`\n\n```\n{result.output.rstrip()}\n```\n" if path else
                     f"\n## `interdictor`\n\n```\n{result.output.rstrip()}\n```\n")
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(root, [])
    return "".join(parts)


def test_cli_reference_is_current() -> None:
    text = cli_reference()
    if os.environ.get("INTERDICTOR_UPDATE_DOCS") or not CLI_DOC.exists():
        CLI_DOC.parent.mkdir(exist_ok=True)
        CLI_DOC.write_text(text, encoding="utf-8")
    assert CLI_DOC.read_text(encoding="utf-8") == text, "docs/cli.md is stale: INTERDICTOR_UPDATE_DOCS=1 pytest tests/test_docs.py"
