"""Cut a byte stream into Cargo-IMP messages, with Type-B envelopes stripped.

A file may hold many messages: each starts at its Standard Message Identifier line
(``FWB/16``, ``FHL/5``, ``FFM/8``) and runs to the next one, to a Type-B envelope
(``QK LAXFMXH`` priority line, ``.PVGFMCA 121212`` origin line, SITA ``=HEADER`` ...
``=TEXT`` blocks), to a ``=`` or ``NNNN`` separator, or to the end.  Every byte is
assigned to exactly one block, so the blocks' contents concatenate back to the
input (except where an over-long line or message was cut).

Bounded by design: lines are read in pieces of at most ``CIMP_MAX_LINE`` bytes kept
(the rest of an over-long line is skipped and reported), and a message stops
collecting after ``CIMP_MAX_MESSAGE`` bytes.  No regular expression here can
backtrack: each is a fixed-width anchored pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from interdictor.intake.limits import CIMP_MAX_LINE, CIMP_MAX_LINES, CIMP_MAX_MESSAGE

READ_BLOCK: Final = 64 * 1024
MAX_PROBLEMS: Final = 50
MAX_ENVELOPE: Final = 20
SMI = re.compile(r"^(F[A-Z]{2})/(\d{1,3})$")
BARE_SMI: Final = frozenset({"FWB", "FHL", "FFM"})
PRIORITY = re.compile(r"^Q[A-Z] +[A-Z0-9]{7}\b")
ORIGIN = re.compile(r"^\.[A-Z0-9]{7}\b")
# first data line of a message whose SMI line is missing (with --format fwb/fhl)
FIRST_LINE: Final = {"FWB": re.compile(r"^\d{3}-?\d{8}[A-Z]{6}"), "FHL": re.compile(r"^MBI/")}
_EOL = re.compile(rb"\r\n?|\n")
_SPECIAL = frozenset("=QF.N")  # first letters of envelope, separator and SMI lines
# control characters other than tab are teletype framing (SOH, STX, ETX) or noise
_CONTROL: Final = {c: None for c in (*range(0, 9), *range(10, 32), 127)}


@dataclass
class Block:
    """One message (``smi`` set) or stray text (``smi`` None) with its verbatim bytes."""

    first_line: int
    offset: int
    smi: str | None = None
    version: str | None = None
    smi_line: int | None = None
    implicit: bool = False  # the SMI line was missing and the expected type was assumed
    lines: list[tuple[int, str]] = field(default_factory=list)  # non-blank data lines after the SMI
    envelope: list[str] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0  # bytes in the source, including any cut
    last_line: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    oversize: bool = False
    stray: bool = False  # holds text that belongs to no message

    def note(self, line: int, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, problem))

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks)

    def take(self, raw: bytes, full: int, line_no: int) -> None:
        self.size += full
        self.last_line = line_no
        if self.oversize:
            return
        if self.size > CIMP_MAX_MESSAGE or len(self.lines) >= CIMP_MAX_LINES:
            self.oversize = True
            return
        self.chunks.append(raw)


def _physical(stream: BinaryIO, progress: Callable[[int], None] | None) -> Iterator[tuple[bytes, int]]:
    """(line bytes incl. end of line — at most CIMP_MAX_LINE kept, source length)."""
    buf = b""
    pos = 0
    eof = False
    skipping = 0  # bytes of an over-long line dropped so far
    while True:
        if not skipping:
            # fast path: the whole lines of the buffer at once when there is no CR among them
            end = buf.rfind(b"\n", pos)
            if end >= 0 and buf.find(b"\r", pos, end) < 0:
                for line in buf[pos:end].split(b"\n"):
                    n = len(line) + 1
                    if n > CIMP_MAX_LINE:
                        yield line[:CIMP_MAX_LINE], -1
                        yield b"", n - CIMP_MAX_LINE
                    else:
                        yield line + b"\n", n
                pos = end + 1
        m = _EOL.search(buf, pos)
        if m is not None and not (m.group() == b"\r" and m.end() == len(buf) and not eof):
            length = m.end() - pos
            if skipping:
                yield b"", skipping + length
                skipping = 0
            elif length > CIMP_MAX_LINE:
                yield buf[pos:pos + CIMP_MAX_LINE], -1
                yield b"", length - CIMP_MAX_LINE
            else:
                yield buf[pos:m.end()], length
            pos = m.end()
            continue
        if eof:
            if pos < len(buf) or skipping:
                yield (b"", skipping + len(buf) - pos) if skipping else (buf[pos:], len(buf) - pos)
            return
        if not skipping and len(buf) - pos > CIMP_MAX_LINE:
            # over-long: hand over the head; the rest of the line is counted, not kept
            head = buf[pos:pos + CIMP_MAX_LINE]
            skipping = len(buf) - pos - len(head)
            yield head, -1  # -1: a cut line (the caller records a problem)
            buf, pos = b"", 0
        elif skipping:
            skipping += len(buf) - pos
            buf, pos = b"", 0
        more = stream.read(READ_BLOCK)
        if progress is not None and more:
            progress(len(more))
        eof = not more
        buf = buf[pos:] + more
        pos = 0


def decode(raw: bytes) -> str:
    if raw.isascii():
        text = raw.decode("ascii").strip()
    else:
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            text = raw.decode("latin-1").strip()
    if not text.isprintable():
        text = text.translate(_CONTROL).strip()
    return text.upper()


def split(stream: BinaryIO, default_smi: str | None = None,
          progress: Callable[[int], None] | None = None) -> Iterator[Block]:
    """Blocks in source order; see the module docstring."""
    line_no = 0
    offset = 0
    current: Block | None = None  # open message or stray text
    pending: Block | None = None  # envelope / blank lines waiting for the next message
    in_sita = False
    cut_line = 0

    def fresh() -> Block:
        return Block(first_line=line_no, offset=offset)

    for raw, full in _physical(stream, progress):
        if full == -1:  # head of an over-long line; its tail arrives as (b"", n)
            cut_line = line_no + 1
            full = len(raw)
        elif not raw and full:
            # the dropped tail of the line just cut: count it, keep nothing
            target = current or pending
            if target is not None:
                target.size += full
                target.note(cut_line, f"line is longer than {CIMP_MAX_LINE:,} characters; "
                            "the rest of it was ignored")
            offset += full
            continue
        line_no += 1
        if raw.isascii():  # decode(), inlined for the common case: this loop runs per line
            text = raw.decode("ascii").strip()
            if not text.isprintable():
                text = text.translate(_CONTROL).strip()
            text = text.upper()
        else:
            text = decode(raw)
        first = text[:1]  # most lines start with a tag or '/': only these letters need a pattern
        if (current is not None and first and first not in _SPECIAL and not in_sita and not current.stray
                and not current.implicit):
            # hot path: a data line of an open message (Block.take, inlined)
            current.size += full
            current.last_line = line_no
            offset += full
            if current.oversize:
                continue
            if current.size > CIMP_MAX_MESSAGE or len(current.lines) >= CIMP_MAX_LINES:
                current.oversize = True
                continue
            current.chunks.append(raw)
            current.lines.append((line_no, text))
            continue
        envelope = False
        if in_sita:
            envelope = True
            in_sita = text != "=TEXT"
        elif first == "=" or text == "NNNN":
            envelope = True
            in_sita = first == "=" and text != "=TEXT" and text.strip("=") != ""
        elif (first == "Q" and PRIORITY.match(text)) or (first == "." and ORIGIN.match(text)):
            envelope = True
        smi = SMI.match(text) if first == "F" and not envelope else None
        bare = first == "F" and not envelope and text in BARE_SMI
        if (envelope or smi or bare) and current is not None:
            yield current
            current = None
        if envelope:
            pending = pending or fresh()
            if len(pending.envelope) < MAX_ENVELOPE:
                pending.envelope.append(text)
            pending.take(raw, full, line_no)
        elif smi or bare:
            current = pending or fresh()
            pending = None
            current.smi = smi.group(1) if smi else text
            current.version = smi.group(2) if smi else None
            current.smi_line = line_no
            current.take(raw, full, line_no)
        elif not text:
            target = current or pending
            if target is None:
                pending = target = fresh()
            target.take(raw, full, line_no)
        else:
            starts = default_smi in FIRST_LINE and FIRST_LINE[default_smi].match(text)
            if current is not None and (current.implicit or current.stray) and starts:
                yield current
                current = None
            if current is None:
                current = pending or fresh()
                pending = None
                if default_smi and (starts or default_smi not in FIRST_LINE):
                    current.smi, current.implicit, current.smi_line = default_smi, True, line_no
                else:
                    current.stray = True
            if not current.oversize:
                current.lines.append((line_no, text))
            current.take(raw, full, line_no)
        offset += full
    if current is not None:
        if pending is not None:  # cannot happen (pending is consumed on open), kept for safety
            current.chunks.extend(pending.chunks)
        yield current
    elif pending is not None and pending.envelope:
        pending.stray = True
        yield pending
