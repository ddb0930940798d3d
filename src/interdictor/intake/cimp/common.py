"""What the message parsers share: the per-message context and the 'unreadable' signal."""

from __future__ import annotations

from dataclasses import dataclass

from interdictor.intake.records import Problems


class Unreadable(Exception):
    """The message cannot yield any shipment (no AWB line, no MBI): one message reject."""

    def __init__(self, line: int | None, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.field = field
        self.reason = reason


@dataclass
class Ctx:
    source: str
    problems: Problems
    mode: str = "air"
