"""Building the ``parties`` part before screening: ``load_parties(conn, settings)``.

From the store: the current version of every imported watchlist, active
dismissals, and history as SQL aggregates (return addresses used by several
shipper names; consignees seen before).  Without a store (``conn=None``) the
part still screens names and addresses against the shipped list of designated
and indicted precursor suppliers.

Optional settings (read with ``getattr``, so a Settings without them works):
``party_programs_file`` (programme severities), ``unlocode_dir`` (UN/LOCODE,
one ``<CC>.csv`` per country; also ``INTERDICTOR_UNLOCODE_DIR``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from interdictor.reference.watchlists import CURATED_LIST_ID, curated_list
from interdictor.reference.watchlists.model import Entry
from interdictor.reference.watchlists.severity import ProgramSeverity
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.index import WatchlistIndex
from interdictor.screen.parties.keys import consignee_hash, name_key
from interdictor.screen.parties.part import History, PartiesConfig, PartiesPart, contacts_frame
from interdictor.screen.parties.places import Places, load_places

log = logging.getLogger(__name__)

SHARED_SQL = """
SELECT p.address AS address, p.postal_code AS postal_code, p.country AS country, p.name AS name
FROM parties p
JOIN (SELECT address, postal_code, country FROM parties
      WHERE party = 'shipper' AND address IS NOT NULL AND name IS NOT NULL
      GROUP BY address, postal_code, country HAVING COUNT(DISTINCT name) >= 2) g
  ON g.address = p.address AND COALESCE(g.postal_code, '') = COALESCE(p.postal_code, '')
 AND COALESCE(g.country, '') = COALESCE(p.country, '')
WHERE p.party = 'shipper' AND p.name IS NOT NULL
GROUP BY p.address, p.postal_code, p.country, p.name
"""
CONSIGNEES_SQL = """
SELECT DISTINCT name, postal_code, country FROM parties WHERE party = 'consignee' AND name IS NOT NULL
"""


def _frame(conn: Connection, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    res = conn.execute(text(sql))
    rows = res.fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def load_history(conn: Connection) -> History:
    """Aggregates of past shipments; never all rows of the shipments table."""
    s3 = {"address": pl.String, "postal_code": pl.String, "country": pl.String, "name": pl.String}
    shared = _frame(conn, SHARED_SQL, s3)
    if shared.height:
        shared = (
            annotate(shared.with_columns(pl.lit("").alias("shipment_id"), pl.lit("shipper").alias("party")))
            .filter(pl.col("addr_key").is_not_null())
            .group_by("addr_key")
            .agg(name_key(pl.col("name")).unique().alias("hist_names"))
        )
    else:
        shared = History().shared_addresses
    cons = _frame(conn, CONSIGNEES_SQL, {"name": pl.String, "postal_code": pl.String, "country": pl.String})
    known = cons.select(consignee_hash(pl.col("name"), pl.col("postal_code"), pl.col("country")).alias("h"))[
        "h"
    ]
    n = int(conn.execute(text("SELECT COUNT(*) FROM shipments")).scalar() or 0)
    return History(shared.select("addr_key", "hist_names"), known.unique() if n else None, n)


def load_dismissed(conn: Connection) -> frozenset[tuple[str, str, str, str]]:
    q = "SELECT party_key, list_id, uid, fingerprint FROM party_dismissals WHERE revoked_at IS NULL"
    return frozenset((r[0], r[1], r[2], r[3]) for r in conn.execute(text(q)))


def watchlist_entries(conn: Connection | None) -> tuple[list[Entry], dict[str, str]]:
    """Current entries of every stored list, plus the shipped curated list unless one is stored."""
    from interdictor.reference.watchlists.repository import current_entries, current_versions

    entries: list[Entry] = []
    versions: dict[str, str] = {}
    if conn is not None:
        try:
            entries = current_entries(conn)
            versions = {k: f"v{v}" for k, v in current_versions(conn).items()}
        except SQLAlchemyError as exc:
            log.warning("watchlists could not be read from the store (%s); using the shipped list only", exc)
    if CURATED_LIST_ID not in versions:
        entries += list(curated_list().entries)
        versions[CURATED_LIST_ID] = "shipped"
    return entries, versions


def _unlocode_dir(settings: Any) -> Path | None:
    value = getattr(settings, "unlocode_dir", None) or os.environ.get("INTERDICTOR_UNLOCODE_DIR")
    return Path(value) if value else None


def build_part(
    entries: list[Entry],
    *,
    severity: ProgramSeverity | None = None,
    places: Places | None = None,
    history: History | None = None,
    dismissed: frozenset[tuple[str, str, str, str]] = frozenset(),
    config: PartiesConfig | None = None,
    version: str = "",
) -> PartiesPart:
    """A part from entries (tests and callers without a store use this directly)."""
    index = WatchlistIndex.build(entries)
    return PartiesPart(
        index=index,
        severity=severity or ProgramSeverity.load(),
        entries={(e.list_id, e.uid): e for e in entries},
        contacts=contacts_frame(entries),
        places=places,
        history=history or History(),
        dismissed=dismissed,
        config=config or PartiesConfig(),
        version=version,
    )


def load_parties(conn: Connection | None, settings: Any) -> PartiesPart:
    entries, versions = watchlist_entries(conn)
    programs = getattr(settings, "party_programs_file", None)
    severity = ProgramSeverity.load(Path(programs) if programs else None)
    history = History()
    dismissed: frozenset[tuple[str, str, str, str]] = frozenset()
    if conn is not None:
        try:
            history = load_history(conn)
            dismissed = load_dismissed(conn)
        except SQLAlchemyError as exc:
            log.warning("party history could not be read (%s); screening without it", exc)
    places = load_places(_unlocode_dir(settings))
    version = ";".join(f"{k}:{v}" for k, v in sorted(versions.items()))
    return build_part(
        entries, severity=severity, places=places, history=history, dismissed=dismissed, version=version
    )
