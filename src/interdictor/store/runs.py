"""What one ingest run did: counted while it screens, recorded when it finishes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RunSummary:
    run_id: str
    source: str
    partner: str
    rows: int = 0
    shipments: int = 0
    new_versions: int = 0
    amended: int = 0
    unchanged: int = 0
    rejects: int = 0
    reject_rows: int = 0
    dispositions: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stored: bool = False
    outside_corridor: int = 0
    # the calibrated exam thresholds the run used, per corridor, and their learned set ("none": the corridors')
    thresholds: dict[str, float] = field(default_factory=dict)
    thresholds_version: str = "none"
    trigger: str | None = None  # a re-assessment's cause (``screening/reassess.py``); None for a filing

    @property
    def rate(self) -> float:
        return self.shipments / self.seconds if self.seconds > 0 else 0.0
