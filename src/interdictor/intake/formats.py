"""The format registry: one table of every format the CLI, the API and the stream worker read.

A row names a format and says everything the entry points need: its aliases, how
detection recognises it (Cargo-IMP message identifier, Cargo-XML root element, file
extensions), the reader of a whole source, and — for formats a stream carries one
message at a time — the parser of one message.  Column-mapping profiles shipped in
``intake/profiles/`` are formats too (their name is the format name); they run the
manifest CSV reader with that profile.  ``detect.detect`` picks a name from the first
bytes and the file name; ``--format NAME`` overrides it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

from interdictor.intake import cargo_imp, cargo_xml, json_manifest, onerecord, postal
from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.cimp.split import split
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.intake.jsonl import read_manifest_jsonl
from interdictor.intake.mapping import Profile, shipped_profiles
from interdictor.intake.records import Parsed

ReaderFn = Callable[[BinaryIO, ReadOptions], Iterator[IntakeChunk]]
# a whole source; ``profile`` is the column-mapping profile of the formats that take one (ignored by the others)
SourceFn = Callable[[BinaryIO, ReadOptions, Profile | None], Iterator[IntakeChunk]]
MessageFn = Callable[[bytes, ReadOptions], Iterator[Parsed]]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    read: SourceFn
    message: MessageFn | None = None  # one message on its own (stream worker); None: read as a whole source
    aliases: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()  # a file name ending so is this format when the content does not say
    smi: str | None = None  # the Cargo-IMP standard message identifier that names it
    xml_root: str | None = None  # the Cargo-XML root element that names it
    profile: str | None = None  # the shipped column profile it reads through


def _whole(fn: ReaderFn) -> SourceFn:
    return lambda stream, options, _profile: fn(stream, options)


def _cimp(smi: str) -> MessageFn:
    return lambda data, options: (cargo_imp.parse_block(b, options) for b in split(io.BytesIO(data), smi))


def _xml_message(data: bytes, options: ReadOptions) -> Iterator[Parsed]:
    return iter([cargo_xml.parse_document(data, options)])


def _stream(fn: Callable[[BinaryIO, ReadOptions], Iterator[Parsed]]) -> MessageFn:
    return lambda data, options: fn(io.BytesIO(data), options)


BUILTIN: tuple[Format, ...] = (
    Format("manifest-csv", "Manifest CSV, one row per item (the README's column contract)", read_manifest_csv,
           aliases=("csv",)),
    Format("manifest-jsonl", "JSON Lines with the manifest column names", read_manifest_jsonl,
           aliases=("jsonl", "ndjson"), extensions=(".jsonl", ".ndjson")),
    Format("json-manifest", "JSON manifest: a list of shipments or an object holding them, parties and items nested",
           _whole(json_manifest.read), _stream(json_manifest.parse), aliases=("json",)),
    Format("fwb", "IATA Cargo-IMP FWB air waybill (16, 17)", _whole(cargo_imp.read_fwb), _cimp("FWB"),
           extensions=(".fwb",), smi="FWB"),
    Format("fhl", "IATA Cargo-IMP FHL house manifest (4, 5)", _whole(cargo_imp.read_fhl), _cimp("FHL"),
           extensions=(".fhl",), smi="FHL"),
    Format("ffm", "IATA Cargo-IMP FFM flight manifest (8)", _whole(cargo_imp.read_ffm), _cimp("FFM"),
           extensions=(".ffm",), smi="FFM"),
    Format("xfwb", "IATA Cargo-XML XFWB waybill", _whole(cargo_xml.read), _xml_message, xml_root="Waybill"),
    Format("xfzb", "IATA Cargo-XML XFZB house waybill", _whole(cargo_xml.read), _xml_message,
           xml_root="HouseWaybill"),
    Format("xfhl", "IATA Cargo-XML XFHL house manifest", _whole(cargo_xml.read), _xml_message,
           xml_root="HouseManifest"),
    Format("cargo-xml", "Any IATA Cargo-XML message (the root element decides)", _whole(cargo_xml.read),
           _xml_message, aliases=("xml",)),
    Format("onerecord", "IATA ONE Record waybill (JSON-LD)", _whole(onerecord.read), _stream(onerecord.parse),
           aliases=("one-record", "jsonld"), extensions=(".jsonld",)),
    Format("cn23-json", "Postal CN 22/CN 23 (ITMATT-style) items as JSON or JSON Lines", _whole(postal.read_json),
           _stream(postal.parse_json), aliases=("cn23",)),
    Format("cn23-csv", "Postal CN 22/CN 23 (ITMATT-style) items as CSV, one row per content line",
           _whole(postal.read_csv)),
)


def _through_profile(name: str) -> SourceFn:
    return lambda stream, options, _profile: read_manifest_csv(stream, options, shipped_profiles()[name])


@cache
def _profile_formats() -> tuple[Format, ...]:
    try:
        profiles = shipped_profiles()
    except IntakeError:  # a broken profile file must not take the other formats down
        return ()
    return tuple(Format(name, f"CSV through the '{name}' column profile: {p.description}", _through_profile(name),
                        profile=name)
                 for name, p in profiles.items() if name not in {f.name for f in BUILTIN})


def formats() -> dict[str, Format]:
    """Every format by its name: the built-in ones, then the shipped column profiles."""
    return {f.name: f for f in (*BUILTIN, *_profile_formats())}


def find(name: str) -> Format | None:
    """The format called ``name`` or one of its aliases (any case); None when there is none."""
    key = name.strip().lower()
    table = formats()
    return table.get(key) or next((f for f in table.values() if key in f.aliases), None)


def get(name: str) -> Format:
    fmt = find(name)
    if fmt is None:
        raise IntakeError(f"unknown format {name!r}; known formats: {', '.join(formats())}")
    return fmt


class FormatNames(list[str]):
    """The format names, in table order; ``in`` also knows the aliases."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and find(name) is not None


def known_formats() -> FormatNames:
    return FormatNames(formats())


def reader(name: str) -> ReaderFn:
    """The reader of format ``name`` as ``read(stream, options)`` (no profile)."""
    fmt = get(name)
    return lambda stream, options: fmt.read(stream, options, None)


def read(name: str, stream: BinaryIO, options: ReadOptions, profile: Profile | None = None) -> Iterator[IntakeChunk]:
    """Read ``stream`` as format ``name``."""
    return get(name).read(stream, options, profile)


def parse_message(name: str, data: bytes, options: ReadOptions) -> Iterator[Parsed] | None:
    """One message of format ``name`` parsed on its own; None when the format is read as a whole source."""
    fmt = get(name)
    return fmt.message(data, options) if fmt.message is not None else None
