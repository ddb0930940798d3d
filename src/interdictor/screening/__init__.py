"""The screening assembly and runs: what every entry point calls to screen.

``assembly`` decides the rule set, corridors, detectors and reference data a
screen uses (one order of precedence for every entry point); ``batch`` is the
pure pass over one batch; ``run`` drives it over a reader's chunks and stores
the results.
"""

from interdictor.screening.assembly import AssemblyError, Screening, assemble
from interdictor.screening.run import ScreenRun, prefetch

__all__ = ["AssemblyError", "ScreenRun", "Screening", "assemble", "prefetch"]
