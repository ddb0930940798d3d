"""Answers kept between runs in the user cache directory: append-only JSON lines, bounded; old entries pruned.

A cache file only ever saves work: a line cut short by a crash is skipped, a file that cannot be read
or written means asking again, and a file grown past its bound is cut back to its newest half.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

MAX_LINES = 200_000
STALE_S = 7 * 24 * 3600  # entries of other knowledge-base or code versions are removed after a week


def read_lines(path: Path, max_lines: int = MAX_LINES) -> list[Any]:
    """The decoded lines of ``path`` (none when it is missing), cutting the file back when it is too long."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    lines = text.splitlines()
    if len(lines) > max_lines:
        lines = lines[-(max_lines // 2):]
        try:
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def append_lines(path: Path, values: list[Any]) -> None:
    """Append values as JSON lines (one write of whole lines: appends of several processes interleave safely)."""
    if not values:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values))
    except OSError:
        pass  # a read-only home still screens; it only works things out again next run


def prune(directory: Path, pattern: str, keep: Path, stale_s: float = STALE_S) -> None:
    """Remove entries matching ``pattern`` (files or directories) other than ``keep`` not touched for ``stale_s``."""
    now = time.time()
    try:
        entries = list(directory.glob(pattern))
    except OSError:
        return
    for entry in entries:
        try:
            if entry == keep or now - entry.stat().st_mtime < stale_s:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
        except OSError:
            continue
