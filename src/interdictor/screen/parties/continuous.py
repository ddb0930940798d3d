"""Continuous screening: a new list version re-screens recent shipments against
the entries it added or changed — only those — and names the new hits.

``new_hits`` is the pure step: the entries, the recent parties and the hits
already raised for that version go in, the hits not raised before come out.
The store reads the inputs and keeps the hits (``store.parties``); the glue
that runs them in turn is ``screening.loaders.rescreen``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from interdictor.reference.watchlists.model import Entry
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.list_reasons import list_reasons, strongest_per_entry
from interdictor.screen.parties.loader import build_part

# the columns of the recent parties ``new_hits`` screens (``version``: Int64, the rest strings)
PARTY_COLUMNS = (
    "partner", "shipment_id", "version", "party", "name", "address", "city", "state", "postal_code", "country",
    "phone", "email",
)


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

    @property
    def key(self) -> tuple[str, str, int, str, str]:
        """What makes a hit the same one again (for one list version)."""
        return (self.partner, self.shipment_id, self.shipment_version, self.uid, self.code)


def new_hits(entries: list[Entry], parties: pl.DataFrame, list_id: str, version: int,
             raised: Collection[tuple[str, str, int, str, str]] = ()) -> list[Hit]:
    """Hits of ``parties`` (``PARTY_COLUMNS``) against ``entries`` of ``list_id`` v``version``, minus those
    already ``raised`` (``Hit.key``)."""
    if not entries or parties.is_empty():
        return []
    part = build_part(entries, version=f"{list_id}:v{version}")
    # the detector keys parties by shipment id; partner and version ride along in it
    keyed = parties.with_columns(
        pl.concat_str(["partner", "shipment_id", pl.col("version").cast(pl.String)], separator="\x1f").alias("_sid")
    )
    frame = annotate(keyed.drop("shipment_id").rename({"_sid": "shipment_id"}))
    hits: list[Hit] = []
    for r in strongest_per_entry(list_reasons(frame, part)):
        partner, sid, ver = r["shipment_id"].split("\x1f")
        hit = Hit(partner, sid, int(ver), r["party"], r["code"], r["weight"], r["evidence"], r["_uid"])
        if hit.key not in raised:
            hits.append(hit)
    return hits
