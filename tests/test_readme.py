"""The README's examples run: every ``interdictor ...`` line in a ```sh block names a real command
with options it has, and every option table lists exactly the options of its command.

The same holds for the hand-written pages in docs/.  Commands are read from the app itself
(typer builds a click command tree), not from help text.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer

from interdictor import devdocs
from interdictor.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name not in devdocs.GENERATORS)]
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


@dataclass(frozen=True)
class Command:
    """One ``interdictor ...`` line of a document."""

    doc: str
    line: int
    section: str
    args: tuple[str, ...]  # after ``interdictor``

    def __str__(self) -> str:
        return f"{self.doc}:{self.line} ({self.section}): interdictor {shlex.join(self.args)}"


@dataclass(frozen=True)
class OptionTable:
    doc: str
    line: int
    section: str
    command: Command | None  # the command of the nearest ```sh block above it in its section
    options: tuple[str, ...]


def read(path: Path, doc: str | None = None) -> tuple[list[Command], list[OptionTable]]:
    """The commands in the ```sh blocks of a Markdown file, and its option tables."""
    doc = doc or str(path.relative_to(ROOT))
    commands: list[Command] = []
    tables: list[OptionTable] = []
    section, fence = "", None
    block: list[Command] = []  # the commands of the last sh block in this section
    pending = ""  # a command continued with a trailing backslash
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        text, number = lines[i], i + 1
        i += 1
        if fence is not None:  # inside a code block
            if text.startswith("```"):
                fence = None
            elif fence == "sh":
                pending += text
                if pending.endswith("\\"):
                    pending = pending[:-1] + " "
                    continue
                tokens = shlex.split(pending, comments=True)
                pending = ""
                while tokens and ENV_ASSIGNMENT.match(tokens[0]):
                    tokens.pop(0)
                if tokens and tokens[0] == "interdictor":
                    block.append(Command(doc, number, section, tuple(tokens[1:])))
                    commands.append(block[-1])
        elif text.startswith("```"):
            fence = text[3:].strip()
            if fence == "sh":
                block = []
        elif text.startswith("#"):
            section, block = text.lstrip("#").strip(), []
        elif re.match(r"^\|\s*option\s*\|", text):
            rows = []
            i += 1  # the |---| line
            while i < len(lines) and lines[i].startswith("|"):
                first = lines[i].split("|")[1]
                found = re.search(r"--[a-z0-9][a-z0-9-]*", first)
                rows.append(found.group(0) if found else first.strip())
                i += 1
            one = len({command_path(c) for c in block}) == 1
            tables.append(OptionTable(doc, number, section, block[0] if one else None, tuple(rows)))
    return commands, tables


ROOT_COMMAND: Any = typer.main.get_command(app)


def command_path(command: Command) -> tuple[str, ...]:
    """The sub-command names at the start of a command line (``users add``)."""
    cmd, path = ROOT_COMMAND, []
    for token in command.args:
        sub = getattr(cmd, "commands", {}).get(token)
        if sub is None:
            break
        cmd, path = sub, [*path, token]
    return tuple(path)


def command_of(path: tuple[str, ...]) -> Any:
    cmd = ROOT_COMMAND
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def options_of(cmd: Any) -> dict[str, Any]:
    """Every option name --help lists for a command (both names of --x/--no-x, short aliases)."""
    names: dict[str, Any] = {"--help": None}
    for p in cmd.params:
        if p.param_type_name == "option" and not p.hidden:
            names |= dict.fromkeys([*p.opts, *p.secondary_opts], p)
    return names


def table_name(param: Any) -> str:
    """How an option table names an option: its first long name."""
    return str(next(o for o in param.opts if o.startswith("--")))


