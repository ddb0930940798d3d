"""Shaping responses: what a partner may see of a shipment, and JSON-safe values."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import polars as pl

from interdictor.learn.loop import CODE as MODEL_CODE
from interdictor.learn.loop import said_by_model
from interdictor.score.rules import RuleSet
from interdictor.service import answering

INTERNAL_SHIPMENT_KEYS = ("score", "disposition", "corridor", "reasons")
HIDDEN_COLUMNS = ("content_hash", "run_id", "raw_id", "is_current")


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def submitted_shipment(row: dict[str, Any], answers_only: bool) -> dict[str, Any]:
    if answers_only:
        return {k: v for k, v in row.items() if k not in INTERNAL_SHIPMENT_KEYS}
    return row


def shipment_view(detail: dict[str, Any], hist: dict[str, list[dict[str, Any]]], ruleset: RuleSet,
                  answers_only: bool, decided_answer: str | None) -> dict[str, Any]:
    """A shipment's detail; for partners only their data, the current answer and its partner-safe codes."""
    ship = {k: v for k, v in detail["shipment"].items() if k not in HIDDEN_COLUMNS}
    if ship.get("extra"):
        with contextlib.suppress(TypeError, ValueError):
            ship["extra"] = json.loads(ship["extra"])
    a = detail["assessment"]
    view = answering.partner_view(detail["shipment"], a["disposition"] if a else "clear", detail["reasons"], ruleset)
    if decided_answer is not None and decided_answer != view["answer"]:
        # a targeter's decision is the answer now; the codes are the shipment's partner-safe codes
        codes = [] if decided_answer == "accepted" else answering.partner_codes(detail["shipment"], detail["reasons"],
                                                                                ruleset)
        view = {"answer": decided_answer, "reason_codes": codes,
                "data_requested": view["data_requested"] if decided_answer == "request_for_information" else []}
    out: dict[str, Any] = {
        "shipment": ship, "items": [_strip(i) for i in detail["items"]],
        "parties": [_strip(p) for p in detail["parties"]], **view,
        "referrals": [_referral_view(r, answers_only) for r in hist["referrals"]],
    }
    if answers_only:
        return dict(jsonable(out))
    out.update({
        "assessment": {k: a[k] for k in ("score", "disposition", "corridor", "ruleset", "ruleset_version", "created_at")}
        if a else None,
        "reasons": detail["reasons"], "versions": detail["versions"],
        "decisions": hist["decisions"], "outcomes": hist["outcomes"],
        "model": model_part(detail.get("inputs"), detail["reasons"]),
    })
    return dict(jsonable(out))


