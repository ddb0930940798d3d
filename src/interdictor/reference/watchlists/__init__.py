"""Watchlists: OFAC (flattened CSV, official CSV trio, XML), OpenSanctions FollowTheMoney
JSON lines and custom CSV lists, read into ``WatchList`` and stored as versions."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from interdictor.reference.watchlists.model import Alias, Entry, EntryAddress, WatchList
from interdictor.reference.watchlists.readers import FORMATS, ListFormatError, read_list

CURATED_LIST_ID = "curated-precursor-suppliers"

__all__ = [
    "CURATED_LIST_ID",
    "FORMATS",
    "Alias",
    "Entry",
    "EntryAddress",
    "ListFormatError",
    "WatchList",
    "curated_list",
    "read_list",
]


def data_file(name: str) -> Path:
    return Path(str(resources.files("interdictor.reference.watchlists").joinpath("data", name)))


def curated_list() -> WatchList:
    """The shipped list of designated and indicted precursor suppliers (names as published)."""
    from interdictor.reference.watchlists.custom import read_custom_csv

    return read_custom_csv(data_file("curated.csv"), CURATED_LIST_ID)
