"""Shaping responses: what a partner may see of a shipment, and JSON-safe values."""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from typing import Any

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
    })
    return dict(jsonable(out))


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
