"""Load a JSON document or JSON Lines as hostile input: bounded size, no NaN/Infinity.

Returns the top-level values with the line each started on (JSON Lines) or None (one
document), and a reason when the bytes are not JSON at all.  Deep nesting ends in a
reject (Python's parser raises RecursionError), never a crash.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from interdictor.intake.limits import JSON_MAX_DOCUMENT


class NotJson(Exception):
    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.line = reason, line


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constants)


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
