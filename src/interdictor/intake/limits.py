"""Size limits every message reader enforces, so hostile input cannot exhaust memory or time.

Cargo-IMP lines are at most 69 characters by the standard and messages 3,500; real
traffic is sloppier, so the caps are generous but finite.  A value beyond a cap is a
reject naming the line or element, never a crash.
"""

from __future__ import annotations

from typing import Final

CIMP_MAX_LINE: Final = 2_048  # characters kept of one Cargo-IMP line (the rest is cut, with a reject)
CIMP_MAX_MESSAGE: Final = 256 * 1024  # bytes of one Cargo-IMP message (FHLs with many houses run long)
CIMP_MAX_LINES: Final = 20_000  # lines of one Cargo-IMP message

XML_MAX_DOCUMENT: Final = 16 * 1024 * 1024  # bytes of one Cargo-XML message
XML_MAX_DEPTH: Final = 48  # element nesting (Cargo-XML needs about 12)
XML_MAX_ELEMENTS: Final = 500_000

JSON_MAX_DOCUMENT: Final = 64 * 1024 * 1024  # bytes of one JSON document (JSON Lines has no such cap)
JSON_MAX_DEPTH: Final = 64  # nesting of one JSON value (manifests need about 6); deeper is cut, with a reject
JSON_MAX_NUMBER: Final = 100  # characters of one JSON number literal (a float holds 17 digits)
CSV_MAX_ROWS_PER_RECORD: Final = 10_000  # rows of one postal item in a CN23 CSV
MAX_COLUMNS: Final = 1_000  # columns of a CSV header, keys of a JSON Lines object (a manifest has ~40 plus extras)
MAX_MESSAGES: Final = 50_000  # messages of one file or submission (Cargo-IMP, Cargo-XML, JSON records)

MAX_TEXT: Final = 4_096  # characters of one text field (a description, a name)
MAX_ITEMS: Final = 10_000  # items of one shipment
# bounds of weights, amounts and counts are field rules: see rules.py
