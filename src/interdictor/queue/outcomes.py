"""What an exam outcome must say, and outcomes read in bulk from a CSV or JSON Lines file.

One set of rules for the workspace's form, the API and ``interdictor outcomes import``: a result is
``nothing_found``, ``seized`` (saying what) or ``referred`` (naming the agency).  A file's bad row
becomes a ``Reject`` with its line and field; it never stops the rows beside it.  Whether the
shipment exists, and whose it is, is the store's to say (``store/decisions.import_outcomes``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from interdictor.model import Reject

RESULTS = ("nothing_found", "seized", "referred")
REQUIRED = ("partner", "shipment_id", "result", "examined_at")
OPTIONAL = ("what", "agency", "version", "quantity", "unit", "note")
LIMITS = {"partner": 64, "shipment_id": 128, "what": 500, "unit": 16, "agency": 200, "note": 4000}


class OutcomeFileError(ValueError):
    """A file no row of which can be read (not CSV or JSON Lines, or without a required column)."""


@dataclass(frozen=True)
class OutcomeRow:
    """One exam outcome read from a file, checked field by field."""

    line: int
    partner: str
    shipment_id: str
    result: str
    examined_at: datetime  # UTC
    what: str | None = None
    agency: str | None = None
    version: int | None = None
    quantity: float | None = None
    unit: str | None = None
    note: str | None = None


def problems(result: str, what: str | None, agency: str | None) -> list[tuple[str, str]]:
    """What is wrong with an outcome, as (field, problem) — the same words the workspace shows."""
    if result not in RESULTS:
        return [("result", f"result must be one of {', '.join(RESULTS)}")]
    if result == "seized" and not (what and what.strip()):
        return [("what", "a seizure says what was seized")]
    if result == "referred" and not (agency and agency.strip()):
        return [("agency", "a referral names the agency")]
    return []


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (a zone-less one is UTC) or a bare date (its midnight, UTC)."""
    text = text.strip()
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t).astimezone(UTC)


def read_outcomes(data: bytes, source: str, now: datetime | None = None) -> tuple[list[OutcomeRow], list[Reject]]:
    """Every row of a CSV or JSON Lines file (by its first character: ``{`` is JSON Lines), checked;
    the good rows and a reject per bad one.  Raises ``OutcomeFileError`` when no row can be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OutcomeFileError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    records = _jsonl(text, source) if text.lstrip().startswith("{") else _csv(text, source)
    now = now or datetime.now(UTC)
    rows: list[OutcomeRow] = []
    rejects: list[Reject] = []
    for line, rec in records:
        if isinstance(rec, Reject):
            rejects.append(rec)
            continue
        row = _check(rec, line, now)
        if isinstance(row, OutcomeRow):
            rows.append(row)
        else:
            field, why = row
            rejects.append(Reject(source, line, field, why, shipment_id=_text(rec.get("shipment_id")),
                                  raw=json.dumps(rec, default=str)[:2000], kind="row"))
    return rows, rejects


def _csv(text: str, source: str) -> list[tuple[int, dict[str, Any] | Reject]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise OutcomeFileError(f"{source}: no column {', '.join(missing)} (a CSV needs {', '.join(REQUIRED)}, "
                               f"and may have {', '.join(OPTIONAL)})")
    reader.fieldnames = header
    out: list[tuple[int, dict[str, Any] | Reject]] = []
    start = reader.line_num + 1
    for rec in reader:
        if None in rec:  # more cells than the header names
            out.append((start, Reject(source, start, None, f"{len(header) + len(rec[None])} cells where the header "
                                      f"names {len(header)}", kind="row")))
        elif any((v or "").strip() for v in rec.values()):
            out.append((start, rec))
        start = reader.line_num + 1
    return out


def _jsonl(text: str, source: str) -> list[tuple[int, dict[str, Any] | Reject]]:
    out: list[tuple[int, dict[str, Any] | Reject]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append((n, Reject(source, n, None, f"not JSON: {exc.msg}", raw=line[:2000], kind="row")))
            continue
        if not isinstance(rec, dict):
            out.append((n, Reject(source, n, None, "not a JSON object", raw=line[:2000], kind="row")))
            continue
        out.append((n, rec))
    if not out:
        raise OutcomeFileError(f"{source}: no outcomes in it")
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _check(rec: dict[str, Any], line: int, now: datetime) -> OutcomeRow | tuple[str, str]:
    """The row, or its first problem as (field, problem)."""
    v = {k: _text(rec.get(k)) for k in (*REQUIRED, *OPTIONAL)}
    for field in REQUIRED:
        if v[field] is None:
            return field, f"{field} is needed"
    for field, most in LIMITS.items():
        if v[field] is not None and len(v[field] or "") > most:
            return field, f"at most {most} characters"
    bad = problems(v["result"] or "", v["what"], v["agency"])
    if bad:
        return bad[0]
    try:
        examined_at = parse_time(v["examined_at"] or "")
    except ValueError:
        return "examined_at", f"not a time: {v['examined_at']!r} (ISO 8601, e.g. 2026-11-27T14:30:00Z, or a date)"
    if examined_at > now:
        return "examined_at", "in the future"
    version = None
    if v["version"] is not None:
        try:
            version = int(v["version"] or "")
        except ValueError:
            return "version", f"not a whole number: {v['version']!r}"
        if version < 1:
            return "version", "versions count from 1"
    quantity = None
    if v["quantity"] is not None:
        try:
            quantity = float((v["quantity"] or "").replace(",", "."))
        except ValueError:
            return "quantity", f"not a number: {v['quantity']!r}"
        if not 0 <= quantity <= 1e9:
            return "quantity", "must be between 0 and 1e9"
    return OutcomeRow(line=line, partner=v["partner"] or "", shipment_id=v["shipment_id"] or "",
                      result=v["result"] or "", examined_at=examined_at, what=v["what"], agency=v["agency"],
                      version=version, quantity=quantity, unit=v["unit"], note=v["note"])
