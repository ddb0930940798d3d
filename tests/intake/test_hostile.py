"""Hostile input for every partner-format reader: random, truncated and garbled bytes.

Properties, for every reader:
* nothing escapes but ``IntakeError`` (a source that is unreadable as a whole);
* no reader bug is hidden as a reject ("could not read this ...");
* every payload is accounted for: it holds a shipment, or a reject names it;
* Cargo-IMP payloads concatenate back to the input (no byte silently dropped).
And bounded memory on endless input, checked with tracemalloc.
"""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import Result, fixture, run
from test_cargo_xml import XFHL, xfzb
from test_onerecord import WAYBILL
from test_postal import ITEM

from interdictor.intake import cargo_imp, cargo_xml, json_manifest, onerecord, postal
from interdictor.intake.base import IntakeError
from interdictor.intake.limits import CIMP_MAX_LINE, XML_MAX_DOCUMENT

SEEDS: dict[str, tuple[Callable[..., object], bytes]] = {
    "fwb": (cargo_imp.read, fixture("fwb16_envelope.txt") + b"\n" + fixture("cimp_mixed.txt")),
    "fhl": (cargo_imp.read, fixture("fhl4_houses.txt")),
    "xfzb": (cargo_xml.read, xfzb()),
    "xfhl": (cargo_xml.read, XFHL),
    "cn23-json": (postal.read_json, json.dumps({"items": [ITEM, ITEM]}).encode()),
    "cn23-csv": (postal.read_csv, fixture("cn23_items.csv")),
    "json-manifest": (json_manifest.read, json.dumps([{"shipment_id": "A", "items": [{"description": "X"}]}]).encode()),
    "onerecord": (onerecord.read, json.dumps(WAYBILL).encode()),
}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(name: str, data: bytes) -> Result | None:
    reader, _ = SEEDS[name]
    try:
        return run(reader, data, source=name)  # type: ignore[arg-type]
    except IntakeError:
        return None  # e.g. empty input: the whole source is refused with a reason


def _accounted(r: Result) -> None:
    assert not any("could not read this" in x.reason for x in r.rejects), r.rejects
    for p in r.raw:
        if p.raw_id in r.shipped:
            continue
        named = [x for x in r.rejects if x.line is None or p.first_line <= x.line <= p.last_line]
        assert named or not p.content.strip() or p.content.lstrip().startswith(b"FFM"), p
    assert len(set(r.ids)) == len(r.ids) or r.chunks > 1  # a chunk never holds one id twice


def _mutate(data: bytes, cut: int, junk: bytes, at: int, mode: int) -> bytes:
    at %= max(1, len(data))
    if mode == 0:
        return data[: cut % max(1, len(data))]  # truncated
    if mode == 1:
        return data[:at] + junk + data[at:]  # junk inserted
    if mode == 2:
        return data[:at] + junk + data[at + len(junk):]  # overwritten
    return data[:at] + data[at:] * 2  # a tail repeated


@given(st.sampled_from(sorted(SEEDS)), st.integers(0, 10_000), st.binary(max_size=64), st.integers(0, 10_000),
       st.integers(0, 3))
@FAST
def test_garbled_seed_messages(name: str, cut: int, junk: bytes, at: int, mode: int) -> None:
    r = _read(name, _mutate(SEEDS[name][1], cut, junk, at, mode))
    if r is not None:
        _accounted(r)


@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=3000))
@FAST
def test_random_bytes(name: str, data: bytes) -> None:
    r = _read(name, data)
    if r is not None:
        _accounted(r)


CIMP_LINES = st.lists(st.one_of(
    st.sampled_from(["FWB/17", "FHL/5", "FFM/8", "FSU/12", "=", "NNNN", "QK LAXFMXH", ".PVGFMCA 010101", "",
                     "176-12345675PVGLAX/T1K1", "MBI/176-12345675PVGLAX/T1K1", "HBS/A1/PVGLAX/1/K1//X", "SHP",
                     "NAM/X", "/US/1/TE/2", "RTD/1/P1/K1", "/NG/GOODS", "/NH/8479", "OCI/US/CNE/CT/1", "CVD/USD//PP/NVD/1/XXX",
                     "ULD/PMC1", "LAST", "=HEADER", "=TEXT"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-. \r\t", max_size=80)), max_size=60)


@given(CIMP_LINES, st.sampled_from(["\n", "\r\n", "\r"]))
@settings(max_examples=150, deadline=None)
def test_cargo_imp_line_soup_keeps_every_byte(lines: list[str], eol: str) -> None:
    data = eol.join(lines).encode()
    r = _read("fwb", data)
    if r is None:
        assert not data.strip()
        return
    _accounted(r)
    if all(len(line) <= CIMP_MAX_LINE for line in lines):
        assert b"".join(p.content for p in r.raw) == data


class Endless(io.RawIOBase):
    """``size`` bytes of ``pattern`` produced on demand, never held whole."""

    def __init__(self, size: int, pattern: bytes) -> None:
        self.left, self.pattern = size, pattern

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        n = min(len(buf), self.left)
        chunk = (self.pattern * (n // len(self.pattern) + 1))[:n]
        buf[:n] = chunk
        self.left -= n
        return n


def _peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_endless_line_costs_bounded_memory() -> None:
    from interdictor.intake.base import ReadOptions

    def go() -> None:
        stream = io.BufferedReader(Endless(64 * 1024 * 1024, b"FWB/17\n/NG/" + b"A" * 4000))
        list(cargo_imp.read(stream, ReadOptions(source_name="endless")))

    assert _peak(go) < 48 * 1024 * 1024  # 64 MB in, a few MB held


def test_oversized_xml_is_refused_after_the_cap() -> None:
    from interdictor.intake.base import ReadOptions

    stream = io.BufferedReader(Endless(XML_MAX_DOCUMENT + 10, b"<a>"))
    chunks = list(cargo_xml.read(stream, ReadOptions(source_name="big.xml")))
    (reject,) = [x for c in chunks for x in c.rejects]
    assert reject.kind == "message" and "limit" in reject.reason
