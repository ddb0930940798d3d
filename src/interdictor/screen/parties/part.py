"""The ``parties`` part of the screening context: everything the detector needs,
built before screening (from the store or from shipped data) so the detector is pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from interdictor.reference import countries
from interdictor.reference.watchlists.model import Entry
from interdictor.reference.watchlists.severity import ProgramSeverity
from interdictor.screen.parties.addresses import annotate
from interdictor.screen.parties.index import WatchlistIndex
from interdictor.screen.parties.places import Places
from interdictor.screen.parties.similarity import DEFAULT_POSSIBLE, DEFAULT_THRESHOLD


@dataclass(frozen=True)
class PartiesConfig:
    threshold: float = DEFAULT_THRESHOLD  # a name match from here
    possible: float = DEFAULT_POSSIBLE  # a possible match from here
    confirmed: float = 0.9  # a corroborated drug-list match from here holds the shipment
    shared_address_names: int = 4  # distinct shipper names at one return address
    split_min_shipments: int = 3  # parcels to one consignee from related shippers ...
    split_window_days: float = 3.0  # ... within this many days
    de_minimis_value: float = 800.0  # US de minimis (USD)
    # a consignee that receives from this many different shippers in a batch is a hub (a warehouse, a
    # fulfilment centre): a few low-value parcels from one of them, under one name, are its business
    split_hub_shippers: int = 5
    first_seen: bool = True  # raise the weak first-seen-consignee reason (needs history)


@dataclass(frozen=True)
class History:
    """Counts from the store's past shipments (SQL aggregates, loaded once)."""

    shared_addresses: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"addr_key": pl.String, "hist_names": pl.List(pl.String)})
    )
    known_consignees: pl.Series | None = None  # UInt64 hashes of consignee keys; None: no history
    shipments_seen: int = 0


def phone_key(col: pl.Expr) -> pl.Expr:
    """Digits of a phone number, the last ten (so +86 and 0086 prefixes do not matter)."""
    d = col.str.replace_all(r"[^0-9]", "")
    return pl.when(d.str.len_chars() >= 7).then(d.str.slice(-10)).otherwise(None)


def email_key(col: pl.Expr) -> pl.Expr:
    e = col.str.strip_chars().str.to_lowercase()
    return pl.when(e.str.contains(r"^[^@\s]+@[^@\s]+\.[a-z0-9-]+$")).then(e).otherwise(None)


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name or code as lists write it ("China", "Hong Kong", "CN")."""
    return countries.guess(value)


# Parties in mainland China, Hong Kong and Macau trade as one: a Hong Kong-listed
# supplier shipping from Guangdong is the same country for corroboration.
COUNTRY_GROUPS = {"HK": "CN", "MO": "CN"}


def country_group(code: str | None) -> str | None:
    return COUNTRY_GROUPS.get(code, code) if code else None


COUNT_SCHEMA = pl.Schema({"kind": pl.String, "value": pl.String, "names": pl.Int64})
ID_SCHEMA = pl.Schema({"partner": pl.String, "shipment_id": pl.String, "day": pl.Date, "kind": pl.String,
                       "value": pl.String, "name_key": pl.String, "shown": pl.String})
GOODS_SCHEMA = pl.Schema({"partner": pl.String, "shipment_id": pl.String, "kg": pl.Float64, "usd": pl.Float64,
                          "vague": pl.Boolean, "goods": pl.String, "receiver": pl.String, "place": pl.String,
                          "near": pl.Boolean})


@dataclass(frozen=True)
class ClusterConfig:
    """When a day's parcels sharing an identifier make a cluster, and when it fires (``clusters``)."""

    names: int = 4  # distinct shipper names on one identifier in a day that make a cluster
    hub_names: int = 25  # names (the day's and the history's) that make the identifier a hub
    usd_per_kg: float = 6.0  # a cluster's declared value per kilo at or under this is a few dollars a kilo ...
    min_kg: float = 3.0  # ... for parcels of at least this median weight
    border_share: float = 0.5  # share of parcels to receivers in the border area
    vague_share: float = 0.5  # share of parcels whose words name no goods
    signs: int = 4  # signs (of five) that make a cluster fire; a consignee's cluster needs all five
    window_days: float = 2.0  # stored shipments received this recently are read as the day's earlier files


