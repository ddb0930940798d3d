"""CN 23 items as CSV (``cn23-csv``): one row per content line, the item's fields repeated.

Columns (any case, ``_``/space/camelCase alike; unknown columns are kept in ``extra``)::

    item_id, mail_class, category_of_item, posting_origin_country, destination_country,
    sender_name, sender_business, sender_street, sender_city, sender_state, sender_postcode,
    sender_country, sender_phone, sender_email,
    addressee_name, ... (same as sender),
    content_description, content_quantity, content_net_weight_kg, content_value, content_currency,
    content_hs_code, content_origin_country,
    total_gross_weight_kg, total_declared_value, total_declared_currency

Party columns may use ``sender_``/``shipper_``/``from_`` and ``addressee_``/``recipient_``/
``receiver_``/``consignee_``/``to_``; content columns ``content_``/``item_`` or none
(``description``, ``hs_code``, ``quantity``).  Rows of one item must be consecutive.
Each item's rows are its raw payload (the first also carries the header line).
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from typing import Any, BinaryIO

from interdictor.intake import postal
from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.csv_rows import MAX_QUOTED_LINES, UNTERMINATED
from interdictor.intake.limits import CSV_MAX_ROWS_PER_RECORD, MAX_TEXT
from interdictor.intake.objmap import ITEM_KEYS, PARTY_KEYS, Obj, fold
from interdictor.intake.records import Chunker, Parsed, Problems, mode_override, raw_id

PARTY_WORDS = {w for names in PARTY_KEYS.values() for w in names}
ITEM_WORDS = {w for names in ITEM_KEYS.values() for w in names} | {"currency", "netweightkg"}
PREFIXES = (
    [(p, "sender") for p in ("sender", "consignor", "shipper", "from")]
    + [(p, "addressee") for p in ("addressee", "recipient", "receiver", "consignee", "to")]
    + [(p, "content") for p in ("contents", "content", "item", "goods", "line")]
)
# unprefixed columns that describe one content line (a bare "value" or "currency" is the total)
PLAIN_CONTENT = (set(ITEM_KEYS["description"]) | set(ITEM_KEYS["hs_code"]) | set(ITEM_KEYS["quantity"])
                 | {"netweightkg", "netweight", "itemweightkg", "unitvalue", "unitprice", "origincountry",
                    "countryoforigin", "casnumber", "cas"})


def _classify(header: list[str]) -> list[tuple[str, str]]:
    """(group, key) per column: group is '', 'sender', 'addressee' or 'content'."""
    out = []
    for h in header:
        f = fold(h)
        where = ("", h)
        for pfx, group in PREFIXES:
            rest = f[len(pfx):]
            if f.startswith(pfx) and rest and rest in (ITEM_WORDS if group == "content" else PARTY_WORDS):
                where = (group, rest)
                break
        else:
            if f in PLAIN_CONTENT:
                where = ("content", f)
        out.append(where)
    return out


class _Source:
    """Bounded physical lines for ``csv.reader``, remembering the raw bytes of each row."""

    def __init__(self, stream: BinaryIO, max_line: int, problems: Problems) -> None:
        self.stream, self.max_line, self.problems = stream, max_line, problems
        self.buffer: list[bytes] = []
        self.line = 0
        self.bad_rows = 0  # records rejected whole (not in any item): counted in the last chunk's rows

    def __iter__(self) -> Iterator[str]:
        while True:
            b = self.stream.readline(self.max_line + 1)
            if not b:
                return
            self.line += 1
            if len(b) > self.max_line and not b.endswith(b"\n"):
                size = len(b)
                while (more := self.stream.readline(65536)) and not more.endswith(b"\n"):
                    size += len(more)
                size += len(more)
                self.problems.add(self.line, None, f"line is longer than {self.max_line:,} bytes ({size:,}); "
                                  "skipped", kind="row")
                self.buffer.append(b[:200])
                yield "\n"
                continue
            self.buffer.append(b)
            try:
                text = b.decode("utf-8-sig" if self.line == 1 else "utf-8")
            except UnicodeDecodeError:
                text = b.decode("cp1252", errors="replace")
            # a stray carriage return inside a line would stop the csv module: make it a space
            yield text.replace("\r\n", "\n").replace("\r", " ").replace("\x00", " ")

    def take(self) -> bytes:
        out = b"".join(self.buffer)
        self.buffer = []
        return out


def read_csv(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    src = options.source_name
    problems = Problems(src)
    source = _Source(stream, min(options.max_line_bytes, 1_000_000), problems)
    lines = iter(source)
    first = next(lines, None)
    if first is None or not first.strip():
        raise IntakeError(f"{src}: the file is empty or has no header line")
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    header = _strict(first, delimiter)
    if header is None:
        raise IntakeError(f"{src}: the header line cannot be read as CSV")
    reader = _records(lines, len(header), delimiter, source)
    columns = _classify(header)
    id_col = next((i for i, (g, k) in enumerate(columns) if g == "" and fold(k) in postal.ID_KEYS), None)
    if id_col is None:
        raise IntakeError(f"{src}: no item id column (item_id, s10, tracking_number, ...); "
                          f"the header has: {', '.join(header[:30])}")
    chunker = Chunker(options)
    mode = mode_override(options, "postal")
    group: list[tuple[int, list[str]]] = []
    pending = source.take()  # the header's bytes travel with the first item
    done: set[str] = set()
    start_line: int | None = 1  # where the next payload starts (the first one holds the header)
    while True:
        got = next(reader, None)
        line, row = got if got is not None else (source.line, None)
        key = fold(row[id_col]) if row is not None and len(row) > id_col else None
        if group and (row is None or key != fold(group[0][1][id_col]) or len(group) >= CSV_MAX_ROWS_PER_RECORD):
            yield from chunker.add(_item(group, columns, header, id_col, problems, pending, src, mode, done,
                                         start_line or group[0][0]))
            problems = source.problems = Problems(src)
            group, pending, start_line = [], b"", None
        if row is None:
            break
        pending += source.take()
        if start_line is None:
            start_line = line
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            source.bad_rows += 1
            problems.add(line, None, f"row has {len(row)} fields, the header has {len(header)}", kind="row",
                         raw=delimiter.join(row))
            continue
        group.append((line, row))
    if not done and not problems.items:
        problems.add(source.line, None, "the file has a header line but no item rows", kind="file")
    if pending or problems.items or source.bad_rows:
        start = start_line or source.line
        yield from chunker.add(Parsed(RawPayload(raw_id(src, -1, pending), src, start, max(start, source.line),
                                                 pending), [], problems.items, rows=source.bad_rows))
    yield from chunker.flush()


def _strict(text: str, delimiter: str) -> list[str] | None:
    """The fields of ``text`` read as one CSV record; None when it is not one well-formed record."""
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else [] if not rows else None


def _records(lines: Iterator[str], width: int, delimiter: str, source: _Source) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each record after the header.  A line whose quote does not close, within
    ``MAX_QUOTED_LINES`` lines, into a record of the header's ``width`` is rejected alone (as in the
    manifest CSV, ``csv_rows``) and reading goes on with the line after it."""
    ahead: deque[str] = deque()
    line = 1
    while (text := ahead.popleft() if ahead else next(lines, None)) is not None:
        line += 1
        if text.count('"') % 2 == 0:
            row = _strict(text, delimiter)
            yield line, row if row is not None else next(csv.reader([text], delimiter=delimiter))
            continue
        taken = [text]
        while len(taken) <= MAX_QUOTED_LINES and (more := ahead.popleft() if ahead else next(lines, None)) is not None:
            taken.append(more)
            if more.count('"') % 2:
                break
        row = _strict("".join(taken), delimiter) if len(taken) > 1 and taken[-1].count('"') % 2 else None
        if row is not None and len(row) == width:
            yield line, row
            line += len(taken) - 1
            continue
        source.bad_rows += 1
        source.problems.add(line, None, UNTERMINATED, kind="row", raw=text.rstrip("\n"))
        ahead.extendleft(reversed(taken[1:]))