def model_part(versions: dict[str, Any] | None, reasons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The risk model's part in an assessment (never shown to a partner): the version that screened it,
    and its ``MODEL_RISK`` points and probability when it gave one. None when the rules screened alone."""
    version = str((versions or {}).get("model") or "none")
    if version == "none":
        return None
    said = [r for r in reasons if r.get("code") == MODEL_CODE]
    if not said:
        return {"version": version, "weight": None, "probability": None}
    read = pl.DataFrame({"e": [said[0].get("evidence") or ""]}).select(said_by_model(pl.col("e"))).row(0, named=True)
    return {"version": version, "weight": said[0].get("weight"), "probability": read["model_probability"]}


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("partner", "shipment_id", "version")}


def _referral_view(r: dict[str, Any], answers_only: bool) -> dict[str, Any]:
    if answers_only:
        keep = ("referral_id", "shipment_id", "hawb", "mawb", "kind", "reason_codes", "asked", "message", "status",
                "created_at", "acknowledged_at", "responded_at", "response")
        return {k: r.get(k) for k in keep}
    return r


def referral_view(r: dict[str, Any], answers_only: bool) -> dict[str, Any]:
    return dict(jsonable(_referral_view(r, answers_only)))


def search_row(row: dict[str, Any], answers_only: bool) -> dict[str, Any]:
    if answers_only:
        row = {k: v for k, v in row.items() if k not in ("score", "disposition", "corridor")}
    return dict(jsonable(row))


# --- what a person reads: times, reasons, ports, rates -------------------------------------------

def utc_time(value: Any) -> str:
    """``YYYY-MM-DD HH:MM UTC`` for a datetime or an ISO string (naive ones are UTC, as stored); else as given."""
    if value is None or value == "":
        return ""
    when = value
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        return when.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(when, date):
        return when.isoformat()
    return str(value)


_SHORT_PAREN = 24  # a parenthesis this short is a CAS number or a place; a longer one lists regulations
_PAREN = re.compile(r"\s*\(([^()]*)\)")
# clauses after the first that carry what distinguishes one hit from another
_TELLING = ("matched", "none is on record", "CAS", "declared HS", "written", "spelled")


def brief_evidence(evidence: str | None, limit: int = 110) -> str:
    """The distinguishing part of a reason's evidence: what matched and where, without the long
    regulatory citations (the full text stays on the shipment page and on hover)."""
    text = evidence or ""
    while True:  # innermost parentheses first; short ones are kept (as brackets, so the loop ends)
        new = _PAREN.sub(lambda m: f" \x01{m.group(1)}\x02" if len(m.group(1)) <= _SHORT_PAREN else "", text)
        if new == text:
            break
        text = new
    text = text.replace("\x01", "(").replace("\x02", ")")
    text = re.sub(r" — [^;]*", "", text)  # a dash starts an explanation of the rule, not of this hit
    text = re.sub(r"\bdescription '", "'", text).replace(", a listed precursor", "")
    clauses = [c.strip() for c in text.split("; ") if c.strip()]
    kept = clauses[:1] + [c for c in clauses[1:] if c.startswith(_TELLING)]
    out = re.sub(r"\s+", " ", "; ".join(kept)).replace(" ,", ",").strip()
    if len(out) > limit:
        out = out[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return out


def brief_parts(reason: dict[str, Any]) -> tuple[str, str]:
    """(where, what): the item (numbered from 1) or party a reason is about, and its brief evidence."""
    if reason.get("item") is not None:
        where = f"item {int(reason['item']) + 1}"
    else:
        where = str(reason.get("party") or "")
    return where, brief_evidence(reason.get("evidence"))


def brief_reason(reason: dict[str, Any]) -> str:
    """``CODE item 2: what matched`` — one line per reason, for the queue and the console."""
    where, body = brief_parts(reason)
    head = " ".join(p for p in (str(reason.get("code", "")), where) if p)
    return f"{head}: {body}" if body else head


@dataclass(frozen=True)
class PortName:
    code: str | None  # IATA or UN/LOCODE, the form a filer most often writes
    name: str | None  # CBP port name, else the airport's city
    cbp: str | None  # CBP port number where known
    note: str | None = None  # why the port is unknown

    def __str__(self) -> str:
        parts = [p for p in (self.code, self.name) if p]
        if not parts and not self.cbp:
            return f"— ({self.note})" if self.note else "—"
        return " · ".join(filter(None, (" ".join(parts), f"CBP {self.cbp}" if self.cbp else None)))


@cache
def _port_table() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    from interdictor.reference import data_path

    by_cbp: dict[str, dict[str, str]] = {}
    by_code: dict[str, dict[str, str]] = {}
    for name in ("border_ports.csv", "us_ports.csv"):
        with data_path(name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(line for line in fh if not line.startswith("#")):
                by_cbp[row["cbp_code"]] = row
                for alias in (row.get("iata"), row.get("unlocode")):
                    if alias:
                        by_code[alias] = row
    return by_cbp, by_code


@cache
def _airport_cities() -> dict[str, str]:
    import airportsdata

    return {k: str(v["city"]) for k, v in airportsdata.load("IATA").items() if v.get("country") == "US"}


def port_name(raw: str | None) -> PortName:
    """One form for a port of entry, whichever way it was filed (CBP number, IATA code, UN/LOCODE)."""
    code = (raw or "").strip().upper()
    if not code:
        return PortName(None, None, None, "no port of entry filed")
    by_cbp, by_code = _port_table()
    if code.isdigit():
        row = by_cbp.get(code)
        if row is None:
            return PortName(None, None, code) if len(code) == 4 else PortName(None, None, None, f"unknown port {code}")
        return PortName(row.get("iata") or None, row["name"], code)
    iata = code[2:] if len(code) == 5 and code.startswith("US") else code
    row = by_code.get(code) or by_code.get(iata)
    if row is not None:
        return PortName(row.get("iata") or code, row["name"], row["cbp_code"])
    city = _airport_cities().get(iata)
    if city is None:
        return PortName(None, None, None, f"unknown port {code}")
    return PortName(iata, city, None)


def wilson_interval(hits: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (95 % by default): honest for small counts, unlike hits/n."""
    if n <= 0:
        return None
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
