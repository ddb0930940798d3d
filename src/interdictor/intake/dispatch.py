"""Choose the reader for a source: ``--format`` when given, else detected from name and first bytes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.intake.jsonl import read_manifest_jsonl
from interdictor.intake.mapping import Profile

CORE_FORMATS = ("manifest-csv", "manifest-jsonl")


def sniff_core(head: bytes, filename: str) -> str | None:
    name = filename.lower()
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith((".jsonl", ".ndjson")):
        return "manifest-jsonl"
    if (body.startswith(b"{") and b"\n{" in body[:65536]) or (body.startswith(b"{") and name.endswith(".jsonl")):
        return "manifest-jsonl"
    if name.endswith((".csv", ".tsv", ".txt")) and b"," in body.split(b"\n", 1)[0]:
        return "manifest-csv"
    return None


def known_formats() -> list[str]:
    names = list(CORE_FORMATS)
    try:
        from interdictor.intake import formats as partner_formats

        names += [n for n in partner_formats.FORMATS if n not in names]
    except ImportError:
        pass
    return names


def detect_format(head: bytes, filename: str) -> str | None:
    try:
        from interdictor.intake import detect as partner_detect

        found = partner_detect.detect(head, filename)
        if found:
            return str(found)
    except ImportError:
        pass
    found_core = sniff_core(head, filename)
    if found_core:
        return found_core
    first = head.split(b"\n", 1)[0]
    if b"," in first and (b"shipment_id" in first.lower() or first.count(b",") >= 2):
        return "manifest-csv"
    return None


def read_source(stream: BinaryIO, fmt: str | None, options: ReadOptions, profile: Profile | None) -> tuple[str, Iterator[IntakeChunk]]:
    """(format, chunks).  ``stream`` must be seekable when the format is detected."""
    if fmt is None:
        head = stream.read(65536)
        stream.seek(0)
        if not head.strip():
            raise IntakeError(f"{options.source_name}: the file is empty")
        from interdictor.intake.csv_manifest import _looks_binary

        why = _looks_binary(head)
        if why and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IntakeError(f"{options.source_name}: this looks like a binary file, not a manifest ({why})")
        fmt = "manifest-csv" if profile is not None and not head.lstrip().startswith(b"{") else detect_format(head, options.source_name)
        if fmt is None:
            raise IntakeError(
                f"{options.source_name}: cannot tell the format; pass --format (one of {', '.join(known_formats())})"
            )
    if fmt == "manifest-csv":
        return fmt, read_manifest_csv(stream, options, profile)
    if fmt == "manifest-jsonl":
        return fmt, read_manifest_jsonl(stream, options, profile)
    try:
        from interdictor.intake import formats as partner_formats
    except ImportError:
        partner_formats = None  # type: ignore[assignment]
    if partner_formats is not None and fmt in partner_formats.FORMATS:
        return fmt, partner_formats.read(fmt, stream, options)
    raise IntakeError(f"unknown format {fmt!r}; known formats: {', '.join(known_formats())}")
