"""CAS Registry Numbers: format and check digit.

A CAS number is 2–7 digits, 2 digits and a check digit (``39742-60-4``).  The check digit is the sum
of every other digit times its position counted from the right (1, 2, 3, ...) modulo 10.
"""

from __future__ import annotations

import re
from typing import Final

CAS_RE: Final = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def cas_check_digit(body: str) -> int:
    """The check digit for the digits of a CAS number without its last digit."""
    return sum(i * int(d) for i, d in enumerate(reversed(body), start=1)) % 10


def is_valid_cas(cas: str) -> bool:
    """True when ``cas`` is well formed (``NNNNNNN-NN-N``) and its check digit is right."""
    m = CAS_RE.match(cas.strip())
    if m is None:
        return False
    return cas_check_digit(m.group(1) + m.group(2)) == int(m.group(3))


def format_cas(digits: str) -> str | None:
    """``'39742604'`` → ``'39742-60-4'``; None when there are too few or too many digits."""
    d = "".join(ch for ch in digits if ch.isdigit())
    if not 5 <= len(d) <= 10:
        return None
    return f"{int(d[:-3])}-{d[-3:-1]}-{d[-1]}"
