"""Normalised views of item descriptions, as polars expressions.

The same expressions normalise the knowledge-base patterns and the descriptions, so the two can never
drift apart.  Two views:

* **token view** — NFKC, lower case, Greek letters spelled out, every run of punctuation or space
  turned into one space, a space between Chinese characters and Latin letters or digits, and one
  space of padding at each end: ``" n phenethyl 4 piperidone "``.  A pattern padded the same way
  matches whole words only ("npp" matches " npp ", never "snapper"), and "4-A.P", "4 a p" and
  "4-AP" meet in "4 a p" / "4 ap" variants.
* **skeleton view** — the token view with common spelling drift folded away (ph→f, th→t, y→i,
  doubled letters single, a word-final e dropped, zero read as o), so "fenethyl", "phenetyl" and
  "phenethyl" meet.
* **compact view** — the skeleton view without spaces, for long names split at odd places
  ("phenyl aceto acetonitrile"); only names of 14 letters or more are matched there.
"""

from __future__ import annotations

from typing import Final

import polars as pl

GREEK: Final = {"α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "ω": " omega "}
# Order matters: replace_many takes the leftmost, then longest, pattern.
SKELETON: Final = {
    "0": "o",  # "B0c" for "Boc": a zero typed for the letter
    "ph": "f",
    "th": "t",
    "ck": "k",
    "y": "i",
    **{c + c: c for c in "abcdefghijklmnopqrstuvwxz"},
}
_HAN: Final = r"\p{Han}"
# every ASCII character that is not a letter or digit: the fast path for plain-ASCII descriptions
_ASCII_PUNCT: Final = [chr(i) for i in range(128) if not chr(i).isalnum() and chr(i) != " "]
_FINAL_E: Final = [c + "e " for c in "abcdfghijklmnopqrstuvwxyz"]


def token_view(expr: pl.Expr) -> pl.Expr:
    """Padded, lower-case, punctuation-free text with Chinese runs set apart."""
    return (
        pl.concat_str(
            pl.lit(" "),
            expr.fill_null("")
            .str.normalize("NFKC")
            .str.to_lowercase()
            .str.replace_many(list(GREEK), list(GREEK.values()))
            .str.replace_all(rf"({_HAN})([^{_HAN}])", "$1 $2")
            .str.replace_all(rf"([^{_HAN}])({_HAN})", "$1 $2")
            .str.replace_all(r"[^\p{L}\p{N}]+", " ")
            .str.strip_chars(),
            pl.lit(" "),
        )
    )


def ascii_token_view(expr: pl.Expr) -> pl.Expr:
    """``token_view`` for text known to be plain ASCII — the same result, several times faster."""
    return pl.concat_str(
        pl.lit(" "),
        expr.fill_null("")
        .str.to_lowercase()
        .str.replace_many(_ASCII_PUNCT, [" "] * len(_ASCII_PUNCT))
        .str.replace_all(r" {2,}", " ")
        .str.strip_chars(),
        pl.lit(" "),
    )


def token_views(frame: pl.DataFrame, column: str) -> pl.Series:
    """Token view of ``frame[column]``, taking the ASCII fast path for the rows that allow it."""
    ascii_rows = frame[column].fill_null("").str.contains(r"^[\x00-\x7F]*$")
    if bool(ascii_rows.all()):
        return frame.select(ascii_token_view(pl.col(column)).alias(column))[column]
    idx = pl.int_range(pl.len()).alias("_i")
    fast = frame.with_columns(idx).filter(ascii_rows).select("_i", ascii_token_view(pl.col(column)).alias(column))
    slow = frame.with_columns(idx).filter(~ascii_rows).select("_i", token_view(pl.col(column)).alias(column))
    return pl.concat([fast, slow]).sort("_i")[column]


def skeleton_view(tokens: pl.Expr) -> pl.Expr:
    """Spelling-drift-folded form of a token view (input must already be a token view)."""
    return tokens.str.replace_many(list(SKELETON), list(SKELETON.values())).str.replace_many(
        _FINAL_E, [e[0] + " " for e in _FINAL_E]
    )


def normalise_many(texts: list[str], skeleton: bool = False) -> list[str]:
    """The token (or skeleton) view of a list of strings — for building patterns."""
    s = pl.Series("t", texts, dtype=pl.String).to_frame()
    expr = token_view(pl.col("t"))
    if skeleton:
        expr = skeleton_view(expr)
    return s.select(expr.alias("t"))["t"].to_list()


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def pad_for_boundaries(view: str) -> str:
    """A padded pattern keeps its padding only on Latin/digit ends (Chinese has no word spaces).

    ``" n phenethyl 4 piperidone "`` stays as it is; ``" 4 哌啶酮 "`` becomes ``" 4 哌啶酮"`` so it
    still matches inside "4-哌啶酮盐酸盐".
    """
    core = view.strip()
    if not core:
        return ""
    left = "" if is_han(core[0]) else " "
    right = "" if is_han(core[-1]) else " "
    return f"{left}{core}{right}"
