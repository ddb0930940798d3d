"""What a reader may see, as the store's reads take it (a ``Principal`` in the service carries one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """What a principal may read.

    ``partner``: only shipments (and referrals) filed under this partner code;
    ``corridors``: only shipments assessed in these corridors (None: every corridor);
    ``answers_only``: sees partner answers, never scores, rules or list names;
    ``nothing``: a principal with no way to see data (a partner org without a code).
    """

    partner: str | None = None
    corridors: frozenset[str] | None = None
    answers_only: bool = False
    nothing: bool = False

    @classmethod
    def everything(cls) -> Scope:
        return cls()
