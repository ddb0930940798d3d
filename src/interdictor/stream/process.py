"""What a worker does with a batch of messages: parse, screen, store, answer — once each.

Synchronous and free of NATS, so it is tested directly; ``worker.py`` feeds it
from the stream and acknowledges what it returns.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import polars as pl

from interdictor.answers import derive, render
from interdictor.answers.model import HouseAnswer, Status
from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.dispatch import detect_format, known_formats, read_source
from interdictor.intake.formats import parse_message as _message_parser
from interdictor.intake.records import Chunker, Parsed
from interdictor.screening import Screening, ScreenRun
from interdictor.store.db import Store
from interdictor.store.ledger import record, seen
from interdictor.stream.subjects import Names, Route, message_key

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024 * 1024


@dataclass
class Incoming:
    subject: str
    data: bytes
    seq: int | None = None
    route: Route | None = None
    key: str = ""
    names: Names = field(default_factory=Names)

    def __post_init__(self) -> None:
        self.route = self.route or self.names.parse(self.subject)
        if not self.key:
            r = self.route
            self.key = message_key(r.partner if r else "?", r.fmt if r else None, self.data)


@dataclass
class Result:
    key: str
    status: str  # processed | duplicate | dead
    partner: str | None
    reason: str | None = None
    answer: dict[str, Any] | None = None
    shipment_ids: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    msg: Incoming
    fmt: str
    parsed: list[Parsed] = field(default_factory=list)  # message-level parses (packed into shared chunks)
    chunks: list[IntakeChunk] = field(default_factory=list)  # readers without a message-level parser

    @property
    def ids(self) -> list[str]:
        ids = [s.shipment_id for p in self.parsed for s in p.shipments]
        ids += [s for c in self.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()]
        return list(dict.fromkeys(ids))

    @property
    def rejects(self) -> list[Any]:
        return [r for p in self.parsed for r in p.rejects] + [r for c in self.chunks for r in c.rejects]


def _parse(msg: Incoming) -> _Parsed | str:
    """Parsed message, or the reason it goes to the dead-letter stream."""
    if msg.route is None:
        return f"subject {msg.subject!r} is not {msg.names.intake_prefix}.<partner>.<format>"
    if len(msg.data) > MAX_MESSAGE_BYTES:
        return f"message of {len(msg.data):,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit"
    opts = ReadOptions(source_name=f"{msg.subject}#{msg.seq or '?'}")
    try:
        fmt = msg.route.fmt or detect_format(msg.data[:65536], opts.source_name)
        if fmt is None:
            return f"cannot tell the format of this message; name it in the subject (one of {', '.join(known_formats())})"
        if fmt not in known_formats():
            return f"unknown format {fmt!r} in the subject; known formats: {', '.join(known_formats())}"
        message_level = _message_parser(fmt, msg.data, opts)
        if message_level is not None:
            parsed = _Parsed(msg, fmt, parsed=list(message_level))
        else:
            _, chunks = read_source(io.BytesIO(msg.data), fmt, opts, None)
            parsed = _Parsed(msg, fmt, chunks=[_own_raw_ids(c, msg.key[:16]) for c in chunks])
    except IntakeError as exc:
        return str(exc)
    except Exception as exc:
        log.exception("reader failed on %s", opts.source_name)
        return f"the reader failed on this message: {type(exc).__name__}: {exc}"[:500]
    if not parsed.ids:
        reasons = "; ".join(f"line {r.line}: {r.reason}" if r.line else r.reason for r in parsed.rejects[:5])
        return f"no shipment could be read ({reasons or 'empty message'})"[:1000]
    return parsed


def process(store: Store, screening: Screening, msgs: Sequence[Incoming], worker: str = "worker") -> list[Result]:
    """Parse, screen, store and answer a batch of messages.  Raises only when the store fails
    (the caller then redelivers); bad messages come back as ``dead``."""
    done = seen(store, [m.key for m in msgs])
    results: list[Result] = []
    ledger: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    by_partner: dict[str, list[_Parsed]] = {}
    for m in msgs:
        partner = m.route.partner if m.route else None
        if m.key in done:
            results.append(Result(m.key, "duplicate", partner))
            continue
        done.add(m.key)  # the same message twice in one batch counts once
        parsed = _parse(m)
        if isinstance(parsed, str):
            results.append(Result(m.key, "dead", partner, reason=parsed))
            ledger.append(_row(m, "dead", parsed, None, [], worker, now))
            continue
        assert partner is not None
        by_partner.setdefault(partner, []).append(parsed)
    for partner, items in by_partner.items():
        results.extend(_screen(store, screening, partner, items, ledger, worker, now))
    record(store, ledger)
    return results


def _own_raw_ids(chunk: IntakeChunk, prefix: str) -> IntakeChunk:
    """Payload ids made unique per message (a file reader numbers its payloads per source name)."""
    raws = [replace(r, raw_id=f"{prefix}.{r.raw_id}") for r in chunk.raw]
    raw_of = {sid: f"{prefix}.{rid}" for sid, rid in chunk.raw_of.items()}
    if not raw_of and len(raws) == 1:
        raw_of = {sid: raws[0].raw_id for sid in chunk.batch.shipments.get_column("shipment_id").to_list()}
    return replace(chunk, raw=raws, raw_of=raw_of)


def _chunks(items: list[_Parsed]) -> Iterator[IntakeChunk]:
    """All messages of one partner packed into few chunks (a shipment sent twice starts a new one)."""
    chunker = Chunker(ReadOptions())
    for p in items:
        for one in p.parsed:
            yield from chunker.add(one)
        if p.chunks:
            yield from chunker.flush()
            yield from p.chunks
    yield from chunker.flush()


def _screen(store: Store, sc: Screening, partner: str, items: list[_Parsed], ledger: list[dict[str, Any]],
            worker: str, now: datetime) -> list[Result]:
    ids_frames: list[pl.DataFrame] = []
    with ScreenRun(sc, partner=partner, source=f"stream {partner}: {len(items)} message(s)", fmt=items[0].fmt,
                   store=store, keep_frames=True) as run:
        for chunk in _chunks(items):
            run.add(chunk)
            ids_frames.append(chunk.batch.shipments.select("shipment_id", "mawb", "hawb", "postal_item_id"))
        run.finish()
    ships = pl.concat(ids_frames, how="vertical_relaxed").unique("shipment_id", keep="last")
    # one answer pass for the whole batch, then each message gets its own house bills
    frame = derive.answer_frame(ships, run.assessed, run.reasons, sc.ruleset)
    by_id = {row["shipment_id"]: row for row in frame.iter_rows(named=True)}
    results = []
    for p in items:
        ids = p.ids
        houses = [_house(by_id[i]) for i in ids if i in by_id]
        answer = render.to_jsonable(houses, in_reply_to=p.msg.subject)
        answer["rejects"] = [{"line": r.line, "field": r.field, "reason": r.reason} for r in p.rejects][:100]
        results.append(Result(p.msg.key, "processed", partner, answer=answer, shipment_ids=ids))
        ledger.append(_row(p.msg, "processed", None, run.summary.run_id, ids, worker, now, p.fmt))
    return results


def _house(row: dict[str, Any]) -> HouseAnswer:
    return HouseAnswer(shipment_id=row["shipment_id"], status=Status(row["status"]),
                       reason_codes=tuple(row["reason_codes"] or ()), data_requested=tuple(row["data_requested"] or ()),
                       mawb=row["mawb"], hawb=row["hawb"], postal_item_id=row["postal_item_id"])


def _row(m: Incoming, status: str, reason: str | None, run_id: str | None, ids: list[str], worker: str,
         now: datetime, fmt: str | None = None) -> dict[str, Any]:
    return {
        "msg_key": m.key, "partner": (m.route.partner if m.route else "?")[:64], "subject": m.subject[:256],
        "format": fmt or (m.route.fmt if m.route else None), "stream_seq": m.seq, "status": status,
        "reason": reason, "run_id": run_id, "document_ids": json.dumps(ids[:1000]), "worker": worker[:64], "at": now,
    }
