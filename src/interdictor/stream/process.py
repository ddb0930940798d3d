"""What a worker does with a batch of messages: parse, screen, store, answer — once each.

Synchronous and free of NATS, so it is tested directly; ``worker.py`` feeds it
from the stream and acknowledges what it returns.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from interdictor.answers import derive, render
from interdictor.intake.base import IntakeChunk, IntakeError, ReadOptions
from interdictor.intake.dispatch import read_source
from interdictor.pipeline import ScreenRun
from interdictor.service.screening import Screening, layers, merge
from interdictor.store.db import Store
from interdictor.store.schema_stream import stream_messages
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
    chunks: list[IntakeChunk]

    @property
    def ids(self) -> list[str]:
        return list(dict.fromkeys(s for c in self.chunks for s in c.batch.shipments.get_column("shipment_id").to_list()))


def seen(store: Store, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    with store.connect() as conn:
        q = select(stream_messages.c.msg_key).where(stream_messages.c.msg_key.in_(list(keys)))
        return {r[0] for r in conn.execute(q)}


def record(store: Store, rows: list[dict[str, Any]]) -> None:
    """Ledger rows; a key already there (another worker got there first) is left as it is."""
    if not rows:
        return
    ins = (pg_insert if store.dialect == "postgresql" else sqlite_insert if store.dialect == "sqlite" else insert)
    stmt = ins(stream_messages).values(rows)
    if hasattr(stmt, "on_conflict_do_nothing"):
        stmt = stmt.on_conflict_do_nothing(index_elements=["msg_key"])
    with store.begin() as conn:
        conn.execute(stmt)


def _parse(msg: Incoming) -> _Parsed | str:
    """Parsed message, or the reason it goes to the dead-letter stream."""
    if msg.route is None:
        return f"subject {msg.subject!r} is not {msg.names.intake_prefix}.<partner>.<format>"
    if len(msg.data) > MAX_MESSAGE_BYTES:
        return f"message of {len(msg.data):,} bytes is over the {MAX_MESSAGE_BYTES:,}-byte limit"
    opts = ReadOptions(source_name=f"{msg.subject}#{msg.seq or '?'}")
    try:
        fmt, chunks = read_source(io.BytesIO(msg.data), msg.route.fmt, opts, None)
        parsed = _Parsed(msg, fmt, list(chunks))
    except IntakeError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the stream; say what happened
        log.exception("reader failed on %s", opts.source_name)
        return f"the reader failed on this message: {type(exc).__name__}: {exc}"[:500]
    if not parsed.ids:
        reasons = "; ".join(f"line {r.line}: {r.reason}" for c in parsed.chunks for r in c.rejects[:5])
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


def _screen(store: Store, sc: Screening, partner: str, items: list[_Parsed], ledger: list[dict[str, Any]],
            worker: str, now: datetime) -> list[Result]:
    from interdictor.service.screening import Submission

    subs = [Submission(partner=partner, source=p.msg.subject, fmt=p.fmt, chunks=p.chunks) for p in items]
    run = ScreenRun(ctx=sc.ctx, ruleset=sc.ruleset, corridors=sc.corridors, partner=partner,
                    source=f"stream {partner}: {len(items)} message(s)", fmt=items[0].fmt, store=store,
                    list_reasons=True)
    assessed: list[pl.DataFrame] = []
    for layer in layers(subs):
        chunk = merge(layer)
        out = run.add(chunk)
        assessed.append(out.join(chunk.batch.shipments.select("shipment_id", "mawb", "hawb", "postal_item_id"),
                                 on="shipment_id", how="left"))
    run.finish()
    table = pl.concat(assessed, how="diagonal_relaxed") if assessed else pl.DataFrame()
    results = []
    for p in items:
        ids = p.ids
        mine = table.filter(pl.col("shipment_id").is_in(ids)).unique("shipment_id", keep="last")
        reasons = mine.select("shipment_id", pl.col("reasons")).explode("reasons").drop_nulls("reasons").unnest("reasons")
        if reasons.is_empty():
            reasons = pl.DataFrame(schema={"shipment_id": pl.String, "code": pl.String, "weight": pl.Float64,
                                           "evidence": pl.String})
        houses = derive.answers(mine, mine, reasons, sc.ruleset)
        answer = render.to_jsonable(houses, in_reply_to=p.msg.subject)
        answer["rejects"] = [{"line": r.line, "field": r.field, "reason": r.reason} for c in p.chunks for r in c.rejects][:100]
        results.append(Result(p.msg.key, "processed", partner, answer=answer, shipment_ids=ids))
        ledger.append(_row(p.msg, "processed", None, run.summary.run_id, ids, worker, now, p.fmt))
    return results


def _row(m: Incoming, status: str, reason: str | None, run_id: str | None, ids: list[str], worker: str,
         now: datetime, fmt: str | None = None) -> dict[str, Any]:
    return {
        "msg_key": m.key, "partner": (m.route.partner if m.route else "?")[:64], "subject": m.subject[:256],
        "format": fmt or (m.route.fmt if m.route else None), "stream_seq": m.seq, "status": status,
        "reason": reason, "run_id": run_id, "document_ids": json.dumps(ids[:1000]), "worker": worker[:64], "at": now,
    }
