"""Answers to filers, modelled on air-cargo advance screening (ACAS).

Per house bill (and per direct AWB or postal item), from the assessment's
disposition and reasons:

* ``accepted`` — clear or review: internal doubts are never shown;
* ``request_for_information`` — data missing or doubtful (the ``DATA_*`` reasons):
  says which data, so the filer can correct it;
* ``hold_for_screening`` — recommended for exam;
* ``do_not_load`` — recommended hold.

Reason codes are the rule set's partner-safe ``partner_code`` s, never the internal
codes, scores, rule names or watchlists.  A consolidation's answer is derived from
its own assessment and its houses without being raised by any house: one held house
is listed as an exception, it does not hold the master.

Pure functions only: ``derive`` builds the answers (columnar, any batch size),
``consolidation`` the master-level view, ``render`` the JSON and Cargo-IMP-style text.
"""

from interdictor.answers.consolidation import consolidate
from interdictor.answers.derive import answer_frame, answers, partner_codes
from interdictor.answers.model import ConsolidationAnswer, HouseAnswer, Status
from interdictor.answers.render import to_cimp_text, to_json, to_jsonable

__all__ = [
    "ConsolidationAnswer", "HouseAnswer", "Status", "answer_frame", "answers", "consolidate", "partner_codes",
    "to_cimp_text", "to_json", "to_jsonable",
]
