"""Text sent in a form the readers do not expect, made into UTF-8 lines as it is read.

* UTF-16 and UTF-32 — found by the byte-order mark, else by where the NUL bytes fall (text
  that is mostly ASCII has a NUL in every second or every four bytes at the same places) —
  are transcoded to UTF-8;
* a file whose lines end in a carriage return alone (old Mac exports) is read as lines.

Both are said in a notice, as the manifest CSV says a legacy encoding it detected.  The
readers then see UTF-8 lines ending in LF and keep their fast byte-level paths.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from typing import BinaryIO

from interdictor.intake.base import IntakeError

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


def codec(name: str, source: str) -> str:
    """The codec's canonical name; ``IntakeError`` naming the problem when Python knows no such encoding."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise IntakeError(f"{source}: unknown text encoding {name!r}; give one Python knows, "
                          "e.g. utf-8, gb18030, big5, shift_jis, cp1252, latin-1, utf-16") from None


def wide_encoding(head: bytes) -> tuple[str, str] | None:
    """(encoding, how it was found) when ``head`` is UTF-16 or UTF-32; None otherwise."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, "byte-order mark"
    sample = head[: len(head) - len(head) % 4][:4096]
    if len(sample) < 16:
        return None
    nul = [sample[i::4].count(0) / len(sample[i::4]) for i in range(4)]
    zero = [share > 0.6 for share in nul]
    some = [share > 0.02 for share in nul]
    patterns = {
        "utf-32-le": (False, True, True, True), "utf-32-be": (True, True, True, False),
        "utf-16-le": (False, True, False, True), "utf-16-be": (True, False, True, False),
    }
    for name, want in patterns.items():
        if all(zero[i] if w else not some[i] for i, w in enumerate(want)):
            return name, "NUL-byte pattern"
    return None


def cr_only(text: bytes) -> bool:
    """Lines end in a carriage return alone: CRs and not one LF."""
    return b"\r" in text and b"\n" not in text


class _Utf8(io.RawIOBase):
    """``prefix`` then the rest of ``stream``, decoded from ``encoding`` (None: bytes as they are)
    to UTF-8, each CR made an LF when ``cr`` is set."""

    def __init__(self, prefix: bytes, stream: BinaryIO, encoding: str | None, cr: bool) -> None:
        self.prefix, self.stream, self.cr = prefix, stream, cr
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace") if encoding else None
        self.out = b""
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.out and not self.eof:
            raw, self.prefix = (self.prefix, b"") if self.prefix else (self.stream.read(1 << 20), b"")
            self.eof = not raw
            out = self.decoder.decode(raw, final=self.eof).encode("utf-8") if self.decoder else raw
            self.out = out.replace(b"\r", b"\n") if self.cr else out
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n


@dataclass(frozen=True)
class Recoding:
    """What a text needs to be read as UTF-8 lines: the wide encoding it is in (and how that was
    found), and whether its lines end in CR alone."""

    encoding: str | None
    how: str
    cr: bool

    def notices(self, source: str) -> list[str]:
        out = []
        if self.encoding:
            name = self.encoding.upper()
            out.append(f"{source} is {name}, not UTF-8; decoded as {name} ({self.how}).")
        if self.cr:
            out.append(f"{source}: lines end in a carriage return alone (CR); read as lines.")
        return out

    def head(self, head: bytes) -> bytes:
        """The first bytes as the readers will see them (for detection)."""
        text = head.decode(self.encoding, "replace").encode("utf-8") if self.encoding else head
        return text.replace(b"\r", b"\n") if self.cr else text

    def wrap(self, stream: BinaryIO, prefix: bytes = b"") -> BinaryIO:
        """``prefix`` (bytes already read from ``stream``) and the rest of ``stream``, as UTF-8 lines."""
        return io.BufferedReader(_Utf8(prefix, stream, self.encoding, self.cr), 1 << 20)


def recoding(head: bytes, encoding: str | None = None) -> Recoding | None:
    """What ``head`` (a text's first bytes) needs to be read as UTF-8 lines; None when nothing.
    ``encoding`` is the one the user gave, if any (canonical name, see ``codec``)."""
    if encoding in WIDE:
        found: tuple[str, str] | None = (encoding, "--encoding")
        if encoding in ("utf-16", "utf-32") and not head.startswith(tuple(b for b, _ in _BOMS)):
            # without a byte-order mark Python's codec refuses: take the byte order from the NULs
            sniffed = wide_encoding(head)
            order = sniffed[0][-3:] if sniffed and sniffed[0].startswith(encoding) else "-le"
            found = (encoding + order, "--encoding")
    else:
        found = wide_encoding(head) if encoding is None else None
    text = head.decode(found[0], "replace").encode("utf-8") if found else head
    cr = cr_only(text)
    if found is None and not cr:
        return None
    return Recoding(found[0] if found else None, found[1] if found else "", cr)