def problems(command: Command) -> list[str]:
    """What is wrong with one command line: an unknown command or option, a missing or extra argument."""
    path = command_path(command)
    cmd = command_of(path)
    rest = list(command.args[len(path):])
    if getattr(cmd, "commands", None):  # a group: only its own options, or it needs a command
        words = [t for t in rest if not t.startswith("-")]
        if words or not (rest or cmd.invoke_without_command):
            return [f"`{' '.join(['interdictor', *path])}` has no command {words[0] if words else '(none given)'}; "
                    f"it has {sorted(cmd.commands)}"]
    known = options_of(cmd)
    found, positional = [], []
    while rest:
        token = rest.pop(0)
        if token.startswith("-") and token != "-":
            name, _, inline = token.partition("=")
            param = known.get(name)
            if name not in known:
                found.append(f"option {name} is not in `{' '.join(['interdictor', *path])} --help`")
            elif param is not None and not param.is_flag and not param.count and not inline:
                del rest[: param.nargs]  # the option's value
        else:
            positional.append(token)
    if "--help" in command.args or "--version" in command.args:
        return found
    arguments = [p for p in cmd.params if p.param_type_name == "argument"]
    required = sum(p.nargs if p.nargs > 0 else 1 for p in arguments if p.required)
    most = None if any(p.nargs < 0 for p in arguments) else sum(p.nargs for p in arguments)
    if len(positional) < required:
        found.append(f"{len(positional)} arguments where {required} are required")
    if most is not None and len(positional) > most:
        found.append(f"{len(positional)} arguments where at most {most} are taken: {positional}")
    return found


ALL = [read(p) for p in DOCS]
COMMANDS = [c for commands, _ in ALL for c in commands]
TABLES = [t for _, tables in ALL for t in tables]


def test_the_docs_have_examples_and_tables() -> None:
    assert {c.doc for c in COMMANDS} >= {"README.md"}
    assert {"screen", "demo", "serve"} <= {command_path(c)[0] for c in COMMANDS if command_path(c)}
    assert any(t.command and command_path(t.command) == ("screen",) for t in TABLES), "README's screen table"


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_example_names_a_real_command_and_its_options(command: Command) -> None:
    assert not problems(command), f"{command}: " + "; ".join(problems(command))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: f"{t.doc}:{t.line}")
def test_option_table_lists_exactly_the_options_of_its_command(table: OptionTable) -> None:
    assert table.command is not None, (
        f"{table.doc}:{table.line}: an option table needs a ```sh block above it, in its section, "
        "that runs one command")
    path = command_path(table.command)
    cmd = command_of(path)
    expected = {table_name(p) for p in cmd.params if p.param_type_name == "option" and not p.hidden}
    listed = set(table.options)
    where = f"{table.doc}:{table.line}, the table of `interdictor {' '.join(path)}`"
    assert len(listed) == len(table.options), f"{where} lists an option twice"
    assert not expected - listed, f"{where} lacks {sorted(expected - listed)}"
    assert not listed - expected, f"{where} lists options the command does not have: {sorted(listed - expected)}"


@pytest.mark.parametrize(("line", "wrong"), [
    ("interdictor screen manifest.csv --out ranked.csv", None),
    ("interdictor screen manifest.csv --out=ranked.csv -o r.csv --no-store --top 3", None),
    ("interdictor --version", None),
    ("interdictor users add tina --role targeter", None),
    ("interdictor scren manifest.csv", "has no command"),
    ("interdictor users", "has no command"),
    ("interdictor users frobnicate", "has no command"),
    ("interdictor screen manifest.csv --topp 3", "option --topp is not in"),
    ("interdictor screen", "are required"),
    ("interdictor screen a.csv b.csv", "at most 1"),
    ("interdictor screen --out a.csv", "are required"),  # --out takes a.csv as its value
])
def test_the_check_finds_what_is_wrong(line: str, wrong: str | None) -> None:
    found = problems(Command("x.md", 1, "s", tuple(shlex.split(line)[1:])))
    assert (not found) if wrong is None else any(wrong in p for p in found), found


def test_tables_are_read_with_their_command(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("# A\n\n```sh\ninterdictor rules --export x.yaml   # note\n```\n\n"
                   "| option | meaning |\n|---|---|\n| `--name NAME` | n |\n| `--version N` | v |\n\n"
                   "# B\n\n| option | meaning |\n|---|---|\n| `--x` | x |\n", encoding="utf-8")
    commands, tables = read(doc, "x.md")
    assert [c.args for c in commands] == [("rules", "--export", "x.yaml")]
    assert [(t.section, t.options) for t in tables] == [("A", ("--name", "--version")), ("B", ("--x",))]
    assert tables[0].command == commands[0] and tables[1].command is None
