"""Continuous screening: a new list version re-screens recent shipments against
the entries it added or changed — only those — and records the new hits.

Hits go to ``watchlist_hits`` (one row per shipment, party and entry, never
twice for the same list version) and the audit log; the caller shows them and
may re-score the shipments they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select, text

from interdictor.reference.watchlists.repository import entries_of_version
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.list_reasons import list_reasons, strongest_per_entry
from interdictor.screen.parties.loader import build_part
from interdictor.store import schema_parties as tp
from interdictor.store.repo import audit

RECENT_SQL = """
SELECT p.partner, p.shipment_id, p.version, p.party, p.name, p.address, p.city, p.state, p.postal_code,
       p.country, p.phone, p.email
FROM parties p JOIN shipments s
  ON s.partner = p.partner AND s.shipment_id = p.shipment_id AND s.version = p.version
WHERE s.is_current AND s.received_at >= :since
"""
_COLS = [
    "partner",
    "shipment_id",
    "version",
    "party",
    "name",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "email",
]


@dataclass(frozen=True)
class Hit:
    partner: str
    shipment_id: str
    shipment_version: int
    party: str
    code: str
    weight: float
    evidence: str
    uid: str


def recent_parties(conn: Connection, days: float) -> pl.DataFrame:
    since = datetime.now(UTC) - timedelta(days=days)
    rows = conn.execute(text(RECENT_SQL), {"since": since}).fetchall()
    schema: dict[str, Any] = {c: pl.String for c in _COLS} | {"version": pl.Int64}
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def rescreen(
    conn: Connection, list_id: str, version: int, days: float = 30.0, actor: str = "cli"
) -> list[Hit]:
    """Screen the last ``days`` of shipments against what ``list_id`` v``version`` added or changed."""
    entries = entries_of_version(conn, list_id, version)
    if not entries:
        return []
    parties = recent_parties(conn, days)
    if parties.is_empty():
        return []
    part = build_part(entries, version=f"{list_id}:v{version}")
    # the detector keys parties by shipment id; partner and version ride along in it
    keyed = parties.with_columns(
        pl.concat_str(["partner", "shipment_id", pl.col("version").cast(pl.String)], separator="\x1f").alias(
            "_sid"
        )
    )
    frame = annotate(keyed.drop("shipment_id").rename({"_sid": "shipment_id"}))
    rows = strongest_per_entry(list_reasons(frame, part))
    done = {
        (r.partner, r.shipment_id, r.shipment_version, r.uid, r.code)
        for r in conn.execute(
            select(tp.watchlist_hits).where(
                tp.watchlist_hits.c.list_id == list_id, tp.watchlist_hits.c.version == version
            )
        )
    }
    hits: list[Hit] = []
    now = datetime.now(UTC)
    for r in rows:
        partner, sid, ver = r["shipment_id"].split("\x1f")
        hit = Hit(partner, sid, int(ver), r["party"], r["code"], r["weight"], r["evidence"], r["_uid"])
        if (hit.partner, hit.shipment_id, hit.shipment_version, hit.uid, hit.code) in done:
            continue
        hits.append(hit)
        conn.execute(
            insert(tp.watchlist_hits).values(
                list_id=list_id,
                version=version,
                uid=hit.uid,
                partner=hit.partner,
                shipment_id=hit.shipment_id,
                shipment_version=hit.shipment_version,
                party=hit.party,
                code=hit.code,
                weight=hit.weight,
                evidence=hit.evidence,
                created_at=now,
            )
        )
    audit(
        conn,
        actor,
        "watchlist.rescreen",
        "watchlist",
        f"{list_id}:v{version}",
        {"days": days, "entries": len(entries), "parties": parties.height, "hits": len(hits)},
    )
    return hits
