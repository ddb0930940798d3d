"""Answers as JSON, and as a Cargo-IMP-style text message for partners that speak Cargo-IMP.

The text layout (``ANS/1``), documented in docs/formats.md::

    ANS/1                                   message identifier and version
    REF/618-12345675                        the document answered (optional)
    MBI/618-12345675/ACC                    a consolidation: master AWB / master status
    /HSE/ACC2/RFI1/HFS0/DNL1                its houses counted by status
    HBS/AEI12345678/DNL/ROUTING/GOODS-SUSPECT   a house: HAWB / status / reason codes
    HBS/AEI12345679/RFI/DATA-INVALID
    /TXT/LINE 6 FIELD AWB REJECTED ...      data to correct or supply (wrapped over /TXT/ lines)
    AWB/176-12345675/HFS/ORIGIN             a direct AWB (no houses)
    ITM/CP123456785CN/ACC                   a postal item
    SID/EX000123/ACC                        any other shipment, by its shipment id

Status codes: ACC accepted, RFI request for information, HFS hold for screening, DNL
do not load.  Lines are at most 65 characters in the Type-B character set (upper case
letters, digits, space and ``-.,()?':+=``); partner codes write ``_`` as ``-``; a line
too long continues on a ``/`` line.  Accepted houses of a consolidation are listed too,
so the filer can match every house bill it sent.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from interdictor.answers.consolidation import consolidate
from interdictor.answers.model import TEXT_CODES, ConsolidationAnswer, HouseAnswer

MAX_LINE = 65
_NOT_TYPE_B = re.compile(r"[^A-Z0-9 \-.,()?':+=]")


def to_jsonable(answers: Sequence[HouseAnswer], consolidations: Sequence[ConsolidationAnswer] | None = None,
                in_reply_to: str | None = None) -> dict[str, Any]:
    cons = consolidate(answers) if consolidations is None else consolidations

    def house(a: HouseAnswer) -> dict[str, Any]:
        d = asdict(a)
        d["status"] = a.status.value
        d["reason_codes"], d["data_requested"] = list(a.reason_codes), list(a.data_requested)
        return {k: v for k, v in d.items() if v not in (None, [])} | {"status": a.status.value}

    return {
        "answer_version": 1,
        **({"in_reply_to": in_reply_to} if in_reply_to else {}),
        "answers": [house(a) for a in answers],
        "consolidations": [
            {"mawb": c.mawb, "status": c.status.value, "reason_codes": list(c.reason_codes), "houses": c.houses,
             "exceptions": [house(h) for h in c.exceptions]}
            for c in cons
        ],
    }


def to_json(answers: Sequence[HouseAnswer], consolidations: Sequence[ConsolidationAnswer] | None = None,
            in_reply_to: str | None = None) -> str:
    return json.dumps(to_jsonable(answers, consolidations, in_reply_to), ensure_ascii=False)


def _text(value: str) -> str:
    return " ".join(_NOT_TYPE_B.sub(" ", value.upper().replace("_", "-").replace("/", " ")).split())


def _wrap(head: str, fields: Iterable[str]) -> list[str]:
    """``head/f1/f2...`` cut into lines of at most MAX_LINE, continued by ``/`` lines."""
    lines, cur = [], head[:MAX_LINE]
    for f in fields:
        f = _text(f)[: MAX_LINE - 2]
        if not f:
            continue
        if len(cur) + 1 + len(f) > MAX_LINE:
            lines.append(cur)
            cur = "/" + f
        else:
            cur = f"{cur}/{f}"
    lines.append(cur)
    return lines


def _house_lines(tag: str, ident: str, a: HouseAnswer) -> list[str]:
    out = _wrap(f"{tag}/{_text(ident)}/{TEXT_CODES[a.status]}", a.reason_codes)
    for d in a.data_requested:  # a long detail runs on over several /TXT/ lines, words whole
        out.extend(f"/TXT/{part}" for part in textwrap.wrap(_text(d), MAX_LINE - 5))
    return out


def to_cimp_text(answers: Sequence[HouseAnswer], consolidations: Sequence[ConsolidationAnswer] | None = None,
                 in_reply_to: str | None = None) -> str:
    cons = {c.mawb: c for c in (consolidate(answers) if consolidations is None else consolidations)}
    lines = ["ANS/1"]
    if in_reply_to:
        lines.append(f"REF/{_text(in_reply_to)}"[:MAX_LINE])
    done: set[str] = set()
    for mawb, c in cons.items():
        lines.extend(_wrap(f"MBI/{_text(mawb)}/{TEXT_CODES[c.status]}", c.reason_codes))
        counts = "/".join(f"{TEXT_CODES[s]}{n}" for s, n in ((s, c.houses.get(s.value, 0)) for s in TEXT_CODES))
        lines.append(f"/HSE/{counts}")
        for a in answers:
            if a.mawb == mawb and a.hawb:
                lines.extend(_house_lines("HBS", a.hawb, a))
                done.add(a.shipment_id)
    for a in answers:
        if a.shipment_id in done or (a.mawb in cons and a.shipment_id == a.mawb):
            continue
        if a.postal_item_id:
            lines.extend(_house_lines("ITM", a.postal_item_id, a))
        elif a.hawb:
            lines.extend(_house_lines("HBS", a.hawb, a))
        elif a.mawb and a.shipment_id == a.mawb:
            lines.extend(_house_lines("AWB", a.mawb, a))
        else:
            lines.extend(_house_lines("SID", a.shipment_id, a))
    return "\n".join(lines) + "\n"
