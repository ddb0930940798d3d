"""Cache files: lines read back, a line cut short skipped, a file past its bound cut to its newest half,
entries of other versions removed once stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

from interdictor.screen.goods.cachefile import append_lines, prune, read_lines


def test_lines_round_trip_and_a_cut_line_is_skipped(tmp_path: Path) -> None:
    f = tmp_path / "sub" / "answers.jsonl"
    append_lines(f, [["a", "C"], ["b", None]])
    with f.open("a", encoding="utf-8") as fh:
        fh.write('["c", "CC')  # a crash mid-line
    assert read_lines(f) == [["a", "C"], ["b", None]]
    assert read_lines(tmp_path / "missing.jsonl") == []


def test_a_file_past_its_bound_keeps_its_newest_half(tmp_path: Path) -> None:
    f = tmp_path / "answers.jsonl"
    append_lines(f, [[i] for i in range(10)])
    assert read_lines(f, max_lines=8) == [[i] for i in range(6, 10)]
    assert read_lines(f, max_lines=8) == [[i] for i in range(6, 10)]  # the file itself was cut


def test_stale_entries_of_other_versions_are_removed(tmp_path: Path) -> None:
    keep, old, fresh = tmp_path / "goods-a", tmp_path / "goods-b", tmp_path / "goods-c"
    for d in (keep, old, fresh):
        d.mkdir()
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    os.utime(keep, (week_ago, week_ago))
    prune(tmp_path, "goods-*", keep=keep)
    assert keep.exists() and fresh.exists() and not old.exists()
