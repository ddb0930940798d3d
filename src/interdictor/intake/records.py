"""Building blocks the message readers share: provenance, rejects, chunks.

A message reader turns each message (one Cargo-IMP message, one XML document, one
JSON object) into a ``Parsed``: the shipments it holds, the rejects it raised and the
verbatim bytes.  ``Chunker`` packs many ``Parsed`` into one ``IntakeChunk`` (one
batch per few thousand messages, not a polars frame per message), and starts a new
chunk when a shipment id repeats: the later message is an amendment and must reach
the store after the first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.jsondoc import NotJson, clamp, line_count, read_all, values
from interdictor.intake.limits import MAX_TEXT
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


class Chunker:
    """Packs parsed messages into chunks; a repeated shipment id starts a new chunk."""

    def __init__(self, options: ReadOptions, limit: int = CHUNK_SHIPMENTS) -> None:
        self.limit = max(1, min(limit, options.chunk_rows))
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


def clip(text: str | None, problems: Problems, line: int | None, fld: str,
         limit: int = MAX_TEXT) -> str | None:
    """Whitespace-collapsed text, cut at ``limit`` characters with a reject saying so."""
    if text is None:
        return None
    if len(text) <= limit and "  " not in text and text.isprintable() and text.strip() == text:
        return text or None  # already clean: the common case, kept cheap
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
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"), default=str)


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
           "extra_json", "mode_override", "raw_id", "routing"]


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
        problems.add(clamp(exc.line, data), None, exc.reason, kind="message")
        return data, None


def not_json(src: str, data: bytes, problems: Problems) -> Parsed:
    """A document that is not JSON: its first megabyte kept as the raw payload, the reason as the reject."""
    kept = data[:1_000_000]
    return Parsed(RawPayload(raw_id(src, 0, kept), src, 1, line_count(data), kept), [], problems.items)