def _item(group: list[tuple[int, list[str]]], columns: list[tuple[str, str]], header: list[str], id_col: int,
          problems: Problems, content: bytes, src: str, mode: str, done: set[str], start: int) -> Parsed:
    first_line, first = group[0]
    record: dict[str, Any] = {"sender": {}, "addressee": {}, "contents": []}
    for (g, k), value in zip(columns, first, strict=True):
        value = value.strip()[:MAX_TEXT]
        if g in ("sender", "addressee") and value:
            record[g][k] = value
        elif g == "" and value and k not in record:  # a bare "sender" column cannot replace the party
            record[k] = value
    for line, row in group:
        c: dict[str, Any] = {k: v.strip()[:MAX_TEXT] for (g, k), v in zip(columns, row, strict=True)
                             if g == "content" and v.strip()}
        if c:
            c["__line"] = line
            record["contents"].append(c)
    raw = RawPayload(raw_id(src, first_line, content), src, start, group[-1][0], content)
    key = fold(first[id_col])
    if key in done:
        problems.add(first_line, header[id_col], f"rows of item {first[id_col][:20]} appear again after other "
                     "items; keep an item's rows together", kind="row")
        return Parsed(raw, [], problems.items, rows=len(group))
    done.add(key)
    s = postal.item_shipment(Obj(record, f"line {first_line}"), first_line, problems, mode)
    if s is None:
        return Parsed(raw, [], problems.items, rows=len(group))
    raw = RawPayload(raw.raw_id, src, start, group[-1][0], content, s.shipment_id)
    return Parsed(raw, [s], problems.items, rows=len(group))
