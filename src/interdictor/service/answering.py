"""What a partner is told about a house bill: an answer and partner-safe reason codes.

Partners see only answers — ``accepted`` (clear or review: internal doubts are
never shown), ``request_for_information`` (data missing or doubtful),
``hold_for_screening`` (exam) and ``do_not_load`` (hold) — with the rule set's
``partner_code`` for each reason, never a rule code, a score or a list name.

When ``interdictor.answers`` is installed (the shared module), its functions are
used; this module keeps the service working until then and states the same
contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from interdictor.score.rules import RuleSet

ANSWERS = ("accepted", "request_for_information", "hold_for_screening", "do_not_load")
BY_RECOMMENDATION = {"clear": "accepted", "review": "accepted", "exam": "hold_for_screening", "hold": "do_not_load"}
BY_DECISION = {"release": "accepted", "review": "accepted", "exam": "hold_for_screening", "hold": "do_not_load"}
# partner codes a partner can fix by sending data: a review with one of these asks for it
INFORMATION_CODES = frozenset({"DATA_MISSING", "DATA_INVALID", "GOODS_INFO", "GOODS_DESCRIPTION", "ADDRESS_VERIFY",
                               "CONSIGNEE_VERIFY"})
# codes that speak for the shipment, not against it: never listed as a reason
MITIGATING = frozenset({"LICENCE_OK"})
REFERRAL_KINDS = ("request_for_information", "hold_for_screening", "do_not_load")


def partner_codes(reasons: Iterable[Mapping[str, Any]], ruleset: RuleSet) -> list[str]:
    """Partner-safe codes of the reasons, strongest first, each once."""
    best: dict[str, float] = {}
    for r in reasons:
        rule = ruleset.rules.get(str(r.get("code")))
        code = rule.partner_code if rule is not None and rule.partner_code else "OTHER"
        if code in MITIGATING:
            continue
        best[code] = max(best.get(code, 0.0), float(r.get("weight") or 0.0))
    return [c for c, _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))]


def answer_for(disposition: str, codes: list[str]) -> str:
    """The answer for a recommendation (before any targeter's decision)."""
    answer = BY_RECOMMENDATION.get(disposition, "accepted")
    if answer == "accepted" and disposition == "review" and INFORMATION_CODES.intersection(codes):
        return "request_for_information"
    return answer


def partner_view(disposition: str, reasons: Iterable[Mapping[str, Any]], ruleset: RuleSet) -> dict[str, Any]:
    """``{answer, reason_codes}`` — an accepted shipment carries no codes (doubts stay internal)."""
    codes = partner_codes(reasons, ruleset)
    answer = answer_for(disposition, codes)
    if answer == "accepted":
        return {"answer": answer, "reason_codes": []}
    if answer == "request_for_information":
        codes = [c for c in codes if c in INFORMATION_CODES]
    return {"answer": answer, "reason_codes": codes}


def referral_kind(decision: str, request_information: bool) -> str | None:
    """The referral a decision sends to the filer (None: nothing to send)."""
    if decision == "exam":
        return "hold_for_screening"
    if decision == "hold":
        return "do_not_load"
    if request_information and decision == "review":
        return "request_for_information"
    return None
