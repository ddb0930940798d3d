"""Tell a source's format from its first bytes and its name.

Content wins over the file name: partners name files ``data.txt`` whatever they hold.

* XML -> the root element's local name: ``Waybill`` xfwb, ``HouseWaybill`` xfzb,
  ``HouseManifest`` xfhl (any other root: ``cargo-xml``, whose reader says why not).
* Cargo-IMP -> the first SMI line after any Type-B envelope (``FWB/17``, ``FHL/5``,
  ``FFM/8``), or an AWB line / ``MBI/`` line when the SMI line is missing.
* JSON -> ``@context``/``@type`` ONE Record; an S10 ``item_id`` with sender/addressee
  or contents: ``cn23-json``; JSON Lines of manifest rows: ``manifest-jsonl``;
  otherwise ``json-manifest``.
* CSV -> a shipped column profile whose columns the header matches best; an item-id
  column with sender/addressee columns: ``cn23-csv``; otherwise a header with commas
  is the manifest CSV of the README's contract (``manifest-csv``).

The message identifiers, root elements and extensions come from the format table
(``formats.BUILTIN``).  Everything here reads at most the ``head`` it is given;
patterns are anchored and bounded.
"""

from __future__ import annotations

import json
import re
from typing import Final

from interdictor.intake.base import IntakeError
from interdictor.intake.cimp.split import ORIGIN, PRIORITY, SMI
from interdictor.intake.formats import BUILTIN
from interdictor.intake.mapping import shipped_profiles
from interdictor.intake.objmap import fold

XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,40}:)?([A-Za-z_][\w.\-]{0,60})[\s/>]")
SMI_FORMATS: Final = {f.smi: f.name for f in BUILTIN if f.smi}
XML_FORMATS: Final = {f.xml_root: f.name for f in BUILTIN if f.xml_root}
AWB_START = re.compile(r"^\d{3}-?\d{8}[A-Z]{6}(?:/|$)")
S10_VALUE = re.compile(rb'"[A-Z]{2}\d{9}[A-Z]{2}"')
EXTENSIONS: Final = {e: f.name for f in BUILTIN for e in f.extensions}


def detect(head: bytes, filename: str) -> str | None:
    body = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
    name = filename.lower()
    if not body:
        return None
    if body.startswith(b"<"):
        return _xml(body)
    if body[:1] in (b"{", b"["):
        return _json(body, name)
    cimp = _cargo_imp(body)
    if cimp:
        return cimp
    ext = next((f for e, f in EXTENSIONS.items() if name.endswith(e)), None)
    if ext:
        return ext
    return _csv(body, name)


def _xml(body: bytes) -> str:
    pos = 0
    for _ in range(50):  # skip the declaration, comments and processing instructions
        m = XML_ROOT.search(body, pos)
        if m is None:
            break
        start = m.start()
        if body[start + 1:start + 2] in (b"?", b"!"):
            pos = start + 2
            continue
        return XML_FORMATS.get(m.group(1).decode("ascii", "replace"), "cargo-xml")
    return "cargo-xml"


def _json(body: bytes, name: str) -> str:
    window = body[:65536]
    if b'"@context"' in window or b'"@type"' in window or b"onerecord.iata.org" in window:
        return "onerecord"
    postal_keys = sum(k in window for k in (b'"addressee"', b'"item_id"', b'"contents"', b'"category_of_item"',
                                            b'"declaration_form"', b'"mail_class"'))
    if postal_keys >= 2 or (postal_keys and S10_VALUE.search(window)):
        return "cn23-json"
    if name.endswith((".jsonl", ".ndjson")) or _json_lines(window):
        return "manifest-jsonl"
    return "json-manifest"


def _json_lines(window: bytes) -> bool:
    """The first line is a whole JSON object and the next one starts another."""
    lines = window.split(b"\n", 2)
    if len(lines) < 2 or not lines[0].lstrip().startswith(b"{") or not lines[1].lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (ValueError, RecursionError):
        return False


def _cargo_imp(body: bytes) -> str | None:
    in_sita = False  # inside a SITA "=HEADER ... =TEXT" envelope
    for raw in body[:16384].split(b"\n")[:60]:
        text = raw.decode("latin-1").strip().strip("\x01\x02\x03").strip().upper()
        if text.startswith("="):
            in_sita = text != "=TEXT" and text.strip("=") != ""
            continue
        if in_sita or not text or PRIORITY.match(text) or ORIGIN.match(text) or text == "NNNN":
            continue
        m = SMI.match(text)
        if m:
            return SMI_FORMATS.get(m.group(1), "fwb")  # another SMI: the reader rejects it by name
        if text in SMI_FORMATS:
            return SMI_FORMATS[text]
        if AWB_START.match(text):
            return "fwb"
        if text.startswith("MBI/"):
            return "fhl"
        return None
    return None


def _csv(body: bytes, name: str) -> str | None:
    first = body.split(b"\n", 1)[0][:65536].decode("utf-8", "replace").strip("\r\ufeff")
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    if first.count(delimiter) < 1:
        return None
    header = [h.strip().strip('"').strip().lower() for h in first.split(delimiter)]
    folded = {fold(h) for h in header}
    if {"shipmentid", "itemdescription"} <= folded:
        return "manifest-csv"
    best = _best_profile(set(header))
    if best:
        return best
    has_id = bool(folded & {"itemid", "s10", "itemidentifier", "postalitemid", "mailitemid"})
    has_party = any(f.startswith(("sender", "addressee", "recipient")) for f in folded)
    if has_id and has_party:
        return "cn23-csv"
    if "," in first and (name.endswith((".csv", ".tsv", ".txt")) or "shipment_id" in first.lower()
                         or first.count(",") >= 2):
        return "manifest-csv"  # a comma-separated header of other names: the manifest reader says what is missing
    return None


def _best_profile(header: set[str]) -> str | None:
    try:
        profiles = shipped_profiles()
    except IntakeError:  # a broken shipped profile must not stop detection of the others
        return None
    best, best_score = None, 0.0
    for name, p in profiles.items():
        if not p.columns:
            continue
        sid = p.columns.get("shipment_id", ())
        desc = p.columns.get("item_description", ())
        if not (set(sid) & header) or not (set(desc) & header):
            continue  # cannot build a shipment without an id and a description
        # the share of the partner's columns this profile explains
        theirs = {c for candidates in p.columns.values() for c in candidates}
        theirs |= {c for cols, _ in p.concat.values() for c in cols}
        score = len(header & theirs) / max(1, len(header))
        if score >= 0.4 and score > best_score:
            best, best_score = name, score
    return best
