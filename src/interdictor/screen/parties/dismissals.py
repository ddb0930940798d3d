"""Dismissing a match: "this party is not that list entry".

A dismissal names the party (its folded name and address) and the entry as it
was (its fingerprint).  The detector drops that pair until either changes: a
new address, a different spelling that folds differently, or a new version of
the entry (an added alias, address or programme) brings the alert back.

This module holds the pure parts (the party's key, what a dismissal needs);
``store.parties`` records dismissals and revocations, each in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from interdictor.reference.watchlists import CURATED_LIST_ID, curated_list
from interdictor.reference.watchlists.model import Entry
from interdictor.screen.parties.addresses import address_key
from interdictor.screen.parties.list_reasons import party_key


class DismissalError(ValueError):
    pass


@dataclass(frozen=True)
class PartyRef:
    name: str
    address: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @property
    def key(self) -> str:
        return party_key(self.name, address_key(self.address, self.postal_code, self.country))


def check_dismissal(reason: str, actor: str) -> None:
    """Raise ``DismissalError`` unless the dismissal says why and who."""
    if not reason.strip():
        raise DismissalError("a dismissal needs a reason (what shows this party is not the entry)")
    if not actor.strip():
        raise DismissalError("a dismissal needs the name of who dismisses it")


def entry_or_curated(stored: Entry | None, list_id: str, uid: str) -> Entry:
    """The entry a dismissal names: the stored one, else the shipped curated list's (never stored yet)."""
    entry = stored
    if entry is None and list_id == CURATED_LIST_ID:
        entry = next((e for e in curated_list().entries if e.uid == uid), None)
    if entry is None:
        raise DismissalError(
            f"no current entry {uid!r} in list {list_id!r}; see `interdictor lists show {list_id}`"
        )
    return entry
