"""Subject and stream names, and message keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Names:
    """Subjects and streams under one namespace (``interdictor`` in production; tests use their own)."""

    ns: str = "interdictor"

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z][a-z0-9_]{0,31}$", self.ns):
            raise ValueError(f"stream namespace {self.ns!r} must be lower-case letters, digits or '_'")

    @property
    def intake_stream(self) -> str:
        return f"{self.ns.upper()}_INTAKE"

    @property
    def answers_stream(self) -> str:
        return f"{self.ns.upper()}_ANSWERS"

    @property
    def dead_stream(self) -> str:
        return f"{self.ns.upper()}_DEAD"

    @property
    def intake_prefix(self) -> str:
        return f"{self.ns}.intake"

    @property
    def durable(self) -> str:
        return f"{self.ns}-workers"

    def intake(self, partner: str, fmt: str = "auto") -> str:
        for part, what in ((partner, "partner"), (fmt, "format")):
            if not _TOKEN.match(part):
                raise ValueError(f"{what} {part!r} must be 1-64 letters, digits, '-' or '_' (it is a subject token)")
        return f"{self.intake_prefix}.{partner}.{fmt}"

    def answers(self, partner: str) -> str:
        return f"{self.ns}.answers.{partner}"

    def dead(self, partner: str) -> str:
        return f"{self.ns}.dead.{partner}"

    def parse(self, subject: str) -> Route | None:
        """``<ns>.intake.<partner>.<format>`` → Route; None when the subject is not of that shape."""
        parts = subject.split(".")
        if len(parts) != 4 or ".".join(parts[:2]) != self.intake_prefix or not all(_TOKEN.match(p) for p in parts[2:]):
            return None
        fmt = parts[3]
        return Route(partner=parts[2], fmt=None if fmt in ("auto", "any") else fmt)


@dataclass(frozen=True)
class Route:
    partner: str
    fmt: str | None  # None: detect from the bytes


def message_key(partner: str, fmt: str | None, data: bytes) -> str:
    h = hashlib.sha256()
    h.update(partner.encode())
    h.update(b"\x00")
    h.update((fmt or "auto").encode())
    h.update(b"\x00")
    h.update(data)
    return h.hexdigest()
