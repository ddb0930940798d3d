"""Group a Cargo-IMP message's lines under their line identifiers.

``SHP/4321`` opens a group (tag ``SHP``, fields ``["4321"]``); the lines after it
that start with ``/`` are its continuation lines.  Inside a party block (SHP, CNE,
NFY) the FWB/17 sub-lines ``NAM/``, ``ADR/``, ``LOC/`` belong to the block rather
than opening groups of their own.  A line that is neither (free text a gateway
wrapped, like ``ATTACHED``) is kept as a continuation of the group before it:
real traffic breaks the rules and the words still matter for screening.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

PARTY_TAGS: Final = frozenset({"SHP", "CNE", "NFY"})
PARTY_SUBS: Final = frozenset({"NAM", "ADR", "LOC"})


@dataclass(slots=True)
class Group:
    tag: str  # 3-letter line identifier; "" for text before the first one
    line: int
    fields: list[str]  # the tag line's fields after the identifier, split on '/'
    subs: list[tuple[int, str]] = field(default_factory=list)  # (line number, text) of following lines


def tag_of(text: str) -> str | None:
    """The line identifier of ``text`` (``RTD/1/...`` -> ``RTD``), or None."""
    if len(text) >= 3 and text[:3].isalpha() and text[:3].isascii() and (len(text) == 3 or text[3] == "/"):
        return text[:3]
    return None


def group(lines: list[tuple[int, str]]) -> list[Group]:
    groups: list[Group] = []
    current: Group | None = None
    for line_no, text in lines:
        tag: str | None = None
        if text[:1] != "/" and (len(text) == 3 or text[3:4] == "/"):  # tag_of, inlined: this loop is hot
            head = text[:3]
            if head.isalpha() and head.isascii():
                tag = head
                if tag in PARTY_SUBS and current is not None and current.tag in PARTY_TAGS:
                    tag = None
        if tag is None:
            if current is None:
                current = Group("", line_no, [])
                groups.append(current)
            current.subs.append((line_no, text))
            continue
        current = Group(tag, line_no, text[4:].split("/") if len(text) > 3 else [])
        groups.append(current)
    return groups


def sub_fields(text: str) -> list[str]:
    """Fields of a continuation line: ``/US/52601/TE/1`` -> ``["US", "52601", "TE", "1"]``."""
    return text[1:].split("/") if text.startswith("/") else text.split("/")
