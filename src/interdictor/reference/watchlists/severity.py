"""How much a listing weighs: drug programmes, lookouts, everything else.

Configured in ``data/programs.yaml`` (or a file of the same shape given by the
operator); matching is case-insensitive and a programme id that *contains* a
configured drug programme counts ("us_ofac_sdn-ILLICIT-DRUGS-EO14059").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from interdictor.reference.watchlists import data_file
from interdictor.reference.watchlists.model import Entry

Severity = Literal["drug", "lookout", "other"]


@dataclass(frozen=True)
class ProgramSeverity:
    drug: tuple[str, ...]
    lookout: tuple[str, ...]
    lookout_lists: tuple[str, ...]

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> ProgramSeverity:
        sev = raw.get("severity") or {}
        return cls(
            drug=tuple(str(p).upper() for p in sev.get("drug") or ()),
            lookout=tuple(str(p).upper() for p in sev.get("lookout") or ()),
            lookout_lists=tuple(str(p).lower() for p in raw.get("lookout_lists") or ()),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> ProgramSeverity:
        raw = yaml.safe_load((path or data_file("programs.yaml")).read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping with 'severity'")
        return cls.from_raw(raw)

    def of_program(self, program: str) -> Severity:
        p = program.upper()
        if any(d == p or d in p for d in self.drug):
            return "drug"
        if any(lk == p for lk in self.lookout):
            return "lookout"
        return "other"

    def of(self, entry: Entry) -> Severity:
        if any(entry.list_id.lower().startswith(prefix) for prefix in self.lookout_lists):
            return "lookout"
        levels = {self.of_program(p) for p in entry.programs}
        if "drug" in levels:
            return "drug"
        if "lookout" in levels:
            return "lookout"
        return "other"

