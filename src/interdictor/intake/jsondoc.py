"""Load a JSON document or JSON Lines as hostile input: bounded size, bounded values.

Returns the top-level values with the line each started on (JSON Lines) or None (one
document), and a reason when the bytes are not JSON at all.

A value no field can hold does not fail the document: ``NaN``, ``Infinity``, a number
beyond a float (``1e999``) or of thousands of digits is read as an ``Unreadable``, and a
subtree nested deeper than ``JSON_MAX_DEPTH`` (which would exhaust Python's parser) as a
marker; ``readable`` then empties each such field and says where it was and why, so the
readers reject that field and screen the rest.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, BinaryIO, Final

from interdictor.intake.limits import JSON_MAX_DEPTH, JSON_MAX_DOCUMENT, JSON_MAX_NUMBER

TOO_DEEP: Final = "\x00interdictor: nested too deep"  # stands for a cut subtree (no real value holds NUL)
_TOO_DEEP_JSON: Final = json.dumps(TOO_DEEP)
_TOKENS: Final = re.compile(r'\\.|["\[\]{}]', re.S)


class Unreadable:
    """A JSON value that no field can hold, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unreadable({self.reason!r})"


class NotJson(Exception):
    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def _constant(name: str) -> Unreadable:
    return Unreadable(f"{name} is not a JSON number")


def _int(text: str) -> int | Unreadable:
    if len(text) > JSON_MAX_NUMBER:
        return Unreadable(f"a number of {len(text):,} characters (limit {JSON_MAX_NUMBER})")
    return int(text)


def _float(text: str) -> float | Unreadable:
    if len(text) > JSON_MAX_NUMBER:
        return Unreadable(f"a number of {len(text):,} characters (limit {JSON_MAX_NUMBER})")
    v = float(text)
    return v if math.isfinite(v) else Unreadable(f"number {text} is beyond what a field holds")


def _shallow(text: str, limit: int = JSON_MAX_DEPTH) -> str:
    """``text`` with each subtree nested deeper than ``limit`` replaced by the ``TOO_DEEP`` marker
    (its newlines kept, so line numbers hold).  A scan of the quotes and brackets: only run when
    Python's parser ran out of stack."""
    out: list[str] = []
    pos, depth, in_string, cut = 0, 0, False, -1
    for m in _TOKENS.finditer(text):
        t = m.group()
        if t[0] == "\\":
            continue
        if t == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif t in "[{":
            depth += 1
            if depth == limit + 1:
                cut = m.start()
        else:
            if depth == limit + 1 and cut >= 0:
                out += [text[pos:cut], _TOO_DEEP_JSON, "\n" * text.count("\n", cut, m.end())]
                pos, cut = m.end(), -1
            depth -= 1
    if cut >= 0:  # never closed: the parser will say so
        out += [text[pos:cut], _TOO_DEEP_JSON]
        pos = len(text)
    out.append(text[pos:])
    return "".join(out)


def parse(text: str | bytes) -> tuple[Any, bool]:
    """(value, whether ``readable`` has anything to do): ``json.loads`` for hostile input, see the
    module's doc.  Raises ``ValueError`` (a ``json.JSONDecodeError`` when the text is not JSON)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    made: list[Unreadable] = []

    def constant(name: str) -> Unreadable:
        made.append(_constant(name))
        return made[-1]

    def integer(t: str) -> int | Unreadable:
        v = _int(t)
        if isinstance(v, Unreadable):
            made.append(v)
        return v

    def real(t: str) -> float | Unreadable:
        v = _float(t)
        if isinstance(v, Unreadable):
            made.append(v)
        return v

    deep = text.count("[") + text.count("{") > JSON_MAX_DEPTH
    try:
        value = json.loads(text, parse_constant=constant, parse_int=integer, parse_float=real)
    except RecursionError:
        value = json.loads(_shallow(text), parse_constant=constant, parse_int=integer, parse_float=real)
    return value, bool(made) or deep


def loads(text: str | bytes) -> Any:
    """``parse``'s value."""
    return parse(text)[0]


_loads = loads


class _TooDeep(Exception):
    """Raised from a too-deep subtree up to the object key (the field) that holds it."""


def readable(value: Any, where: str = "", limit: int = JSON_MAX_DEPTH) -> list[tuple[str, str]]:
    """Empty (set to None) every unreadable value in ``value``, in place, and every field holding
    something nested deeper than ``limit`` (the innermost object key above it: the whole field goes,
    not a stump of it); (JSON path, reason) of each."""
    found: list[tuple[str, str]] = []
    deep = f"nested deeper than {limit} levels"

    def say(path: str, reason: str) -> None:
        found.append((path if len(path) <= 120 else path[:119] + "…", reason))

    def walk(v: Any, path: str, depth: int, in_field: bool) -> None:
        for k, x in list(v.items()) if isinstance(v, dict) else list(enumerate(v)):
            here = f"{path}[{k}]" if isinstance(k, int) else (f"{path}.{k}" if path else str(k))
            if isinstance(x, Unreadable):
                v[k] = None
                say(here, x.reason)
            elif x == TOO_DEEP or (depth + 1 >= limit and isinstance(x, (dict, list)) and x):
                if in_field:
                    raise _TooDeep
                v[k] = None  # a chain of lists with no field above it: cut where it gets too deep
                say(here, deep)
            elif isinstance(x, (dict, list)):
                if not isinstance(v, dict):
                    walk(x, here, depth + 1, in_field)
                    continue
                try:
                    walk(x, here, depth + 1, True)
                except _TooDeep:
                    v[k] = None
                    say(here, deep)

    if isinstance(value, (dict, list)):
        walk(value, where, 1, False)
    return found


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotJson(f"not UTF-8 (byte {exc.start + 1}); send JSON as UTF-8",
                      data.count(b"\n", 0, exc.start) + 1) from None


def line_count(data: bytes) -> int:
    return max(1, data.count(b"\n") + (0 if data.endswith(b"\n") else 1))


def clamp(line: int | None, data: bytes) -> int | None:
    """A parser's error line, kept inside the document (errors at EOF report the line after)."""
    return None if line is None else max(1, min(line, line_count(data)))


def read_all(stream: BinaryIO) -> bytes:
    data = stream.read(JSON_MAX_DOCUMENT + 1)
    if len(data) > JSON_MAX_DOCUMENT:
        raise NotJson(f"document is over the {JSON_MAX_DOCUMENT:,}-byte limit; send JSON Lines "
                      "(one object per line) for large manifests")
    return data


def values(data: bytes) -> list[tuple[Any, int | None, str | None]]:
    """(value, line, problem) for each top-level value; a bad JSON Lines line is (None, line, why)."""
    text = decode(data)
    try:
        return [(_loads(text), None, None)]
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):
            raise NotJson(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                          exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise NotJson(f"not valid JSON: {str(exc)[:200] or type(exc).__name__}") from None
    out: list[tuple[Any, int | None, str | None]] = []  # JSON Lines: one value per line
    for n, line in enumerate(text.split("\n"), start=1):  # "\n" only: line numbers match the bytes
        if not line.strip():
            continue
        try:
            out.append((_loads(line), n, None))
        except (ValueError, RecursionError) as exc:
            out.append((None, n, f"not valid JSON: {str(exc)[:200] or type(exc).__name__}"))
    return out
