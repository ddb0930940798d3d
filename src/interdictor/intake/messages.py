"""Many separate messages (a stream consumer's fetch) -> a few chunks.

A stream worker receives messages one by one: one FWB, one XFZB, one CN 23 item.
Building a polars batch per message costs more than parsing it, so
``read_messages`` parses each message on its own (its own source name, format,
rejects and payload) and packs them all into shared chunks.  A message that cannot
be read at all (empty, unknown format) becomes a ``message`` reject with its bytes
kept: one bad message never stops the others.

Formats without a message-level parser in the format table (CSV through profiles,
manifest CSV/JSONL) are read by their reader and their chunks passed through as they are.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from interdictor.intake import formats
from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.detect import detect
from interdictor.intake.jsondoc import line_count
from interdictor.intake.records import Chunker, Parsed, raw_id
from interdictor.model import Reject


@dataclass(frozen=True)
class Message:
    data: bytes
    format: str | None = None  # None: detected from the bytes and the source name
    source: str = "-"  # subject or file name, recorded as provenance


def _refused(m: Message, reason: str) -> Parsed:
    raw = RawPayload(raw_id(m.source, 0, m.data), m.source, 1, line_count(m.data), m.data)
    return Parsed(raw, [], [Reject(m.source, None, None, reason, kind="message")])


def read_messages(messages: Iterable[Message], options: ReadOptions) -> Iterator[IntakeChunk]:
    chunker = Chunker(options)
    for m in messages:
        opts = replace(options, source_name=m.source)
        fmt = m.format or detect(m.data[:65536], m.source)
        if fmt is None:
            yield from chunker.add(_refused(m, "cannot tell the format of this message; name it "
                                            f"(one of {', '.join(formats.known_formats())})"))
            continue
        try:
            parsed = formats.parse_message(fmt, m.data, opts)
            if parsed is None:
                yield from chunker.flush()
                yield from formats.read(fmt, io.BytesIO(m.data), opts)
                continue
            seen = 0
            for p in parsed:
                seen += 1
                yield from chunker.add(p)
            if not seen:
                yield from chunker.add(_refused(m, "the message is empty"))
        except IntakeError as exc:
            yield from chunker.add(_refused(m, str(exc)))
    yield from chunker.flush()
