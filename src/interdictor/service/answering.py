"""What a partner is told about a house bill: an answer and partner-safe reason codes.

The answer itself comes from ``interdictor.answers`` (the one derivation the
stream worker uses too): ``accepted`` (clear or review: internal doubts are never
shown), ``request_for_information`` (data missing or doubtful), ``hold_for_screening``
(exam), ``do_not_load`` (hold), with the rule set's partner codes — never a rule
code, a score or a list name.  This module adds what the service needs on top:
the answer after a targeter's decision, and the referral a decision sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from interdictor.answers import answer_frame
from interdictor.score.rules import RuleSet

ANSWERS = ("accepted", "request_for_information", "hold_for_screening", "do_not_load")
BY_DECISION = {"release": "accepted", "review": "accepted", "exam": "hold_for_screening", "hold": "do_not_load"}
REFERRAL_KINDS = ("request_for_information", "hold_for_screening", "do_not_load")
_REASONS = {"shipment_id": pl.String, "code": pl.String, "weight": pl.Float64, "evidence": pl.String}


def answers_of(shipments: pl.DataFrame, assessed: pl.DataFrame, reasons: pl.DataFrame,
               ruleset: RuleSet) -> dict[str, dict[str, Any]]:
    """shipment id -> ``{answer, reason_codes, data_requested}`` for a screened batch (one columnar pass)."""
    frame = answer_frame(shipments, assessed, reasons.select(list(_REASONS)), ruleset)
    return {r["shipment_id"]: {"answer": r["status"], "reason_codes": list(r["reason_codes"] or []),
                               "data_requested": list(r["data_requested"] or [])} for r in frame.to_dicts()}


def partner_view(shipment: Mapping[str, Any], disposition: str, reasons: Iterable[Mapping[str, Any]],
                 ruleset: RuleSet) -> dict[str, Any]:
    """The answer for one stored shipment and its reasons."""
    sid = str(shipment["shipment_id"])
    ships = pl.DataFrame([{k: shipment.get(k) for k in ("mawb", "hawb", "postal_item_id")} | {"shipment_id": sid}],
                         schema={"shipment_id": pl.String, "mawb": pl.String, "hawb": pl.String,
                                 "postal_item_id": pl.String})
    rs = pl.DataFrame([{"shipment_id": sid, **{k: r.get(k) for k in ("code", "weight", "evidence")}} for r in reasons],
                      schema=_REASONS)
    got = answers_of(ships, pl.DataFrame({"shipment_id": [sid], "disposition": [disposition]}), rs, ruleset)
    return got.get(sid, {"answer": "accepted", "reason_codes": [], "data_requested": []})


def partner_codes(shipment: Mapping[str, Any], reasons: Iterable[Mapping[str, Any]], ruleset: RuleSet) -> list[str]:
    """Every partner-safe code of the reasons, strongest first (what a referral cites)."""
    return list(partner_view(shipment, "exam", reasons, ruleset)["reason_codes"])


def referral_kind(decision: str, request_information: bool) -> str | None:
    """The referral a decision sends to the filer (None: nothing to send)."""
    if decision == "exam":
        return "hold_for_screening"
    if decision == "hold":
        return "do_not_load"
    if request_information and decision == "review":
        return "request_for_information"
    return None
