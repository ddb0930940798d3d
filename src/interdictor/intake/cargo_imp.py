"""IATA Cargo-IMP reader: FWB (16, 17), FHL (4, 5) and FFM (8) text messages.

A file or stream message may hold many Cargo-IMP messages, with or without Type-B
envelopes, separated by blank lines, ``=`` or ``NNNN``.  Each message becomes its
shipments (FWB: the AWB; FHL: one per house bill; FFM: one per AWB on the flight),
its verbatim bytes (``RawPayload``) and its rejects.  A message that yields nothing
is one ``message`` reject naming its first line; a bad field is a ``field`` reject
naming its line, and the shipment goes on without that field.

Formats: ``fwb``, ``fhl``, ``ffm`` — all three read any of the three message types
(a feed labelled FWB that carries an FHL is still read); the name only matters when
the SMI line (``FWB/17``) is missing, where it says what to assume.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import BinaryIO

from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.cimp import ffm, fhl, fwb
from interdictor.intake.cimp.common import Ctx, Unreadable
from interdictor.intake.cimp.split import Block, split
from interdictor.intake.limits import CIMP_MAX_MESSAGE
from interdictor.intake.records import Chunker, Parsed, Problems, mode_override, raw_id
from interdictor.model import Reject

READ_TYPES = ("FWB", "FHL", "FFM")


def read(stream: BinaryIO, options: ReadOptions, expect: str | None = None) -> Iterator[IntakeChunk]:
    """Chunks of shipments from a stream of Cargo-IMP messages; see the module docstring."""
    chunker = Chunker(options)
    seen = False
    progress = getattr(options, "progress", None)
    for block in split(stream, expect.upper() if expect else None, progress):
        seen = True
        yield from chunker.add(parse_block(block, options))
        if chunker.full:
            break  # the rest is not even parsed
    if not seen:
        raise IntakeError(f"{options.source_name}: no Cargo-IMP message found (the input is empty)")
    yield from chunker.flush()


def read_fwb(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return read(stream, options, "FWB")


def read_fhl(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return read(stream, options, "FHL")


def read_ffm(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return read(stream, options, "FFM")


def parse_block(block: Block, options: ReadOptions) -> Parsed:
    """One message (or stray text) -> shipments, rejects and its verbatim bytes."""
    src = options.source_name
    content = block.content
    problems = Problems(src)
    for line, reason in block.problems:
        problems.add(line, "line", reason)
    doc_id: str | None = None
    shipments = []
    start = block.smi_line or block.first_line
    if block.stray:
        what = "a Type-B envelope with no message after it" if not block.lines else \
            "text outside any Cargo-IMP message (a message starts with a line like FWB/17 or FHL/5)"
        problems.add(block.lines[0][0] if block.lines else block.first_line, None, what, kind="message",
                     raw=block.lines[0][1] if block.lines else None)
    elif block.oversize:
        problems.add(start, None, f"message is longer than {CIMP_MAX_MESSAGE:,} bytes "
                     f"({block.size:,}); split it", kind="message")
    elif block.smi not in READ_TYPES:
        problems.add(start, "smi", f"{block.smi}/{block.version or ''} messages are not read; "
                     "send FWB, FHL or FFM", kind="message")
    else:
        ctx = Ctx(src, problems, mode_override(options, "air"))
        try:
            if block.smi == "FWB":
                s = fwb.parse(block, ctx)
                shipments, doc_id = [s], s.shipment_id
            elif block.smi == "FHL":
                shipments = fhl.parse(block, ctx)
                doc_id = (shipments[0].shipment_id if len(shipments) == 1
                          else shipments[0].mawb if shipments else None)
            else:
                shipments, doc_id = ffm.parse(block, ctx)
        except Unreadable as exc:
            problems.add(exc.line or start, exc.field, exc.reason, kind="message")
        except Exception as exc:  # a reader bug must not lose the message: it is rejected, whole
            problems.add(start, None, f"could not read this {block.smi} ({type(exc).__name__}: "
                         f"{str(exc)[:120]})", kind="message")
            shipments = []
    raw = RawPayload(raw_id(src, block.offset, content), src, block.first_line,
                     max(block.first_line, block.last_line), content, doc_id)
    return Parsed(raw, shipments, _name_message(problems.items, block, shipments), rows=max(1, len(shipments)))


def _name_message(rejects: list[Reject], block: Block, shipments: Sequence[object]) -> list[Reject]:
    """Cut-line problems of a message that produced no shipment still need a message reject."""
    if shipments or any(r.kind == "message" for r in rejects) or not rejects:
        return rejects
    return [*rejects, Reject(rejects[0].source, block.smi_line or block.first_line, None,
                             "message produced no shipment", kind="message")]
