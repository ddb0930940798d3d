"""Master-level answers derived from house answers, never raised by one house.

For each master AWB with houses among the answers:

* the houses' statuses are counted and every house that is not accepted is listed as
  an exception (remove it, hold it, or correct its data);
* the derived status is the *least* severe status among the houses: the consolidation
  is held only as far as every one of its houses is held — one held house among
  accepted ones leaves the master accepted, with that house as its exception;
* when the master was assessed on its own data (an FWB/XFWB for the master), its own
  status counts too: the master answer is the more severe of its own and the derived.
"""

from __future__ import annotations

from collections.abc import Sequence

from interdictor.answers.model import SEVERITY, ConsolidationAnswer, HouseAnswer, Status


def consolidate(answers: Sequence[HouseAnswer]) -> list[ConsolidationAnswer]:
    houses: dict[str, list[HouseAnswer]] = {}
    own: dict[str, HouseAnswer] = {}
    for a in answers:
        if a.mawb and a.hawb:
            houses.setdefault(a.mawb, []).append(a)
        elif a.mawb and a.shipment_id == a.mawb:
            own[a.mawb] = a
    out = []
    for mawb, hs in houses.items():
        derived = min((h.status for h in hs), key=SEVERITY.__getitem__)
        mine = own.get(mawb)
        status = derived if mine is None or SEVERITY[derived] >= SEVERITY[mine.status] else mine.status
        codes: list[str] = list(mine.reason_codes) if mine is not None and status == mine.status else []
        if status == derived and status != Status.ACCEPTED:
            for h in hs:  # every house is held: their reasons are the master's
                codes.extend(c for c in h.reason_codes if c not in codes)
        counts = {s.value: 0 for s in Status}
        for h in hs:
            counts[h.status.value] += 1
        out.append(ConsolidationAnswer(
            mawb=mawb, status=status, reason_codes=tuple(codes), houses=counts,
            exceptions=tuple(h for h in hs if h.status != Status.ACCEPTED),
        ))
    return out
