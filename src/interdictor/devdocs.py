"""Documentation generated from the code: ``docs/cli.md``, the ``--help`` of every command.

Run ``python -m interdictor.devdocs`` from a source checkout after changing a command's help;
``tests/test_docs.py`` fails while the file is missing or stale and never writes it itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer
from typer.testing import CliRunner

from interdictor.cli import app

REGENERATE = "python -m interdictor.devdocs"
# The help text is laid out for this terminal, whatever terminal generates it.
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def docs_dir() -> Path:
    """``docs/`` of the source checkout this module runs from, else of the current directory."""
    root = Path(__file__).resolve().parents[2]
    return root / "docs" if (root / "pyproject.toml").exists() else Path.cwd() / "docs"


def cli_reference() -> str:
    """The command-line reference: ``--help`` of the root command and of every sub-command."""
    runner = CliRunner()
    parts = ["# Command-line reference\n",
             f"Generated from `--help`; `pytest` checks it is current (regenerate with `{REGENERATE}`).\n"]

    def walk(cmd: object, path: list[str]) -> None:
        result = runner.invoke(app, [*path, "--help"], env=HELP_ENV)
        parts.append(f"\n## `{' '.join(['interdictor', *path])}`\n\n```\n{result.output.rstrip()}\n```\n")
        # typer carries its own copy of click, so a group is known by its sub-commands, not its class
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return "".join(parts)


# Every generated document under docs/, and what makes it.
GENERATORS: dict[str, Callable[[], str]] = {"cli.md": cli_reference}


def generated() -> dict[Path, str]:
    """Every generated document and what it should hold."""
    return {docs_dir() / name: make() for name, make in GENERATORS.items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        print(f"usage: {REGENERATE} [--check]", file=sys.stderr)
        return 2
    stale = []
    for path, text in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in stale:
        print(f"{path} is missing or stale: run {REGENERATE}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
