"""Where the rows of a CSV block start and end, and how a broken quote is contained.

Quote parity finds the rows of a block with a few numpy passes: a newline with an
even number of quotes before it ends a row.  One ``"`` that is never closed flips
that parity for everything after it, so the rest of the file would read as one
quoted field.  ``broken_quotes`` contains the damage: a physical line with an odd
number of quotes opens a quoted field that must close on the next such line, within
``MAX_QUOTED_LINES`` lines, into a row of the header's width; otherwise the line is
a record of its own, rejected, and reading goes on with the line after it (when
both readings fit, the one rejecting fewer lines, then swallowing fewer, wins;
a quote that closes must be followed by a separator or the line's end).  That
walk costs something only when the cheap check (``suspicious``) finds a row that
does not fit: clean blocks never pay for it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

QUOTE, NL, CR, COMMA = ord('"'), ord("\n"), ord("\r"), ord(",")
MAX_QUOTED_LINES = 50  # a quoted field running on over more lines than this is a quote never closed
UNTERMINATED = "unterminated quoted field (a '\"' opened on this line is never closed)"


@dataclass(frozen=True)
class Rows:
    """Row starts, ends (exclusive, without newline), separators per row, whether the last row
    is open (an unbalanced quote), the position of every newline and of every quote counted."""

    starts: np.ndarray
    ends: np.ndarray
    seps: np.ndarray
    open_at_end: bool
    nl_all: np.ndarray
    quotes: np.ndarray
    multiline: bool  # some row spans more than one physical line


def _quotes(arr: np.ndarray, block: bytes) -> np.ndarray:
    return np.flatnonzero(arr == QUOTE) if block.find(b'"') >= 0 else np.zeros(0, dtype=np.int64)


def row_table(block: bytes, quotes: np.ndarray | None = None) -> Rows:
    """The rows of ``block`` by quote parity, counting only ``quotes`` when given.

    Quoted regions are found from the (few) quote positions, so no per-byte running
    count is ever materialised: a 32 MB block costs a few passes and no large arrays.
    """
    arr = np.frombuffer(block, dtype=np.uint8)
    if not len(arr):
        z = np.zeros(0, dtype=np.int64)
        return Rows(z, z, z, False, z, z, False)
    nl_all = np.flatnonzero(arr == NL)
    if quotes is None:
        quotes = _quotes(arr, block)
    open_at_end = len(quotes) % 2 == 1
    # a newline with an even number of quotes before it is outside quotes: a row ends there
    nl = nl_all[np.searchsorted(quotes, nl_all) % 2 == 0] if len(quotes) else nl_all
    ends = nl if (len(nl) and nl[-1] == len(arr) - 1) else np.append(nl, len(arr))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    commas = np.flatnonzero(arr == COMMA)
    seps = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    if len(quotes):
        # commas within quoted regions are not separators
        opens = quotes[0::2]
        closes = np.append(quotes[1::2], len(arr)) if open_at_end else quotes[1::2]
        inside = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
        row_of = np.searchsorted(starts, opens, side="right") - 1
        seps -= np.bincount(row_of, weights=inside, minlength=len(starts)).astype(np.int64)
    return Rows(starts, ends, seps, open_at_end, nl_all, quotes, len(nl) != len(nl_all))


def suspicious(block: bytes, rows: Rows, ncols: int) -> bool:
    """A quote may be broken: a row left open, or rows spanning lines where one runs on too long,
    does not come out at the header's width, or has a quote that neither starts nor ends a field.
    Costs nothing more when no row spans lines (the common case)."""
    if rows.open_at_end:
        return True
    if not rows.multiline:
        return False
    span = np.searchsorted(rows.nl_all, rows.ends) - np.searchsorted(rows.nl_all, rows.starts)
    if ((span > 0) & ((span > MAX_QUOTED_LINES) | (rows.seps + 1 != ncols))).any():
        return True
    arr = np.frombuffer(block, dtype=np.uint8)
    opens, closes = rows.quotes[0::2], rows.quotes[1::2]
    before = arr[np.maximum(opens - 1, 0)]
    after = arr[np.minimum(closes + 1, len(arr) - 1)]
    good_open = (opens == 0) | np.isin(before, (COMMA, NL, QUOTE))
    good_close = (closes + 1 >= len(arr)) | np.isin(after, (COMMA, NL, CR, QUOTE))
    return not (good_open.all() and good_close.all())


def _width(text: bytes) -> int | None:
    """Fields of ``text`` read as one strict CSV record (a closing quote followed by a separator or the
    line's end); None when it is not one such record."""
    try:
        rows = list(csv.reader(io.StringIO(text.decode("latin-1"), newline=""), strict=True))
    except csv.Error:
        return None
    return len(rows[0]) if len(rows) == 1 else None


@dataclass(frozen=True)
class Broken:
    """The lines rejected as broken quotes (by their start offset, with the reason), the quotes
    that still count, and — for a buffer that goes on — the offset of a line whose quote may
    close after the buffer's end (None when every quote in it is settled)."""

    lines: dict[int, str]
    quotes: np.ndarray
    pending: int | None


def broken_quotes(block: bytes, rows: Rows, ncols: int, final: bool = True) -> Broken:
    """Settle every line holding an odd number of quotes: paired with the next such line (a quoted
    field spanning lines: it must close within ``MAX_QUOTED_LINES`` lines into a row of ``ncols``
    fields) or rejected alone.  Of the ways to settle them, the one with the fewest rejected lines
    wins, then the one whose quoted fields swallow the fewest lines: data rows read as the inside
    of a quoted field is what a broken quote looks like."""
    nl_all, quotes = rows.nl_all, rows.quotes
    n_lines = len(nl_all) + (0 if len(nl_all) and nl_all[-1] == len(block) - 1 else 1)
    line_starts = np.concatenate(([0], nl_all + 1))[:n_lines]
    line_ends = np.append(nl_all, len(block))[:n_lines]
    per_line = np.diff(np.searchsorted(quotes, np.concatenate(([0], line_ends))))
    odd = np.flatnonzero(per_line % 2 == 1).tolist()
    n = len(odd)
    widths: list[int | None] = [None] * n  # the width of the row odd[i] opens if it closes at odd[i + 1]
    for i in range(n - 1):
        if odd[i + 1] - odd[i] <= MAX_QUOTED_LINES:
            widths[i] = _width(block[line_starts[odd[i]]:line_ends[odd[i + 1]]])
    # best[i]: (lines rejected, lines swallowed) settling odd[i:], and whether odd[i] opens a pair
    best: list[tuple[int, int, bool]] = [(0, 0, False)] * (n + 1)
    for i in range(n - 1, -1, -1):
        alone = (best[i + 1][0] + 1, best[i + 1][1], False)
        if widths[i] == ncols and i + 1 < n:
            paired = (best[i + 2][0], best[i + 2][1] + odd[i + 1] - odd[i], True)
            best[i] = min(alone, paired)
        else:
            best[i] = alone
    lines: dict[int, str] = {}
    pending: int | None = None
    i = 0
    while i < n:
        if best[i][2]:
            i += 2
            continue
        a = odd[i]
        if not final and i == n - 1 and n_lines - 1 - a <= MAX_QUOTED_LINES:
            pending = int(line_starts[a])  # it may close in what is read next
            break
        if i + 1 == n or widths[i] == ncols:
            reason = UNTERMINATED
        elif odd[i + 1] - a > MAX_QUOTED_LINES:
            reason = f"unterminated quoted field (a '\"' opened on this line is not closed within {MAX_QUOTED_LINES} lines)"
        elif widths[i] is None:
            reason = (f"unterminated quoted field: the '\"' opened on this line would close only {odd[i + 1] - a} "
                      f"line(s) on, and not into a well-formed row")
        else:
            reason = (f"unterminated quoted field: the '\"' opened on this line would close only {odd[i + 1] - a} "
                      f"line(s) on, in a row of {widths[i]} fields, not {ncols}")
        lines[int(line_starts[a])] = reason
        i += 1
    if not lines:
        return Broken(lines, quotes, pending)
    dropped = np.zeros(len(quotes), dtype=bool)
    for start in lines:
        end = int(line_ends[np.searchsorted(line_starts, start)])
        dropped[np.searchsorted(quotes, start):np.searchsorted(quotes, end)] = True
    return Broken(lines, quotes[~dropped], pending)


def last_balanced_newline(buf: bytes) -> int:
    """Index just past the last newline outside quotes (0 when none)."""
    pos = len(buf)
    quotes_total = buf.count(b'"')
    while True:
        nl = buf.rfind(b"\n", 0, pos)
        if nl < 0:
            return 0
        after = buf.count(b'"', nl + 1) if quotes_total else 0
        if (quotes_total - after) % 2 == 0:
            return nl + 1
        pos = nl


def careful_cut(buf: bytes, ncols: int) -> int:
    """Where to end a block of ``buf`` (more follows) when a quote runs on past ``MAX_QUOTED_LINES``
    lines: before a line whose quote may still close in what follows, else after the last newline."""
    pending = broken_quotes(buf, row_table(buf), ncols, final=False).pending
    if pending is not None:
        return pending
    return buf.rfind(b"\n") + 1
