"""JSON Lines manifests in the shape of the manifest CSV.

Each line is one JSON object with the manifest column names (one object per item,
shipment fields repeated) — or one object per shipment with a nested ``items``
list of objects holding the item columns.  Values may be strings or numbers.
Each line is parsed on its own, so a malformed line is a reject naming that line
and never hides its neighbours.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import polars as pl

from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.extra_columns import join_extras, split_extras
from interdictor.intake.fields import resolve_conflicts, rows_to_batch, validate_rows
from interdictor.intake.jsondoc import parse, readable
from interdictor.intake.limits import MAX_COLUMNS
from interdictor.intake.mapping import Profile
from interdictor.intake.records import LONE_SURROGATE_REASON, SURROGATE
from interdictor.model import Reject

ITEM_KEYS = ("item_description", "hs_code", "item_quantity", "item_weight_kg", "item_value", "cas_number")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float, str)):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def _rows(obj: dict[str, Any]) -> list[dict[str, Any]]:
    items = obj.get("items")
    base = {str(k).strip().lower(): v for k, v in obj.items() if k != "items"}
    if isinstance(items, list) and items:
        rows = []
        for it in items:
            row = dict(base)
            if isinstance(it, dict):
                for k, v in it.items():
                    k = str(k).strip().lower()
                    row[k if k.startswith(("item_", "hs_", "cas_")) else f"item_{k}"
                        if f"item_{k}" in ITEM_KEYS else k] = v
            rows.append(row)
        return rows
    return [base]


SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _drop_lone_surrogates(rows: list[dict[str, Any]], src: str, line: int) -> list[Reject]:
    """Fields whose text holds a lone surrogate (no character, cannot be stored) are rejected and left out."""
    out: list[Reject] = []
    for row in rows:
        for key in [k for k, v in row.items() if SURROGATE.search(k) or SURROGATE.search(_text(v) or "")]:
            row.pop(key)
            name = key.encode("utf-8", "replace").decode("utf-8")
            if not any(r.field == name for r in out):  # an item list repeats the shipment's fields
                out.append(Reject(src, line, name, LONE_SURROGATE_REASON, kind="field"))
    return out


def read_manifest_jsonl(stream: BinaryIO, options: ReadOptions, profile: Profile | None = None) -> Iterator[IntakeChunk]:
    src = options.source_name
    source_key = hashlib.sha1(src.encode()).hexdigest()[:12]
    pending: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    block: list[bytes] = []
    first_line = 1
    line_no = 0
    saw_any = False
    index = 0

    keys: set[str] = set()  # distinct keys of the block: its table's width

    def flush(final: bool) -> Iterator[IntakeChunk]:
        nonlocal pending, rejects, block, first_line, index, keys
        if not pending and not rejects:
            return
        cols = sorted({k for r in pending for k in r})
        df = pl.DataFrame({c: [r.get(c) if c == "line" else _text(r.get(c)) for r in pending] for c in cols},
                          schema={c: (pl.Int64 if c == "line" else pl.String) for c in cols}) if pending else \
            pl.DataFrame(schema={"line": pl.Int64, "shipment_id": pl.String, "item_description": pl.String})
        if profile is not None:
            df = df.rename({t: o for o, ts in profile.columns.items() for t in ts[:1] if t in df.columns and o not in df.columns})
            df = profile.transform(df)
        contract, extras = split_extras(df)
        clean, field_rejects = validate_rows(contract, src, options.max_field_chars)
        clean, extra_rejects = join_extras(clean, extras, src, options.max_field_chars)
        field_rejects += extra_rejects
        clean, conflicts = resolve_conflicts(clean, src)
        raw_id = f"{source_key}:{index}"
        content = b"".join(block)
        yield IntakeChunk(
            batch=rows_to_batch(clean), rejects=rejects + field_rejects + conflicts,
            raw=[RawPayload(raw_id, src, first_line, line_no, content)] if content else [],
            rows=len(pending) + len(rejects),
        )
        index += 1
        pending, rejects, block, keys = [], [], [], set()
        first_line = line_no + 1

    for raw_line in stream:
        line_no += 1
        block.append(raw_line)
        if options.progress:
            options.progress(len(raw_line))
        stripped = raw_line.strip()
        if not stripped:
            continue
        saw_any = True
        if len(raw_line) > options.max_line_bytes:
            rejects.append(Reject(src, line_no, None, f"line is longer than {options.max_line_bytes:,} bytes"))
            continue
        try:
            obj, suspect = parse(stripped.decode("utf-8"))
        except UnicodeDecodeError as exc:
            rejects.append(Reject(src, line_no, None, f"not valid UTF-8 (byte at column {exc.start + 1}); "
                                  "re-export as UTF-8", raw=stripped[:200].decode("utf-8", "replace")))
            continue
        except (ValueError, RecursionError) as exc:
            rejects.append(Reject(src, line_no, None, f"not valid JSON: {exc}"[:300],
                                  raw=stripped[:200].decode("utf-8", "replace")))
            continue
        if not isinstance(obj, dict):
            rejects.append(Reject(src, line_no, None, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        sid = obj.get("shipment_id")
        unreadable = [Reject(src, line_no, path, reason, shipment_id=_text(sid), kind="field")
                      for path, reason in (readable(obj) if suspect else ())]  # NaN, 1e999, too deep: that field
        rows = _rows(obj)
        if SURROGATE_ESCAPE.search(stripped):  # rare: only then look for a lone surrogate in the values
            rejects.extend(_drop_lone_surrogates(rows, src, line_no))
        width = keys.union(*rows)
        if len(width) > MAX_COLUMNS:
            rejects.append(Reject(src, line_no, None, f"too many keys: with this line the records hold {len(width):,} "
                                  f"different keys; at most {MAX_COLUMNS:,} are read"))
            continue
        keys = width
        rejects.extend(unreadable)
        for row in rows:
            row["line"] = line_no
            pending.append(row)
        # flush on shipment boundaries only, so a shipment's rows stay together
        if len(pending) >= options.chunk_rows and (
            len(pending) < 2 or pending[-1].get("shipment_id") != pending[-2].get("shipment_id")
        ):
            last = pending.pop()
            yield from flush(False)
            pending.append(last)
            keys = set(last) - {"line"}
    if not saw_any:
        raise IntakeError(f"{src}: the file is empty")
    yield from flush(True)
