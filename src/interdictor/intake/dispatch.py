"""Choose the reader for a source: ``--format`` when given, else detected from name and first bytes.

The entry point of ``interdictor screen``, the API and the stream worker; every name it
knows comes from the one format table in ``formats``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from interdictor.intake import formats
from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.csv_manifest import _looks_binary
from interdictor.intake.detect import detect
from interdictor.intake.mapping import Profile
from interdictor.intake.text import codec, recoding

known_formats = formats.known_formats


def detect_format(head: bytes, filename: str) -> str | None:
    """The format of a source from its first bytes and its name; None when nothing fits."""
    return detect(head, filename)


XML_FORMATS = frozenset({f.name for f in formats.BUILTIN if f.xml_root} | {"cargo-xml"})


def read_source(stream: BinaryIO, fmt: str | None, options: ReadOptions, profile: Profile | None) -> tuple[str, Iterator[IntakeChunk]]:
    """(format, chunks).  ``stream`` must be seekable when the format is detected.

    UTF-16/32 text and CR-only lines are read as UTF-8 lines by every text reader (``intake.text``),
    with a notice; XML is left to its parser, which reads its own encoding declaration."""
    encoding = codec(options.encoding, options.source_name) if options.encoding else None
    recode = None
    if fmt is None or stream.seekable():
        head = stream.read(65536)
        stream.seek(0)
        recode = recoding(head, encoding)
        if recode is not None:
            head = recode.head(head)
    if fmt is None:
        if not head.strip():
            raise IntakeError(f"{options.source_name}: the file is empty")
        why = _looks_binary(head)
        if why:
            raise IntakeError(f"{options.source_name}: this looks like a binary file, not a manifest ({why})")
        # a column profile is for CSV: a source read with one is CSV unless it is plainly JSON
        fmt = "manifest-csv" if profile is not None and not head.lstrip().startswith(b"{") else detect(head, options.source_name)
        if fmt is None:
            raise IntakeError(
                f"{options.source_name}: cannot tell the format; pass --format (one of {', '.join(known_formats())})"
            )
    found = formats.get(fmt)
    if recode is None or found.name in XML_FORMATS:
        return found.name, found.read(stream, options, profile)
    if recode.encoding:
        options = replace(options, encoding=None)
    return found.name, _noticed(found.read(recode.wrap(stream), options, profile), recode.notices(options.source_name))


def _noticed(chunks: Iterator[IntakeChunk], notices: list[str]) -> Iterator[IntakeChunk]:
    """The chunks, the first one carrying ``notices``."""
    for chunk in chunks:
        chunk.notices[:0], notices = notices, []
        yield chunk
