"""Which reader a list file needs, and reading it.

Formats: ``ofac-csv`` (flattened SDN: uid,name,type,programs,alternate_names),
``ofac-official`` (OFAC's headerless SDN.CSV, with ALT.CSV and ADD.CSV beside
it or given), ``ofac-xml`` (SDN.XML), ``ftm`` (OpenSanctions FollowTheMoney
JSON lines) and ``custom`` (a CSV with a name/phone/email/address header).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from interdictor.reference.watchlists.custom import read_custom_csv
from interdictor.reference.watchlists.ftm import read_ftm
from interdictor.reference.watchlists.model import WatchList
from interdictor.reference.watchlists.ofac import LIST_ID, read_official, read_shared_csv
from interdictor.reference.watchlists.ofac_xml import read_sdn_xml

FORMATS = ("ofac-csv", "ofac-official", "ofac-xml", "ftm", "custom")


class ListFormatError(ValueError):
    """The file is not a list this reader understands; the message says what to do."""


def sniff(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".xml"):
        return "ofac-xml"
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return "ftm"
    head = path.open("rb").read(4096).decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next(csv.reader(io.StringIO(head.splitlines()[0] if head else "")), [])
    low = [c.strip().lower() for c in first]
    if low[:2] == ["uid", "name"] and ("programs" in low or "alternate_names" in low):
        return "ofac-csv"
    if first and first[0].strip().isdigit() and len(first) >= 10:
        return "ofac-official"
    if head.lstrip().startswith("{"):
        return "ftm"
    return "custom"


def _beside(path: Path, stem: str) -> Path | None:
    for cand in path.parent.iterdir():
        if cand.name.lower() == f"{stem}.csv":
            return cand
    return None


def read_list(
    path: Path,
    fmt: str | None = None,
    *,
    list_id: str | None = None,
    alt: Path | None = None,
    add: Path | None = None,
    programs: tuple[str, ...] = (),
) -> WatchList:
    """Read any supported list file; ``fmt`` None means sniff it."""
    if path.is_dir():
        sdn = _beside(path / "x", "sdn")
        if sdn is None:
            raise ListFormatError(f"{path}: a directory must hold OFAC's SDN.CSV (with ALT.CSV and ADD.CSV)")
        path, fmt = sdn, "ofac-official"
    if not path.exists():
        raise ListFormatError(f"{path}: no such file")
    fmt = fmt or sniff(path)
    if fmt not in FORMATS:
        raise ListFormatError(f"unknown list format {fmt!r}; one of: {', '.join(FORMATS)}")
    if fmt == "ofac-csv":
        return read_shared_csv(
            path, add or _beside(path, "ofac-add") or _beside(path, "add"), list_id or LIST_ID
        )
    if fmt == "ofac-official":
        return read_official(
            path, alt or _beside(path, "alt"), add or _beside(path, "add"), list_id or LIST_ID
        )
    if fmt == "ofac-xml":
        return read_sdn_xml(path, list_id or LIST_ID)
    if fmt == "ftm":
        return read_ftm(path, list_id or "opensanctions")
    return read_custom_csv(path, list_id or path.stem.lower().replace(" ", "-"), programs)
