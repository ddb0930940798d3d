"""Party and address intelligence: watchlist names, lookouts, addresses, actors.

``detect(batch, ctx)`` is the detector; ``load_parties(settings, ...)`` builds
its context part from what the store holds (``screening.loaders.parties_part`` reads it).
"""

from __future__ import annotations

from interdictor.screen.parties.detector import PART, detect
from interdictor.screen.parties.loader import build_part, load_parties
from interdictor.screen.parties.part import PartiesConfig, PartiesPart

__all__ = ["PART", "PartiesConfig", "PartiesPart", "build_part", "detect", "load_parties"]