@dataclass(frozen=True)
class DayHistory:
    """The store's view for clusters: members of the recent days' stored shipments (``partner`` set) and
    the identifiers' name counts before them."""

    ids: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ID_SCHEMA))
    goods: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=GOODS_SCHEMA))
    counts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COUNT_SCHEMA))


@dataclass(frozen=True)
class PartiesPart:
    index: WatchlistIndex
    severity: ProgramSeverity
    entries: dict[tuple[str, str], Entry]
    contacts: pl.DataFrame  # kind (phone|email|address), key, list_id, uid, shown
    places: Places | None = None
    history: History = field(default_factory=History)
    dismissed: frozenset[tuple[str, str, str, str]] = frozenset()  # party_key, list_id, uid, fingerprint
    config: PartiesConfig = field(default_factory=PartiesConfig)
    version: str = ""
    fingerprints: dict[tuple[str, str], str] = field(default_factory=dict)
    day: DayHistory = field(default_factory=DayHistory)
    clusters: ClusterConfig = field(default_factory=ClusterConfig)

    def fingerprint(self, entry: Entry) -> str:
        """The entry's content hash (cached: dismissals are checked on every hit)."""
        key = (entry.list_id, entry.uid)
        fp = self.fingerprints.get(key)
        if fp is None:
            fp = self.fingerprints[key] = entry.fingerprint
        return fp

    def entry(self, list_id: str, uid: str) -> Entry | None:
        return self.entries.get((list_id, uid))

    def entry_countries(self, entry: Entry) -> set[str]:
        codes = {country_group(country_code(c)) for c in entry.countries}
        return {c for c in codes if c}


def contacts_frame(entries: Iterable[Entry]) -> pl.DataFrame:
    """Phones, e-mails and addresses of list entries, keyed for exact matching."""
    rows: dict[str, list[str | None]] = {
        k: [] for k in ("kind", "raw", "list_id", "uid", "postal", "country")
    }

    def add(kind: str, raw: str, e: Entry, postal: str | None = None, country: str | None = None) -> None:
        rows["kind"].append(kind)
        rows["raw"].append(raw)
        rows["list_id"].append(e.list_id)
        rows["uid"].append(e.uid)
        rows["postal"].append(postal)
        rows["country"].append(country)

    for e in entries:
        for p in e.phones:
            add("phone", p, e)
        for m in e.emails:
            add("email", m, e)
        for a in e.addresses:
            if a.address:
                add("address", a.address, e, a.postal_code, country_code(a.country))
    df = pl.DataFrame(rows, schema={k: pl.String for k in rows})
    phones = df.filter(pl.col("kind") == "phone").with_columns(phone_key(pl.col("raw")).alias("key"))
    emails = df.filter(pl.col("kind") == "email").with_columns(email_key(pl.col("raw")).alias("key"))
    addrs = df.filter(pl.col("kind") == "address")
    if addrs.height:
        ann = annotate(addrs.rename({"raw": "address", "postal": "postal_code"}).with_row_index("_i"))
        addrs = ann.select(
            "kind",
            pl.col("address").alias("raw"),
            "list_id",
            "uid",
            pl.col("postal_code").alias("postal"),
            "country",
            pl.col("street_key").alias("key"),
        )
        # A street key of a few characters ("Room 5") says nothing on its own.
        addrs = addrs.filter(pl.col("key").str.len_chars() >= 12)
    else:
        addrs = addrs.with_columns(pl.lit(None, pl.String).alias("key"))
    cols = ["kind", "key", "raw", "list_id", "uid", "postal", "country"]
    return pl.concat([f.select(cols) for f in (phones, emails, addrs)]).filter(pl.col("key").is_not_null())
