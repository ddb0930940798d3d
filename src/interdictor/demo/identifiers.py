"""Document numbers as partners write them, built a column at a time.

* UPU S10 postal item ids (``LX123456785CN``) with the S10 check digit;
* IATA air waybill numbers (``784-12345675``): 3-digit airline prefix, 7-digit
  serial and its remainder mod 7 as the check digit;
* express tracking numbers in each carrier's usual shape (DHL's 10 digits carry
  a mod-7 check digit like an AWB; the others are shape only);
* house bill numbers from a forwarder's pattern.

Serials come from running counters with random gaps, so they never repeat
within a file yet do not count up one by one.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import polars as pl

S10_WEIGHTS: Final = np.array([8, 6, 4, 2, 3, 5, 9, 7], dtype=np.int64)
_FIELD = re.compile(r"\{(\w+)(?::0(\d+)d)?\}")


def s10_check_digits(serials: np.ndarray) -> np.ndarray:
    """UPU S10 check digit of 8-digit serials (weights 8 6 4 2 3 5 9 7, mod 11)."""
    digits = (serials.astype(np.int64)[:, None] // (10 ** np.arange(7, -1, -1, dtype=np.int64))) % 10
    c = 11 - (digits @ S10_WEIGHTS) % 11
    return np.where(c == 10, 0, np.where(c == 11, 5, c))


def valid_s10(item_id: str) -> bool:
    m = re.fullmatch(r"[A-Z]{2}(\d{8})(\d)[A-Z]{2}", item_id)
    if not m:
        return False
    return int(s10_check_digits(np.array([int(m.group(1))]))[0]) == int(m.group(2))


def valid_awb(awb: str) -> bool:
    m = re.fullmatch(r"(\d{3})-?(\d{7})(\d)", awb)
    return bool(m) and int(m.group(2)) % 7 == int(m.group(3))  # type: ignore[union-attr]


def digits(values: np.ndarray, width: int) -> pl.Series:
    """Zero-padded decimal strings of non-negative integers."""
    return pl.Series(values.astype(np.int64)).cast(pl.String).str.zfill(width)


class SerialBook:
    """Running serial counters, one per key, so ids stay unique across chunks."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(
        self, key: str, n: int, rng: np.random.Generator, start: tuple[int, int], gap: int = 9
    ) -> np.ndarray:
        """``n`` increasing serials for ``key``: a random start on first use, then random gaps."""
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        first = self._next.get(key)
        if first is None:
            first = int(rng.integers(start[0], start[1]))
        out = first + np.cumsum(rng.integers(1, gap + 1, size=n, dtype=np.int64))
        self._next[key] = int(out[-1])
        return out


def s10_ids(services: pl.Series, serials: np.ndarray, countries: pl.Series) -> pl.Series:
    """S10 item ids from two-letter service indicators, 8-digit serials and origin countries."""
    check = s10_check_digits(serials)
    frame = pl.DataFrame(
        {"s": services, "n": digits(serials % 100_000_000, 8), "c": digits(check, 1), "cc": countries}
    )
    return frame.select(pl.concat_str("s", "n", "c", "cc"))["s"]


def awb_numbers(prefixes: pl.Series, serials: np.ndarray) -> pl.Series:
    """``NNN-NNNNNNNC`` air waybill numbers (check digit = serial mod 7)."""
    serials = serials % 10_000_000
    frame = pl.DataFrame({"p": prefixes, "n": digits(serials, 7), "c": digits(serials % 7, 1)})
    return frame.select(pl.concat_str("p", pl.lit("-"), "n", "c"))["p"]


_UPS_CHARS: Final = np.array(list("ABCDEFGHJKLMNPRSTUVWXY0123456789"))
_UPS_VALUES: Final = np.array([(ord(c) - 63) % 10 if c.isalpha() else int(c) for c in _UPS_CHARS])
_TRACKING_SHAPES: Final = {
    "sf": ("SF", 13, ""),
    "yun": ("YT", 16, ""),
    "fpx": ("4PX", 13, "CN"),
    "cainiao": ("LP", 14, ""),
}
# where each carrier's serials start (first use), so numbers have the carrier's usual leading digits
TRACKING_START: Final = {
    "dhl": (10**8, 9 * 10**8),
    "fedex": (10**10, 9 * 10**10),
    "ups": (10**5, 9 * 10**5),
    "sf": (10**12, 5 * 10**12),
    "yun": (2 * 10**15, 3 * 10**15),
    "fpx": (10**11, 9 * 10**11),
    "cainiao": (10**11, 9 * 10**11),
}


def _ups_check(body: np.ndarray) -> np.ndarray:
    """UPS-style check digit over 15 characters already mapped to digits."""
    odd = body[:, 0::2].sum(axis=1)
    even = body[:, 1::2].sum(axis=1)
    return np.asarray((10 - (odd + 2 * even) % 10) % 10, dtype=np.int64)


def tracking_numbers(carrier: str, serials: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Express tracking numbers in the shape the carrier prints on its labels."""
    n = len(serials)
    if carrier == "dhl":
        body = serials % 1_000_000_000
        return pl.DataFrame({"a": digits(body, 9), "b": digits(body % 7, 1)}).select(pl.concat_str("a", "b"))[
            "a"
        ]
    if carrier == "fedex":
        return digits(7_000_000_000_00 + serials % 1_000_000_000_00, 12)
    if carrier == "ups":
        # 1Z + 6-character account + 2-digit service + 7-digit package + check digit
        acct = rng.integers(0, len(_UPS_CHARS), size=(n, 6))
        service = rng.choice(np.array([1, 3, 42, 66]), size=n)
        pkg = serials % 10_000_000
        body = np.concatenate(
            [
                _UPS_VALUES[acct],
                np.stack([service // 10, service % 10], axis=1),
                (pkg[:, None] // (10 ** np.arange(6, -1, -1))) % 10,
            ],
            axis=1,
        )
        acct_str = pl.Series("a", ["".join(_UPS_CHARS[r]) for r in acct], dtype=pl.String)
        frame = pl.DataFrame(
            {"a": acct_str, "s": digits(service, 2), "p": digits(pkg, 7), "c": digits(_ups_check(body), 1)}
        )
        return frame.select(pl.concat_str(pl.lit("1Z"), "a", "s", "p", "c"))["literal"]
    prefix, width, suffix = _TRACKING_SHAPES[carrier]
    frame = pl.DataFrame({"n": digits(serials % 10**width, width)})
    return frame.select(pl.concat_str(pl.lit(prefix), "n", pl.lit(suffix)))["literal"]


def from_pattern(pattern: str, fields: dict[str, pl.Series | str], serials: np.ndarray) -> pl.Series:
    """Fill a forwarder's house-bill pattern such as ``{code}{orig}{n:07d}``."""
    parts: list[pl.Expr] = []
    frame: dict[str, pl.Series] = {}
    pos = 0
    for m in _FIELD.finditer(pattern):
        if m.start() > pos:
            parts.append(pl.lit(pattern[pos : m.start()]))
        name, width = m.group(1), m.group(2)
        if name == "n":
            frame["n"] = digits(serials % 10 ** int(width or 1), int(width or 1))
            parts.append(pl.col("n"))
        else:
            value = fields[name]
            if isinstance(value, str):
                parts.append(pl.lit(value))
            else:
                frame[name] = value
                parts.append(pl.col(name))
        pos = m.end()
    if pos < len(pattern):
        parts.append(pl.lit(pattern[pos:]))
    if not frame:
        frame["n"] = digits(serials, 1)
    return pl.DataFrame(frame).select(pl.concat_str(parts).alias("id"))["id"]
