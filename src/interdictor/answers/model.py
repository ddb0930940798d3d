"""Answer types: the four statuses, a house-bill answer, a consolidation answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Status(StrEnum):
    ACCEPTED = "accepted"
    REQUEST_FOR_INFORMATION = "request_for_information"
    HOLD_FOR_SCREENING = "hold_for_screening"
    DO_NOT_LOAD = "do_not_load"


# disposition -> status before data doubts are considered; order = severity
SEVERITY: Final = {Status.ACCEPTED: 0, Status.REQUEST_FOR_INFORMATION: 1, Status.HOLD_FOR_SCREENING: 2,
                   Status.DO_NOT_LOAD: 3}
# three-letter codes of the Cargo-IMP-style text answer
TEXT_CODES: Final = {Status.ACCEPTED: "ACC", Status.REQUEST_FOR_INFORMATION: "RFI",
                     Status.HOLD_FOR_SCREENING: "HFS", Status.DO_NOT_LOAD: "DNL"}
FALLBACK_CODE: Final = "SCREENING"  # a reason whose rule names no partner code


@dataclass(frozen=True)
class HouseAnswer:
    """The answer about one house bill, direct AWB or postal item."""

    shipment_id: str
    status: Status
    reason_codes: tuple[str, ...] = ()
    data_requested: tuple[str, ...] = ()  # what to correct or supply (request for information)
    mawb: str | None = None
    hawb: str | None = None
    postal_item_id: str | None = None


@dataclass(frozen=True)
class ConsolidationAnswer:
    """The master AWB's answer and the houses under it that are not accepted."""

    mawb: str
    status: Status
    reason_codes: tuple[str, ...] = ()
    houses: dict[str, int] = field(default_factory=dict)  # status -> number of houses
    exceptions: tuple[HouseAnswer, ...] = ()  # houses not accepted: remove, hold or correct these
