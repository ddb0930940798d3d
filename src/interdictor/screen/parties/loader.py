"""Building the ``parties`` part before screening: ``load_parties(settings, ...)``.

Pure: it takes what the store holds (the current entries and versions of every
imported watchlist, active dismissals, history aggregates from
``store.parties``) as plain values; ``screening.loaders.parties_part`` reads them
and calls it.  With nothing stored the part still screens names and addresses
against the shipped list of designated and indicted precursor suppliers.

Optional settings (read with ``getattr``, so a Settings without them works):
``party_programs_file`` (programme severities), ``unlocode_dir`` (UN/LOCODE,
one ``<CC>.csv`` per country; also ``INTERDICTOR_UNLOCODE_DIR``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from interdictor.reference.watchlists import CURATED_LIST_ID, curated_list
from interdictor.reference.watchlists.model import Entry
from interdictor.reference.watchlists.severity import ProgramSeverity
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.index import WatchlistIndex
from interdictor.screen.parties.keys import consignee_hash, name_key
from interdictor.screen.parties.part import History, PartiesConfig, PartiesPart, contacts_frame
from interdictor.screen.parties.places import Places, load_places


def history_from(shared: pl.DataFrame, consignees: pl.DataFrame, shipments: int) -> History:
    """History from the store's aggregates: ``shared`` (``address, postal_code, country, name`` of shipper
    addresses used by several names), ``consignees`` (``name, postal_code, country`` seen before) and the
    number of shipments stored."""
    if shared.height:
        by_address = (
            annotate(shared.with_columns(pl.lit("").alias("shipment_id"), pl.lit("shipper").alias("party")))
            .filter(pl.col("addr_key").is_not_null())
            .group_by("addr_key")
            .agg(name_key(pl.col("name")).unique().alias("hist_names"))
        )
    else:
        by_address = History().shared_addresses
    known = consignees.select(consignee_hash(pl.col("name"), pl.col("postal_code"), pl.col("country")).alias("h"))[
        "h"
    ]
    return History(by_address.select("addr_key", "hist_names"), known.unique() if shipments else None, shipments)


def watchlist_entries(
    stored: Sequence[Entry] = (), versions: Mapping[str, int] | None = None
) -> tuple[list[Entry], dict[str, str]]:
    """The stored current entries with their list versions, plus the shipped curated list unless one is
    stored."""
    entries = list(stored)
    labels = {k: f"v{v}" for k, v in (versions or {}).items()}
    if CURATED_LIST_ID not in labels:
        entries += list(curated_list().entries)
        labels[CURATED_LIST_ID] = "shipped"
    return entries, labels


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


def load_parties(
    settings: Any,
    *,
    entries: Sequence[Entry] = (),
    versions: Mapping[str, int] | None = None,
    history: History | None = None,
    dismissed: frozenset[tuple[str, str, str, str]] = frozenset(),
) -> PartiesPart:
    """The part from what the store holds (``entries``/``versions``: current watchlist entries and each
    list's version number; ``dismissed``: ``(party_key, list_id, uid, fingerprint)``)."""
    listed, labels = watchlist_entries(entries, versions)
    programs = getattr(settings, "party_programs_file", None)
    severity = ProgramSeverity.load(Path(programs) if programs else None)
    places = load_places(_unlocode_dir(settings))
    version = ";".join(f"{k}:{v}" for k, v in sorted(labels.items()))
    return build_part(
        listed, severity=severity, places=places, history=history, dismissed=dismissed, version=version
    )
