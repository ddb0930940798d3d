"""The format registry: name -> reader (loaded on first use) and a one-line description.

Every reader has the signature ``read(stream: BinaryIO, options: ReadOptions) ->
Iterator[IntakeChunk]``.  Column-mapping profiles shipped in ``intake/profiles/`` are
formats too (their name is the format name); they run the manifest CSV reader with
that profile.  ``detect.detect`` picks a name from the first bytes and the file name;
``--format NAME`` overrides it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO, cast

from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions

ReaderFn = Callable[[BinaryIO, ReadOptions], Iterator[IntakeChunk]]


@dataclass(frozen=True)
class Format:
    name: str
    reader: str  # "module:function", imported on first use
    description: str
    extensions: tuple[str, ...] = ()


_BUILTIN = (
    Format("manifest-csv", "interdictor.intake.csv_manifest:read_manifest_csv",
           "Manifest CSV, one row per item (the README's column contract)", (".csv", ".tsv")),
    Format("manifest-jsonl", "interdictor.intake.jsonl:read_manifest_jsonl",
           "JSON Lines with the manifest column names", (".jsonl", ".ndjson")),
    Format("json-manifest", "interdictor.intake.json_manifest:read",
           "JSON manifest: a list of shipments or an object holding them, parties and items nested", (".json",)),
    Format("fwb", "interdictor.intake.cargo_imp:read_fwb", "IATA Cargo-IMP FWB air waybill (16, 17)", (".fwb",)),
    Format("fhl", "interdictor.intake.cargo_imp:read_fhl", "IATA Cargo-IMP FHL house manifest (4, 5)", (".fhl",)),
    Format("ffm", "interdictor.intake.cargo_imp:read_ffm", "IATA Cargo-IMP FFM flight manifest (8)", (".ffm",)),
    Format("xfwb", "interdictor.intake.cargo_xml:read", "IATA Cargo-XML XFWB waybill", (".xml",)),
    Format("xfzb", "interdictor.intake.cargo_xml:read", "IATA Cargo-XML XFZB house waybill", (".xml",)),
    Format("xfhl", "interdictor.intake.cargo_xml:read", "IATA Cargo-XML XFHL house manifest", (".xml",)),
    Format("cargo-xml", "interdictor.intake.cargo_xml:read",
           "Any IATA Cargo-XML message (the root element decides)", (".xml",)),
    Format("onerecord", "interdictor.intake.onerecord:read", "IATA ONE Record waybill (JSON-LD)", (".jsonld",)),
    Format("cn23-json", "interdictor.intake.postal:read_json",
           "Postal CN 22/CN 23 (ITMATT-style) items as JSON or JSON Lines", (".json",)),
    Format("cn23-csv", "interdictor.intake.postal:read_csv",
           "Postal CN 22/CN 23 (ITMATT-style) items as CSV, one row per content line", (".csv",)),
)


@cache
def _profile_formats() -> dict[str, Format]:
    try:
        from interdictor.intake.mapping import shipped_profiles

        profiles = shipped_profiles()
    except Exception:  # a broken profile file must not take the other formats down
        return {}
    return {name: Format(name, f"profile:{name}", f"CSV through the '{name}' column profile: {p.description}",
                         (".csv",))
            for name, p in profiles.items() if name not in {f.name for f in _BUILTIN}}


def formats() -> dict[str, Format]:
    return {**{f.name: f for f in _BUILTIN}, **_profile_formats()}


class _Names:
    """``name in FORMATS`` and iteration see the built-in formats and the shipped profiles."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in formats()

    def __iter__(self) -> Iterator[str]:
        return iter(formats())

    def __len__(self) -> int:
        return len(formats())


FORMATS = _Names()


def reader(name: str) -> ReaderFn:
    fmt = formats().get(name)
    if fmt is None:
        raise IntakeError(f"unknown format {name!r}; known formats: {', '.join(formats())}")
    if fmt.reader.startswith("profile:"):
        return _profile_reader(fmt.reader.partition(":")[2])
    module, _, fn = fmt.reader.partition(":")
    return cast(ReaderFn, getattr(importlib.import_module(module), fn))


def _profile_reader(profile_name: str) -> ReaderFn:
    def read(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
        from interdictor.intake.csv_manifest import read_manifest_csv
        from interdictor.intake.mapping import load_profile

        return read_manifest_csv(stream, options, load_profile(profile_name))

    return read


def read(name: str, stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    """Read ``stream`` as format ``name``."""
    return reader(name)(stream, options)
