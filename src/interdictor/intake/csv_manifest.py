"""Manifest CSV reader (the README contract, see docs/architecture.md, or a partner layout through a profile).

The file is read in blocks of whole rows.  Each block's structure is checked with
numpy before polars parses it — quote parity gives every row's true line number
and field count — so a ragged, over-long, NUL-bearing or mis-encoded row is
rejected with its line while the rows around it are parsed at full speed.
Memory stays flat: one block, plus the rows of the shipment that straddles the
block boundary, is all that is held.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

import charset_normalizer
import numpy as np
import polars as pl

from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.csv_rows import (
    MAX_QUOTED_LINES,
    UNTERMINATED,
    broken_quotes,
    careful_cut,
    last_balanced_newline,
    row_table,
    suspicious,
)
from interdictor.intake.extra_columns import join_extras, split_extras
from interdictor.intake.fields import (
    KNOWN,
    REQUIRED,
    resolve_conflicts,
    rows_to_batch,
    validate_rows,
    varied_shipments,
)
from interdictor.intake.limits import MAX_COLUMNS
from interdictor.intake.mapping import Profile, apply_profile
from interdictor.intake.text import codec, recoding
from interdictor.model import Reject, empty

BLOCK_BYTES = 32 * 1024 * 1024
SNIFF_BYTES = 64 * 1024


def _looks_binary(head: bytes) -> str | None:
    if not head:
        return None
    nul = head.count(b"\x00")
    first_line = head.split(b"\n", 1)[0]
    if b"\x00" in first_line or nul > max(1, len(head) // 100):
        return f"{nul} NUL bytes in the first {len(head):,} bytes"
    ctrl = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if ctrl > len(head) * 0.05:
        return f"{ctrl} control bytes in the first {len(head):,} bytes"
    return None


# encodings partners' systems actually write when they do not write UTF-8
LEGACY_ENCODINGS = ["gb18030", "big5", "shift_jis", "euc_kr", "cp1252", "latin_1"]  # UTF-16/32: intake.text


def _guess_encoding(sample: bytes) -> str | None:
    best = charset_normalizer.from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    return best.encoding if best is not None else None


def _mostly_not_utf8(sample: bytes) -> bool:
    """True when no non-ASCII line of the sample is valid UTF-8 but some are not.

    One stray Latin-1 line in a UTF-8 file is a bad row (rejected, named); a file
    whose every non-ASCII line fails is in another encoding (decoded, said so).
    """
    good = bad = 0
    for line in sample.split(b"\n")[:-1] or [sample]:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return bad > 0 and good == 0


class _Blocks:
    """Yield (first_line, bytes) blocks of whole rows, cut where quotes are balanced."""

    def __init__(self, stream: BinaryIO, first_line: int, options: ReadOptions, start: bytes, ncols: int) -> None:
        self.stream = stream
        self.ncols = ncols
        self.pending = start
        self.line = first_line
        self.options = options
        self.consumed = 0
        self.done = False  # the block just yielded is the last one

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        eof = False
        short = False
        while not eof or self.pending:
            if not eof:
                more = self.stream.read(BLOCK_BYTES)
                eof = not more
                self.pending += more
                short = len(more) < BLOCK_BYTES
            buf = self.pending
            if not buf:
                break
            cut = len(buf) if eof else last_balanced_newline(buf)
            if not eof and buf.count(b"\n", max(cut, 0)) > MAX_QUOTED_LINES + 1:
                # a quote left open for more lines than a quoted field may span: it is broken, and
                # only its line is rejected, so cut where the lines around it are settled
                cut = careful_cut(buf, self.ncols)
            if cut <= 0:
                if len(buf) > 4 * BLOCK_BYTES:
                    # a runaway quoted field: the block ends at the last newline (its first line is
                    # rejected, the lines after it read); with no newline at all it goes whole
                    cut = buf.rfind(b"\n") + 1 or len(buf)
                else:
                    continue
            block, self.pending = buf[:cut], buf[cut:]
            if short and not eof and not self.pending:  # a short read: make sure, cheaply, that the stream has ended
                more = self.stream.read(BLOCK_BYTES)
                eof = not more
                self.pending = more
            self.done = eof and not self.pending
            first = self.line
            self.line += block.count(b"\n")
            self.consumed += len(block)
            if self.options.progress:
                self.options.progress(len(block))
            yield first, block

    def push_back(self, tail: bytes) -> None:
        """Hand the end of the block just yielded back, to be read again at the start of the next one."""
        self.pending = tail + self.pending
        self.line -= tail.count(b"\n")
        self.consumed -= len(tail)
        self.done = False
        if self.options.progress:
            self.options.progress(-len(tail))


def _is_utf8(block: bytes) -> bool:
    if block.isascii():
        return True
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_line(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:500]


def _parse_block(
    block: bytes, first_line: int, header: list[str], options: ReadOptions, encoding: str | None, final: bool = True,
) -> tuple[pl.DataFrame, list[Reject], int]:
    """Parse one block into a string table with ``line``; structural problems become rejects.

    Also returns how much of the block was read: all of it, except when a block that is not the
    last ends in a quote that may close in the next one (after a broken quote moved the cut)."""
    src = options.source_name
    rejects: list[Reject] = []
    ncols = len(header)
    rows = row_table(block)
    broken: dict[int, str] = {}
    if suspicious(block, rows, ncols):  # a quote never closed: contain it to its own line (csv_rows)
        found = broken_quotes(block, rows, ncols, final)
        if found.pending:
            df, rejects, _ = _parse_block(block[:found.pending], first_line, header, options, encoding)
            return df, rejects, found.pending
        if found.pending == 0:  # nothing before it: it cannot wait for the next block
            found = broken_quotes(block, rows, ncols)
        broken = found.lines
        rows = row_table(block, found.quotes)
    starts, ends, seps, open_at_end, nl_all = rows.starts, rows.ends, rows.seps, rows.open_at_end, rows.nl_all
    lines_before = np.searchsorted(nl_all, starts) if len(starts) else np.zeros(0, dtype=np.int64)
    row_lines = first_line + lines_before
    lengths = ends - starts
    blank = lengths - (np.frombuffer(block, dtype=np.uint8)[np.maximum(ends - 1, 0)] == 13) * (lengths > 0) <= 0
    bad = np.zeros(len(starts), dtype=bool)
    reasons: dict[int, str] = {}

    def flag(mask: np.ndarray, text: str) -> None:
        for i in np.flatnonzero(mask & ~bad & ~blank):
            reasons.setdefault(int(i), text)
        bad[:] |= mask & ~blank

    if broken:
        at = np.zeros(len(starts), dtype=bool)
        for offset, why in broken.items():
            row = int(np.searchsorted(starts, offset))
            at[row] = True
            reasons[row] = why
        flag(at, UNTERMINATED)
    flag(lengths > options.max_line_bytes, f"row is longer than {options.max_line_bytes:,} bytes")
    flag(seps + 1 != ncols, "")  # message filled in below with the count
    for i in np.flatnonzero(seps + 1 != ncols):
        if reasons.get(int(i)) == "":
            reasons[int(i)] = f"expected {ncols} fields, found {int(seps[i]) + 1}"
    if open_at_end and len(starts):
        last = np.zeros(len(starts), dtype=bool)
        last[-1] = True
        reasons.pop(len(starts) - 1, None)
        bad[-1] = False
        flag(last, UNTERMINATED)
    if b"\x00" in block:
        nul = np.array([b"\x00" in block[s:e] for s, e in zip(starts, ends, strict=True)], dtype=bool)
        flag(nul, "row contains NUL bytes (binary data)")
    text: bytes = block
    if encoding is not None:
        text = block.decode(encoding, errors="replace").encode("utf-8")
    elif not _is_utf8(block):
        bad_utf8 = np.zeros(len(starts), dtype=bool)
        for row, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            try:
                block[a:b].decode("utf-8")
            except UnicodeDecodeError as exc:
                bad_utf8[row] = True
                reasons.setdefault(row, f"not valid UTF-8 (byte 0x{block[a + exc.start]:02x} at column {exc.start + 1})"
                                      f"; re-export as UTF-8 or pass --encoding")
        flag(bad_utf8, "not valid UTF-8")

    for i in np.flatnonzero(bad):
        raw = block[starts[i] : ends[i]]
        rejects.append(Reject(src, int(row_lines[i]), None, reasons.get(int(i)) or "malformed row", raw=_decode_line(raw)))

    good = ~bad & ~blank
    if encoding is not None:
        # re-encoding changed byte offsets; rows are found again in the decoded text
        again = row_table(text)
        if suspicious(text, again, ncols):
            again = row_table(text, broken_quotes(text, again, ncols).quotes)
        if len(again.starts) == len(starts):
            starts, ends = again.starts, again.ends
        block = text
    if not good.any():
        return empty({**{h: pl.String for h in header}, "line": pl.Int64}), rejects, len(block)
    if good.all():
        body = block
    else:
        body = b"\n".join(block[s:e] for s, e in zip(starts[good], ends[good], strict=True))
    try:
        df = pl.read_csv(
            body, has_header=False, new_columns=header, infer_schema=False, quote_char='"',
            raise_if_empty=False, truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError:
        df = _parse_slow(body, header)
    lines = row_lines[good]
    if df.height != len(lines):  # should not happen; fall back rather than misattribute lines
        df = _parse_slow(body, header)
    return df.with_columns(pl.Series("line", lines[: df.height], dtype=pl.Int64)), rejects, len(block)


def _parse_slow(body: bytes, header: list[str]) -> pl.DataFrame:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline="")))
    rows = [r for r in rows if r]
    cols = {h: [r[i] if i < len(r) else None for r in rows] for i, h in enumerate(header)}
    return pl.DataFrame(cols, schema={h: pl.String for h in header})


def _read_header(stream: BinaryIO, options: ReadOptions) -> tuple[list[str], bytes, int, str | None, list[str], BinaryIO]:
    head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise IntakeError(f"{options.source_name}: the file is empty")
    encoding = codec(options.encoding, options.source_name) if options.encoding else None
    notices: list[str] = []
    recode = recoding(head, encoding)
    if recode is not None:  # UTF-16/32 or CR-only lines: read as UTF-8 lines from here on (intake.text)
        stream = recode.wrap(stream, head)
        head = stream.read(SNIFF_BYTES)
        notices = recode.notices(options.source_name)
        encoding = None if recode.encoding else encoding
    why = _looks_binary(head)
    if why:
        raise IntakeError(f"{options.source_name}: this looks like a binary file, not CSV text ({why})")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if encoding is None and _mostly_not_utf8(head):
        guess = _guess_encoding(head)
        if guess and guess.replace("_", "").lower() not in ("utf8", "ascii"):
            encoding = guess
            notices.append(f"{options.source_name} is not UTF-8; decoded as {guess} (detected). "
                           f"Pass --encoding to override.")
    while b"\n" not in head:
        more = stream.read(SNIFF_BYTES)
        if not more:
            head += b"\n"
            break
        head += more
        if len(head) > options.max_line_bytes:
            raise IntakeError(f"{options.source_name}: the header line is longer than {options.max_line_bytes:,} bytes")
    header_raw, rest = head.split(b"\n", 1)
    text = header_raw.decode(encoding or "utf-8", errors="replace").rstrip("\r")
    header = [h.strip().lower().lstrip("\ufeff") for h in next(csv.reader([text]))]
    return header, rest, 2, encoding, notices, stream


def read_manifest_csv(stream: BinaryIO, options: ReadOptions, profile: Profile | None = None) -> Iterator[IntakeChunk]:
    """Read a manifest CSV in chunks; see the module docstring."""
    src = options.source_name
    header, rest, first_line, encoding, notices, stream = _read_header(stream, options)
    if len(header) > MAX_COLUMNS:
        raise IntakeError(f"{src}: line 1: the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are read "
                          f"(a manifest has about 40 plus a partner's own)")
    dupes = sorted(h for h, n in Counter(header).items() if n > 1 and h)  # not header.count: quadratic
    if dupes:
        raise IntakeError(f"{src}: duplicate column(s) in the header: {', '.join(dupes)}")
    header = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    mapped = apply_profile(header, profile)
    provided = set(mapped.values()) | (set(profile.defaults) | set(profile.concat) if profile else set())
    missing = [r for r in REQUIRED if r not in provided]
    if missing:
        known = ", ".join(header[:40])
        hint = " (or choose a column-mapping profile with --profile)"
        raise IntakeError(f"{src}: missing required column(s) {', '.join(missing)}; the header has: {known}{hint}")

    source_key = hashlib.sha1(src.encode()).hexdigest()[:12]
    carry: pl.DataFrame | None = None
    carry_rejects: list[Reject] = []
    emitted = _Emitted()
    pending_notices = notices
    blocks = _Blocks(stream, first_line, options, rest, len(header))
    for index, (line0, block) in enumerate(blocks):
        rows, rejects, read = _parse_block(block, line0, header, options, encoding, blocks.done)
        if read < len(block):
            blocks.push_back(block[read:])
            block = block[:read]
        rows = rows.rename({k: v for k, v in mapped.items() if k != v and k in rows.columns})
        if profile is not None:
            rows = profile.transform(rows)
        contract, extras = split_extras(rows)
        clean, field_rejects = validate_rows(contract, src, options.max_field_chars)
        clean, extra_rejects = join_extras(clean, extras, src, options.max_field_chars)
        rejects.extend(field_rejects + extra_rejects)
        if carry is not None and carry.height:
            clean = pl.concat([carry, clean], how="diagonal_relaxed")
        rejects = carry_rejects + rejects
        carry, carry_rejects = None, []
        if clean.height and not blocks.done:
            # the last shipment may go on in the next block: hold it (and its rejects) back
            last_id = clean.get_column("shipment_id")[-1]
            tail = clean.get_column("shipment_id") == last_id
            carry, clean = clean.filter(tail), clean.filter(~tail)
            carry_rejects = [r for r in rejects if r.shipment_id == last_id]
            rejects = [r for r in rejects if r.shipment_id != last_id]
        clean, more = _split_repeats(clean, emitted, src)
        rejects.extend(more)
        yield _chunk(clean, rejects, block, line0, blocks.line, source_key, index, src, emitted, pending_notices)
        pending_notices = []
    if (carry is not None and carry.height) or carry_rejects:
        if carry is None:
            carry = pl.DataFrame()
        carry, more = _split_repeats(carry, emitted, src) if carry.height else (carry, [])
        yield _chunk(carry, carry_rejects + more, b"", blocks.line, blocks.line, source_key, -1, src, emitted, [])


class _Emitted:
    """Shipment ids already handed on, as one Series (a hash join per block, not a Python set)."""

    def __init__(self) -> None:
        self.parts: list[pl.Series] = []

    def __bool__(self) -> bool:
        return bool(self.parts)

    def update(self, ids: pl.Series) -> None:
        self.parts.append(ids)
        if len(self.parts) > 8:
            self.parts = [pl.concat(self.parts).rechunk()]

    def series(self) -> pl.Series:
        return pl.concat(self.parts) if len(self.parts) > 1 else self.parts[0]


def _split_repeats(df: pl.DataFrame, emitted: _Emitted, src: str) -> tuple[pl.DataFrame, list[Reject]]:
    """Rows of a shipment already screened from an earlier block are quarantined, not merged silently."""
    if not emitted or df.is_empty():
        return df, []
    again = df.get_column("shipment_id").is_in(emitted.series().implode())
    if not again.any():
        return df, []
    bad = df.filter(again)
    rejects = [
        Reject(src, line, "shipment_id",
               f"rows of shipment {sid} appear again after other shipments; keep a shipment's rows together "
               f"(or send the change as an amendment)", shipment_id=sid)
        for line, sid in bad.select("line", "shipment_id").iter_rows()
    ]
    return df.filter(~again), rejects


def _chunk(
    clean: pl.DataFrame, rejects: list[Reject], block: bytes, first: int, last: int,
    source_key: str, index: int, src: str, emitted: _Emitted, notices: list[str],
) -> IntakeChunk:
    varied = varied_shipments(clean)
    clean, conflict_rejects = resolve_conflicts(clean, src, varied)
    rejects = rejects + conflict_rejects
    batch = rows_to_batch(clean, varied)
    emitted.update(batch.shipments.get_column("shipment_id"))
    raw_id = f"{source_key}:{index}"
    raw = [RawPayload(raw_id, src, first, max(first, last - 1), block)] if block else []
    nrows = clean.height + sum(1 for r in rejects if r.kind == "row")
    return IntakeChunk(batch=batch, rejects=rejects, raw=raw, rows=nrows, raw_of={}, notices=notices)


__all__ = ["KNOWN", "read_manifest_csv"]
