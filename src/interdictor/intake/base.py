"""Types shared by every reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from interdictor.model import Batch, Reject


class IntakeError(Exception):
    """The source cannot be read at all (exit code 2); bad rows are Rejects, not this."""


@dataclass(frozen=True, slots=True)
class RawPayload:
    """Verbatim bytes a partner sent, with where they came from.

    Canonical records point back here by ``raw_id`` and line, so any record can be
    traced to the bytes it came from.
    """

    raw_id: str
    source: str  # file name or message subject
    first_line: int
    last_line: int
    content: bytes
    document_id: str | None = None  # message-level id (AWB, HAWB, item id) where the format has one


@dataclass(slots=True)
class IntakeChunk:
    batch: Batch
    rejects: list[Reject] = field(default_factory=list)
    raw: list[RawPayload] = field(default_factory=list)
    rows: int = 0  # source rows / records read in this chunk (good and bad)
    # shipment_id -> raw_id of the payload that holds it (for provenance).  Empty with
    # exactly one payload in ``raw``: every shipment of the chunk came from that payload.
    raw_of: dict[str, str] = field(default_factory=dict)
    # file-level notices that are not rejects (e.g. "decoded as GB18030")
    notices: list[str] = field(default_factory=list)


ProgressFn = Callable[[int], None]  # bytes consumed so far


@dataclass(frozen=True)
class ReadOptions:
    source_name: str = "-"
    profile: dict[str, Any] | None = None  # column-mapping profile (CSV/JSON)
    encoding: str | None = None  # force a text encoding; default: UTF-8, detected otherwise
    chunk_rows: int = 200_000
    max_line_bytes: int = 1_000_000
    max_field_chars: int = 4_096
    progress: ProgressFn | None = None  # called with bytes consumed so far

