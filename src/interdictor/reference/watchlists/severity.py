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
from interdictor.typed_config import Strict, Texts, parse_as

Severity = Literal["drug", "lookout", "other"]


class ProgramsError(ValueError):
    """A programme-severity file that does not say what it must (every problem is listed)."""


class SeverityDoc(Strict):
    drug: Texts = ()  # programme ids (or parts of ids) that make a listing a drug listing
    lookout: Texts = ()


class ProgramsDoc(Strict):
    """``programs.yaml``, or the operator's own file of the same shape."""

    severity: SeverityDoc = SeverityDoc()
    lookout_lists: Texts = ()  # list-id prefixes whose every entry is a lookout


@dataclass(frozen=True)
class ProgramSeverity:
    drug: tuple[str, ...]
    lookout: tuple[str, ...]
    lookout_lists: tuple[str, ...]

    @classmethod
    def from_raw(cls, raw: Any, source: str = "programs.yaml") -> ProgramSeverity:
        """From a parsed document; ``ProgramsError`` names ``source``, the key and the fix."""
        doc = parse_as(ProgramsDoc, raw or {}, source, ProgramsError)
        return cls(
            drug=tuple(p.upper() for p in doc.severity.drug),
            lookout=tuple(p.upper() for p in doc.severity.lookout),
            lookout_lists=tuple(p.lower() for p in doc.lookout_lists),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> ProgramSeverity:
        """The shipped severities, or the operator's file at ``path`` (``INTERDICTOR_PARTY_PROGRAMS_FILE``)."""
        source = str(path) if path is not None else "programs.yaml"
        try:
            raw = yaml.safe_load((path or data_file("programs.yaml")).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ProgramsError(f"cannot read programme severities from {source}: {exc}") from exc
        return cls.from_raw(raw, source)

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

