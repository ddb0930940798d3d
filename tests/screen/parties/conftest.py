from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
WATCHLIST_FIXTURES = Path(__file__).resolve().parents[2] / "reference" / "watchlists" / "fixtures"


def load_cases(name: str) -> Any:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
