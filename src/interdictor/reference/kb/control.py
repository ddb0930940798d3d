"""A regulatory fact of the knowledge base, and the rules it must keep to load.

A fact is sourced (a citation, and a ``since`` date that agrees with it) or unverified (a reason,
no source); evidence states only sourced facts.  The rules are checked when the knowledge base loads,
so a fact that breaks them stops the load and is named (its keys are ``schema.ControlDoc``'s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# words that say a fact is unchecked: they belong in `unverified:`, never in text an officer reads
UNSURE = re.compile(r"\b(memory|inferen\w*|verif\w*|unverified|todo|tbd)\b|\?", re.I)
_SINCE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_FR = re.compile(r"\b(\d{2,3})\s+FR\s+\d+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_LIST_YEAR = re.compile(r"\b(?:19|20)\d{2}\b(?! Convention)")  # "1988 Convention" is a name, not a date


@dataclass(frozen=True)
class Control:
    """One regulatory fact: a listing (or, with ``proposed``, a published proposal to list).

    A fact either names its ``source`` (a citation: "85 FR 20822", "UK Home Office precursor list") and
    then may carry a ``since`` date that agrees with it, or it is ``unverified`` (why: "memory",
    "inference") and has no source.  Only sourced facts are ever shown to an officer (``text``);
    ``label`` is the analyst's view, flags included.
    """

    jurisdiction: str
    list: str
    source: str | None = None
    since: str | None = None  # "2017" | "2020-12" | "2020-05-15", as precise as the source is
    proposed: bool = False
    unverified: str | None = None

    @property
    def sourced(self) -> bool:
        return self.source is not None

    def text(self) -> str:
        """'US List I since 2020-05-15 (85 FR 20822)' — the officer's wording (sourced facts only)."""
        if self.proposed:
            when = f", {self.since}" if self.since else ""
        else:
            when = f" since {self.since}" if self.since else ""
        return f"{self.jurisdiction} {self.list}{when} ({self.source})"

    def label(self) -> str:
        """The analyst's wording: a sourced fact as ``text``, an unverified one with its flag."""
        if self.sourced:
            return self.text()
        when = f" since {self.since}" if self.since else ""
        return f"{self.jurisdiction} {self.list}{when} (unverified: {self.unverified})"


def since_date(since: str) -> date | None:
    """The first day a ``since`` value covers ('2017' → 2017-01-01); None when it is not a date."""
    m = _SINCE.match(since)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None


def source_years(source: str) -> set[int]:
    """Years a citation names: a Federal Register volume (85 FR … → 2020) and any year written out."""
    years = {1935 + int(v) for v in _FR.findall(source)}
    return years | {int(y) for y in _YEAR.findall(_FR.sub(" ", source))}


def control_problems(c: Control) -> list[str]:
    """What is wrong with one regulatory fact (an empty list when nothing is)."""
    problems: list[str] = []
    what = f"control {c.jurisdiction} {c.list!r}"
    if not c.jurisdiction or not c.list:
        problems.append(f"{what} needs both a jurisdiction and a list")
    if c.source is None and c.unverified is None:
        problems.append(f"{what} has no source (cite one in `source:`, or say why there is none in `unverified:`)")
    if c.source is not None and c.unverified is not None:
        problems.append(f"{what} is marked unverified ({c.unverified}) and also cites {c.source!r}: a fact is one or the other")
    if c.source is not None and not c.source.strip():
        problems.append(f"{what} has an empty source")
    for field_name, text in (("list", c.list), ("source", c.source or "")):
        if c.sourced and UNSURE.search(text):
            problems.append(f"{what}: {field_name} {text!r} says the fact is unchecked (use `unverified:` instead)")
    if _LIST_YEAR.search(c.list):
        problems.append(f"{what}: a date belongs in `since:` (agreeing with the source), not in the list name")
    if c.since is not None:
        day = since_date(c.since)
        if day is None:
            problems.append(f"{what}: since {c.since!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        elif c.source is not None:
            years = source_years(c.source)
            # a rule published late in a year may take effect early the next
            if years and day.year not in years | {y + 1 for y in years}:
                problems.append(f"{what}: since {c.since} disagrees with its source {c.source!r} "
                                f"(which dates it {', '.join(map(str, sorted(years)))})")
    return problems
