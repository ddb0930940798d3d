"""Choose the reader for a source: ``--format`` when given, else detected from name and first bytes.

The entry point of ``interdictor screen``, the API and the stream worker; every name it
knows comes from the one format table in ``formats``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from interdictor.intake import formats
from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.csv_manifest import _looks_binary
from interdictor.intake.detect import detect
from interdictor.intake.mapping import Profile

known_formats = formats.known_formats


def detect_format(head: bytes, filename: str) -> str | None:
    """The format of a source from its first bytes and its name; None when nothing fits."""
    return detect(head, filename)


def read_source(stream: BinaryIO, fmt: str | None, options: ReadOptions, profile: Profile | None) -> tuple[str, Iterator[IntakeChunk]]:
    """(format, chunks).  ``stream`` must be seekable when the format is detected."""
    if fmt is None:
        head = stream.read(65536)
        stream.seek(0)
        if not head.strip():
            raise IntakeError(f"{options.source_name}: the file is empty")
        why = _looks_binary(head)
        if why and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IntakeError(f"{options.source_name}: this looks like a binary file, not a manifest ({why})")
        # a column profile is for CSV: a source read with one is CSV unless it is plainly JSON
        fmt = "manifest-csv" if profile is not None and not head.lstrip().startswith(b"{") else detect(head, options.source_name)
        if fmt is None:
            raise IntakeError(
                f"{options.source_name}: cannot tell the format; pass --format (one of {', '.join(known_formats())})"
            )
    found = formats.get(fmt)
    return found.name, found.read(stream, options, profile)
