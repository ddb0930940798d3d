"""Run an Aho-Corasick automaton over a whole column in one pass.

The views of all distinct descriptions are joined into one string (newline-separated — no pattern
holds a newline), the automaton walks it once in C, and each hit's end position is mapped back to its
description with a binary search.  Python touches only the hits, never the rows.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import polars as pl

HIT_SCHEMA = pl.Schema(
    {"did": pl.Int32, "gid": pl.Int32, "start": pl.Int64, "end": pl.Int64, "local": pl.Int64}
)


def scan_column(views: pl.Series, automaton: Any, key_len: Any, dids: pl.Series | None = None) -> pl.DataFrame:
    """``did, gid, start, end`` for every key of ``automaton`` found in ``views``.

    ``start``/``end`` are positions in the joined string (so hits of one description can be compared
    with each other), ``local`` the start within the description; ``did`` is the row number in
    ``views`` (or the value of ``dids`` there).
    Automaton values are ``gid`` ints; ``key_len[gid]`` is the length of that key.
    """
    if views.is_empty() or len(automaton) == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    lengths = views.str.len_chars().cast(pl.Int64).to_numpy() + 1
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    big = "\n".join(views.to_list())
    flat = np.fromiter(itertools.chain.from_iterable(automaton.iter(big)), dtype=np.int64)
    if flat.size == 0:
        return pl.DataFrame(schema=HIT_SCHEMA)
    pairs = flat.reshape(-1, 2)
    lens = key_len[pairs[:, 1]]
    arr = np.column_stack((pairs[:, 0], pairs[:, 1], lens))
    rows = np.searchsorted(starts, arr[:, 0], side="right") - 1
    did = dids.to_numpy()[rows] if dids is not None else rows
    return pl.DataFrame(
        {
            "did": did.astype(np.int32),
            "gid": arr[:, 1].astype(np.int32),
            "start": arr[:, 0] - arr[:, 2] + 1,
            "end": arr[:, 0],
            "local": arr[:, 0] - arr[:, 2] + 1 - starts[rows],  # start within its own description
        },
        schema=HIT_SCHEMA,
    )
