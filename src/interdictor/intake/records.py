"""Building blocks the message readers share: provenance, rejects, chunks.

A message reader turns each message (one Cargo-IMP message, one XML document, one
JSON object) into a ``Parsed``: the shipments it holds, the rejects it raised and the
verbatim bytes.  ``Chunker`` packs many ``Parsed`` into one ``IntakeChunk`` (one
batch per few thousand messages, not a polars frame per message).  It is also the
one place every message reader meets a waybill sent twice in one file: a later
copy identical to the one before is a duplicate — reported with both lines, read
once — and a differing one is an amendment that starts a new chunk, so it reaches
the store after the first as its next version.  And it stops a file at
``MAX_MESSAGES`` messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import Any, Literal

from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.jsondoc import NotJson, clamp, line_count, read_all, values
from interdictor.intake.limits import MAX_MESSAGES, MAX_TEXT
from interdictor.model import Batch, Reject, Shipment, shipments_to_batch

RejectKind = Literal["row", "field", "file", "message"]
CHUNK_SHIPMENTS = 5_000


def raw_id(source: str, offset: int, content: bytes) -> str:
    """Stable id of one payload: the same bytes at the same place of the same source."""
    h = hashlib.sha256(source.encode("utf-8", "replace"))
    h.update(b"\0%d\0" % offset)
    h.update(content)
    return h.hexdigest()[:32]


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class Problems:
    """Rejects raised while reading one message, all naming the same source."""

    source: str
    items: list[Reject] = field(default_factory=list)

    def add(self, line: int | None, fld: str | None, reason: str, shipment_id: str | None = None,
            kind: RejectKind = "field", raw: str | None = None) -> None:
        self.items.append(Reject(self.source, line, fld, reason, shipment_id,
                                 raw[:200] if raw else None, kind))

    def attach(self, shipment_id: str, since: int = 0) -> None:
        """Field problems found (from index ``since``) before the shipment had an id now name it."""
        self.items[since:] = [
            r if r.shipment_id is not None or r.kind != "field"
            else Reject(r.source, r.line, r.field, r.reason, shipment_id, r.raw, r.kind)
            for r in self.items[since:]
        ]


@dataclass
class Parsed:
    """What one message gave: its payload, shipments, rejects and records read."""

    raw: RawPayload
    shipments: list[Shipment] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rows: int = 1


_SHIPMENT = attrgetter("shipment_id", "mode", "filer", "mawb", "hawb", "postal_item_id", "filed_at", "carrier",
                       "origin_country", "origin_port", "destination_port", "routing", "pieces", "gross_weight_kg",
                       "declared_value", "currency")
_LINE_IN_EXTRA = re.compile(r'"line":\d+|\bline \d+')  # where a reader noted a line of the message
_PARTY = attrgetter("role", "name", "phone", "email", "address.lines", "address.city", "address.state",
                    "address.postal_code", "address.country")
_ITEM = attrgetter("description", "hs_code", "quantity", "weight_kg", "value", "origin_country", "cas_number")


def fingerprint(s: Shipment) -> int:
    """What a shipment says, without where it was said (its lines): equal for an unchanged copy.
    Field by field rather than ``repr``: ~10 µs a shipment instead of ~150."""
    extra = s.extra
    if extra is not None and "line" in extra:
        extra = _LINE_IN_EXTRA.sub("", extra)
    return hash((_SHIPMENT(s), extra, tuple(map(_PARTY, s.parties)), tuple(map(_ITEM, s.items))))


class Chunker:
    """Packs parsed messages into chunks; see the module docstring for repeats and the message limit."""

    def __init__(self, options: ReadOptions, limit: int = CHUNK_SHIPMENTS, max_messages: int | None = None) -> None:
        self.limit = max(1, min(limit, options.chunk_rows))
        self.max_messages = MAX_MESSAGES if max_messages is None else max_messages
        self.messages = 0
        self.full = False  # the message limit was reached: the reader may stop
        # shipment id -> (fingerprint, line, source) of its copy last read, for the whole file
        self.seen: dict[str, tuple[int, int | None, str]] = {}
        self._reset()

    def _reset(self) -> None:
        self.shipments: list[Shipment] = []
        self.ids: set[str] = set()
        self.rejects: list[Reject] = []
        self.raw: list[RawPayload] = []
        self.raw_of: dict[str, str] = {}
        self.rows = 0

    def add(self, parsed: Parsed) -> Iterator[IntakeChunk]:
        """Add one message; a large one (a JSON manifest) is spread over several chunks, its
        payload travelling with the first."""
        self.messages += 1
        if self.messages > self.max_messages:
            if not self.full:
                self.full = True
                self.rejects.append(Reject(parsed.raw.source, parsed.raw.first_line, None,
                                           f"more than {self.max_messages:,} messages in one file: this one and "
                                           "those after it are not read; split the file", kind="message"))
            return
        parsed = self._drop_repeats(parsed)
        if any(s.shipment_id in self.ids for s in parsed.shipments):
            yield from self.flush()
        self.raw.append(parsed.raw)
        self.rejects.extend(parsed.rejects)
        self.rows += parsed.rows
        for s in parsed.shipments:
            if len(self.shipments) >= self.limit:
                yield from self.flush()
            self.shipments.append(s)
            self.ids.add(s.shipment_id)
            self.raw_of[s.shipment_id] = parsed.raw.raw_id
        if len(self.shipments) >= self.limit or len(self.raw) >= 4 * self.limit:
            yield from self.flush()

    def _drop_repeats(self, parsed: Parsed) -> Parsed:
        """``parsed`` without the shipments that repeat the copy read before them unchanged; each
        dropped one is a reject naming both lines (its payload is still kept, as sent)."""
        keep: list[Shipment] = []
        dropped: list[Reject] = []  # no shipment id on them: the copy screened must not look rejected
        dropped_ids: set[str] = set()
        for s in parsed.shipments:
            fp = fingerprint(s)
            line = s.line if s.line is not None else parsed.raw.first_line
            before = self.seen.get(s.shipment_id)
            if before is not None and before[0] == fp:
                where = f"line {before[1]}" if before[2] == parsed.raw.source else f"line {before[1]} of {before[2]}"
                dropped.append(Reject(parsed.raw.source, line, None,
                                      f"line {line} repeats the waybill of {where} unchanged "
                                      f"(shipment {s.shipment_id}); read once", kind="message"))
                dropped_ids.add(s.shipment_id)
                continue
            self.seen[s.shipment_id] = (fp, line, parsed.raw.source)
            keep.append(s)
        if not dropped:
            return parsed
        rejects = [r for r in parsed.rejects if r.shipment_id not in dropped_ids]  # said already of the first copy
        return Parsed(parsed.raw, keep, rejects + dropped, parsed.rows)

    def flush(self) -> Iterator[IntakeChunk]:
        if not self.raw and not self.rejects and not self.shipments:
            return
        batch = shipments_to_batch(self.shipments) if self.shipments else Batch.empty()
        chunk = IntakeChunk(batch=batch, rejects=self.rejects, raw=self.raw, rows=self.rows, raw_of=self.raw_of)
        self._reset()
        yield chunk


def chunked(parsed: Iterable[Parsed], options: ReadOptions) -> Iterator[IntakeChunk]:
    """Pack parsed messages into chunks (a reader's last step)."""
    chunker = Chunker(options)
    for p in parsed:
        yield from chunker.add(p)
    yield from chunker.flush()


SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE_REASON = ("text holds an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape that is not half of a "
                         "pair), which is no character; the value was not read — re-export the text as UTF-8")


def clip(text: str | None, problems: Problems, line: int | None, fld: str,
         limit: int = MAX_TEXT) -> str | None:
    """Whitespace-collapsed text, cut at ``limit`` characters with a reject saying so.  Text that
    holds a lone surrogate (JSON can escape one; it is no character) is rejected, not kept."""
    if text is None:
        return None
    if len(text) <= limit and "  " not in text and text.isprintable() and text.strip() == text:
        return text or None  # already clean: the common case, kept cheap
    if SURROGATE.search(text):  # never printable, so never on the cheap path above
        problems.add(line, fld, LONE_SURROGATE_REASON)
        return None
    flat = " ".join(text.split())
    if not flat:
        return None
    if len(flat) > limit:
        problems.add(line, fld, f"text is {len(flat):,} characters long; kept the first {limit:,}")
        return flat[:limit]
    return flat


def extra_json(values: dict[str, Any]) -> str | None:
    """Format-specific fields as a JSON object, empty values left out."""
    kept = {k: v for k, v in values.items() if v not in (None, "", [], {}, ())}
    if not kept:
        return None
    text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"), default=str)
    if not text.isascii() and SURROGATE.search(text):  # a lone surrogate cannot be stored as UTF-8: keep it escaped
        return json.dumps(kept, separators=(",", ":"), default=str)
    return text


@cache
def _airports() -> dict[str, str]:
    import airportsdata  # ~0.15 s to load; only when a reader needs a country for an airport

    return {code: a["country"] for code, a in airportsdata.load("IATA").items() if a.get("country")}


def airport_country(code: str | None) -> str | None:
    if not code:
        return None
    return _airports().get(code)


def mode_override(options: ReadOptions, default: str) -> str:
    """``mode`` from the reader options (``profile: {mode: express}``) or the format's default."""
    prof = options.profile or {}
    mode = prof.get("mode") if isinstance(prof, dict) else None
    return mode if mode in ("air", "express", "postal", "ocean", "truck") else default


def routing(points: list[str | None]) -> str | None:
    """Dash-joined points, consecutive repeats removed (``PVG-PVG-LAX`` -> ``PVG-LAX``)."""
    out: list[str] = []
    for p in points:
        if p and (not out or out[-1] != p):
            out.append(p)
    return "-".join(out) if out else None


__all__ = ["Chunker", "Parsed", "Problems", "Reject", "airport_country", "clip", "content_hash",
           "extra_json", "fingerprint", "mode_override", "raw_id", "routing"]


def read_json_document(stream: Any, src: str, problems: Problems) -> tuple[bytes, list[tuple[Any, int | None, str | None]] | None]:
    """A JSON document's bytes and its top-level values (``jsondoc.values``); the values are None, and the
    reason is in ``problems``, when it is not JSON.  ``IntakeError`` when the file is empty."""
    data = b""
    try:
        data = read_all(stream)
        if not data.strip():
            raise IntakeError(f"{src}: the file is empty")
        return data, values(data)
    except NotJson as exc:
        lines = _json_lines(data)
        if lines is not None:
            return data, lines
        problems.add(clamp(exc.line, data), None, exc.reason, kind="message")
        return data, None


def _json_lines(data: bytes) -> list[tuple[Any, int | None, str | None]] | None:
    """A document that is not JSON as a whole but whose lines each start an object: JSON Lines with a
    broken line (``values`` reads it so only when the first line parses).  Each line on its own, a bad
    one a reason; None when the shape is not that."""
    lines = data.split(b"\n")
    if sum(1 for x in lines if x.strip()) < 2 or not all(x.lstrip().startswith(b"{") for x in lines if x.strip()):
        return None
    out: list[tuple[Any, int | None, str | None]] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append((values(line)[0][0], n, None))
        except NotJson as exc:
            out.append((None, n, exc.reason))
    return out


def not_json(src: str, data: bytes, problems: Problems) -> Parsed:
    """A document that is not JSON: its first megabyte kept as the raw payload, the reason as the reject."""
    kept = data[:1_000_000]
    return Parsed(RawPayload(raw_id(src, 0, kept), src, 1, line_count(data), kept), [], problems.items)
